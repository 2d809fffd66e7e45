// list_workspace: the people, teams, tags and AI teammates an agent picks from.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { defineTool } from "./define.js";
import { cursor, gid, limit } from "./schemas.js";
import { workspaceOf } from "./task-common.js";

interface Listing {
  path(workspace: string): string;
  query(workspace: string): Record<string, string>;
  fields: string;
  /** Asana-Enable opt-ins the endpoint requires. */
  enable?: readonly string[];
}

const OF: Record<"users" | "teams" | "tags" | "agents", Listing> = {
  // GET /users pages with limit and offset; the workspace's own users listing returns up to 2,000 at once.
  users: { path: () => "/users", query: (w: string) => ({ workspace: w }), fields: "name,email" },
  teams: { path: (w: string) => apiPath`/workspaces/${w}/teams`, query: () => ({}), fields: "name" },
  tags: { path: (w: string) => apiPath`/workspaces/${w}/tags`, query: () => ({}), fields: "name" },
  // Asana's AI teammates ("agents"), which V2 of Asana's own MCP server lists too. The endpoint is
  // in early access: Asana answers it only to requests that opt in with Asana-Enable.
  agents: {
    path: (w: string) => apiPath`/workspaces/${w}/agents`,
    query: () => ({}),
    fields: "name",
    enable: ["ai_teammate_actors"],
  },
};

export const listWorkspace = defineTool({
  name: "list_workspace",
  title: "List users, teams, tags or AI teammates",
  toolset: "tasks",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      of: z.enum(["users", "teams", "tags", "agents"]),
      workspace_gid: gid().optional(),
      limit: limit(100),
      cursor: cursor(),
    })
    .strict(),
  output: z.object({
    items: z.array(z.object({ gid: z.string(), name: z.string(), email: z.string().optional() })),
    next_cursor: z.string().nullable(),
  }),
  scope: (a) => (a.workspace_gid ? { workspace: a.workspace_gid } : {}),
  describe: ({ attribution }) =>
    `A workspace's users, teams, tags or agents (AI teammates). Reads as ${attribution("read")}.`,
  handler: async (a, context) => {
    const workspace = await workspaceOf(context, a.workspace_gid);
    const scope = `${a.of}:${workspace}`;
    const offset = a.cursor ? decodeCursor(a.cursor, scope) : undefined;
    const { data, nextPage } = await context.asana.request<
      Array<{ gid: string; name: string; email?: string }>
    >(context.identity, {
      method: "GET",
      path: OF[a.of].path(workspace),
      query: { ...OF[a.of].query(workspace), limit: a.limit, offset, opt_fields: OF[a.of].fields },
      enable: OF[a.of].enable,
      signal: context.signal,
    });
    return {
      items: data.map((x) => ({ gid: x.gid, name: x.name, ...(x.email ? { email: x.email } : {}) })),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
    };
  },
});

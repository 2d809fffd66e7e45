import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { projectListed } from "../policy.js";
import { defineTool } from "./define.js";
import { cursor, gid, limit } from "./schemas.js";
import { workspaceOf } from "./task-common.js";

interface AsanaProject {
  gid: string;
  name: string;
  team?: { gid: string; name?: string } | null;
}

export const listProjects = defineTool({
  name: "list_projects",
  title: "List projects",
  toolset: "tasks",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      workspace_gid: gid().optional(),
      archived: z.boolean().default(false).describe("true: only archived"),
      limit: limit(50),
      cursor: cursor(),
    })
    .strict(),
  output: z.object({
    workspace_gid: z.string(),
    projects: z.array(
      z.object({
        gid: z.string(),
        name: z.string(),
        team: z.string().optional(),
        archived: z.boolean().optional(),
      }),
    ),
    next_cursor: z.string().nullable(),
  }),
  scope: (args) => (args.workspace_gid ? { workspace: args.workspace_gid } : {}),
  // Picks its default among allowed workspaces and drops projects ASANA_PROJECTS does not list.
  filtersByPolicy: true,
  describe: ({ attribution }) =>
    `Projects of a workspace (gid, name, team), paged by next_cursor. Reads as ${attribution("read")}.`,
  handler: async (args, context) => {
    const { asana, identity, signal, policy } = context;
    const workspaceGid = await workspaceOf(context, args.workspace_gid);
    const scope = `projects:${workspaceGid}:${args.archived}`;
    const offset = args.cursor ? decodeCursor(args.cursor, scope) : undefined;
    const { data, nextPage } = await asana.request<AsanaProject[]>(identity, {
      method: "GET",
      path: apiPath`/projects`,
      query: {
        workspace: workspaceGid,
        archived: args.archived,
        limit: args.limit,
        offset,
        // Not `archived`: Asana returns only projects whose archived flag equals the filter.
        opt_fields: "name,team.name",
      },
      signal,
    });
    return {
      workspace_gid: workspaceGid,
      projects: data
        .filter((project) => projectListed(policy, project.gid))
        .map((project) => ({
          gid: project.gid,
          name: project.name,
          ...(project.team?.name ? { team: project.team.name } : {}),
          ...(args.archived ? { archived: true } : {}),
        })),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
    };
  },
});

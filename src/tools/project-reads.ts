// Projects in detail, the people and labels an agent picks from, and attachments.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { defineTool } from "./define.js";
import { cursor, gid, limit } from "./schemas.js";
import { projectFields, workspaceOf } from "./task-common.js";

export const getProject = defineTool({
  name: "get_project",
  title: "Get a project",
  kind: "read",
  actsAs: "read",
  input: z.object({ project_gid: gid() }).strict(),
  output: z.object({ project: z.record(z.string(), z.unknown()) }),
  scope: (a) => ({ project: a.project_gid }),
  describe: ({ attribution }) =>
    `A project: sections, custom fields, latest status updates. Reads as ${attribution("read")}.`,
  handler: async (a, { asana, identity, signal }) => {
    const [project, sections, fields, statuses] = await Promise.all([
      asana.request<{
        gid: string;
        name: string;
        notes?: string;
        permalink_url?: string;
        team?: { name?: string } | null;
        archived?: boolean;
      }>(identity, {
        method: "GET",
        path: apiPath`/projects/${a.project_gid}`,
        query: { opt_fields: "name,notes,permalink_url,team.name,archived,workspace" },
        signal,
      }),
      asana.request<Array<{ gid: string; name: string }>>(identity, {
        method: "GET",
        path: apiPath`/projects/${a.project_gid}/sections`,
        query: { limit: 100, opt_fields: "name" },
        signal,
      }),
      projectFields(asana, identity, a.project_gid, signal),
      asana.request<
        Array<{
          gid: string;
          title?: string;
          status_type?: string;
          text?: string;
          created_at?: string;
          author?: { name?: string };
        }>
      >(identity, {
        method: "GET",
        path: "/status_updates",
        query: {
          parent: a.project_gid,
          limit: 3,
          opt_fields: "title,status_type,text,created_at,author.name",
        },
        signal,
      }),
    ]);
    const p = project.data;
    return {
      project: {
        gid: p.gid,
        name: p.name,
        ...(p.team?.name ? { team: p.team.name } : {}),
        ...(p.archived ? { archived: true } : {}),
        url: p.permalink_url,
        notes: p.notes,
        sections: sections.data.map((s) => ({ gid: s.gid, name: s.name })),
        ...(sections.nextPage ? { more_sections: true } : {}),
        custom_fields: fields.map((f) => ({
          gid: f.gid,
          name: f.name,
          type: f.type,
          ...(f.enum_options?.length ? { options: f.enum_options.map((o) => o.name) } : {}),
        })),
        status_updates: statuses.data.map((s) => ({
          gid: s.gid,
          status: s.status_type,
          title: s.title,
          text: s.text,
          at: s.created_at,
          by: s.author?.name,
        })),
      },
    };
  },
});

const OF = {
  users: { path: (w: string) => apiPath`/workspaces/${w}/users`, fields: "name,email" },
  teams: { path: (w: string) => apiPath`/workspaces/${w}/teams`, fields: "name" },
  tags: { path: (w: string) => apiPath`/workspaces/${w}/tags`, fields: "name" },
} as const;

export const listWorkspace = defineTool({
  name: "list_workspace",
  title: "List users, teams or tags",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      of: z.enum(["users", "teams", "tags"]),
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
  describe: ({ attribution }) => `A workspace's users, teams or tags. Reads as ${attribution("read")}.`,
  handler: async (a, context) => {
    const workspace = await workspaceOf(context, a.workspace_gid);
    const scope = `${a.of}:${workspace}`;
    const offset = a.cursor ? decodeCursor(a.cursor, scope) : undefined;
    const { data, nextPage } = await context.asana.request<
      Array<{ gid: string; name: string; email?: string }>
    >(context.identity, {
      method: "GET",
      path: OF[a.of].path(workspace),
      // The users listing takes no limit (Asana pages it at its own size).
      query: { ...(a.of === "users" ? {} : { limit: a.limit }), offset, opt_fields: OF[a.of].fields },
      signal: context.signal,
    });
    return {
      items: data.map((x) => ({ gid: x.gid, name: x.name, ...(x.email ? { email: x.email } : {}) })),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
    };
  },
});

export const getAttachment = defineTool({
  name: "get_attachment",
  title: "Get an attachment",
  kind: "read",
  actsAs: "read",
  input: z.object({ attachment_gid: gid() }).strict(),
  output: z.object({ attachment: z.record(z.string(), z.unknown()) }),
  describe: ({ attribution }) =>
    `An attachment with a short-lived download_url. Reads as ${attribution("read")}.`,
  handler: async (a, { asana, identity, signal }) => {
    const { data } = await asana.request<Record<string, unknown>>(identity, {
      method: "GET",
      path: apiPath`/attachments/${a.attachment_gid}`,
      query: { opt_fields: "name,size,host,created_at,download_url,permanent_url,parent.name" },
      signal,
    });
    return { attachment: data };
  },
});

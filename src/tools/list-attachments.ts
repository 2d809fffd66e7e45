// list_attachments: every attachment of a task or a project, a page at a time (get_task shows a
// task's first 20 by name only; a project's are listed nowhere else).
import { z } from "zod";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { cursor, gid, limit } from "./schemas.js";

interface AsanaAttachment {
  gid: string;
  name?: string | null;
  resource_subtype?: string | null;
  size?: number | null;
  host?: string | null;
  created_at?: string | null;
  permanent_url?: string | null;
}

export const listAttachments = defineTool({
  name: "list_attachments",
  title: "List attachments",
  toolset: "attachments",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      task_gid: gid("task").optional(),
      project_gid: gid("project").optional().describe("Or a project."),
      limit: limit(50),
      cursor: cursor(),
    })
    .strict(),
  output: z.object({
    parent_gid: z.string(),
    attachments: z.array(
      z.object({
        gid: z.string(),
        name: z.string().nullable(),
        type: z.string().optional(),
        size: z.number().optional(),
        host: z.string().optional(),
        created_at: z.string().optional(),
        permanent_url: z.string().optional(),
      }),
    ),
    next_cursor: z.string().nullable(),
  }),
  validate: (a) => {
    if ((a.task_gid === undefined) === (a.project_gid === undefined)) {
      throw new AppError("invalid_input", "task_gid: give exactly one of task_gid or project_gid.");
    }
  },
  scope: (a) => (a.task_gid !== undefined ? { task: a.task_gid } : { project: a.project_gid }),
  describe: ({ attribution }) =>
    `A task's or project's attachments (get_attachment gives one's download_url). Reads as ${attribution("read")}.`,
  handler: async (a, { asana, identity, signal }) => {
    const parent = (a.task_gid ?? a.project_gid) as string;
    const scope = `attachments:${parent}`;
    const { data, nextPage } = await asana.request<AsanaAttachment[]>(identity, {
      method: "GET",
      path: "/attachments",
      query: {
        parent,
        limit: a.limit,
        offset: a.cursor ? decodeCursor(a.cursor, scope) : undefined,
        opt_fields: "name,resource_subtype,size,host,created_at,permanent_url",
      },
      signal,
    });
    return {
      parent_gid: parent,
      attachments: data.map((f) => ({
        gid: f.gid,
        name: f.name ?? null,
        ...(f.resource_subtype ? { type: f.resource_subtype } : {}),
        ...(typeof f.size === "number" ? { size: f.size } : {}),
        ...(f.host ? { host: f.host } : {}),
        ...(f.created_at ? { created_at: f.created_at } : {}),
        ...(f.permanent_url ? { permanent_url: f.permanent_url } : {}),
      })),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
    };
  },
});

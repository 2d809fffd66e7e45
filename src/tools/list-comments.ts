// list_comments: a task's comments (optionally its activity too), oldest first, paged.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { defineTool } from "./define.js";
import { cursor, gid, limit } from "./schemas.js";

const STORY_FIELDS = "created_at,created_by.name,resource_subtype,text";

export const listComments = defineTool({
  name: "list_comments",
  title: "List a task's comments",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      task_gid: gid("task"),
      include_activity: z.boolean().default(false),
      limit: limit(50),
      cursor: cursor(),
    })
    .strict(),
  output: z.object({
    comments: z.array(z.object({ gid: z.string(), at: z.string(), by: z.string(), text: z.string() })),
    next_cursor: z.string().nullable(),
  }),
  scope: (a) => ({ task: a.task_gid }),
  describe: ({ attribution }) => `A task's comments, oldest first. Reads as ${attribution("read")}.`,
  handler: async (a, { asana, identity, signal }) => {
    const scope = `stories:${a.task_gid}`;
    const offset = a.cursor ? decodeCursor(a.cursor, scope) : undefined;
    const { data, nextPage } = await asana.request<
      Array<{
        gid: string;
        created_at: string;
        created_by?: { name?: string } | null;
        resource_subtype?: string;
        text?: string;
      }>
    >(identity, {
      method: "GET",
      path: apiPath`/tasks/${a.task_gid}/stories`,
      query: { limit: a.limit, offset, opt_fields: STORY_FIELDS },
      signal,
    });
    return {
      comments: data
        .filter((s) => a.include_activity || s.resource_subtype === "comment_added")
        .map((s) => ({
          gid: s.gid,
          at: s.created_at,
          by: s.created_by?.name ?? "Asana",
          text: s.text ?? "",
        })),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
    };
  },
});

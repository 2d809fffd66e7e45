// list_comments: a task's comments (optionally its activity too), oldest first, paged.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { allowedProjects } from "../policy.js";
import { defineTool, type ToolContext } from "./define.js";
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
    comments: z.array(
      z.object({
        gid: z.string(),
        at: z.string(),
        by: z.string(),
        text: z.string(),
        // With include_activity only: a comment someone wrote, or a system story (what changed).
        type: z.enum(["comment", "system"]).optional(),
        subtype: z.string().optional(),
      }),
    ),
    next_cursor: z.string().nullable(),
    activity_withheld: z.string().optional(),
  }),
  scope: (a) => ({ task: a.task_gid }),
  describe: ({ attribution }) => `A task's comments, oldest first. Reads as ${attribution("read")}.`,
  handler: async (a, context) => {
    const { asana, identity, signal } = context;
    const scope = `stories:${a.task_gid}`;
    const offset = a.cursor ? decodeCursor(a.cursor, scope) : undefined;
    const activity = a.include_activity && !(await hasOutsideProjects(context, a.task_gid));
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
        .filter((s) => activity || s.resource_subtype === "comment_added")
        .map((s) => ({
          gid: s.gid,
          at: s.created_at,
          by: s.created_by?.name ?? "Asana",
          text: s.text ?? "",
          ...(a.include_activity ? kindOf(s.resource_subtype) : {}),
        })),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
      ...(a.include_activity && !activity
        ? {
            activity_withheld:
              "comments only: the task is also in projects outside this server's allow-list, which its activity would name",
          }
        : {}),
    };
  },
});

/** A story's kind: Asana's comments are resource_subtype comment_added, everything else is system. */
function kindOf(subtype: string | undefined): { type: "comment" } | { type: "system"; subtype: string } {
  return subtype === "comment_added"
    ? { type: "comment" }
    : { type: "system", subtype: subtype ?? "unknown" };
}

/**
 * Activity stories name the projects a task is added to or moved between, by name: under
 * ASANA_PROJECTS a task that is also in an outside project shows its comments only.
 */
async function hasOutsideProjects(context: ToolContext, task: string): Promise<boolean> {
  const { asana, identity, signal, policy } = context;
  if (!policy.projects) return false;
  const { data } = await asana.request<{ projects?: Array<{ gid: string }> | null }>(identity, {
    method: "GET",
    path: apiPath`/tasks/${task}`,
    query: { opt_fields: "projects" },
    signal,
  });
  return allowedProjects(policy, data.projects ?? [], (p) => p.gid).outside > 0;
}

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
  toolset: "tasks",
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
    // Under ASANA_PROJECTS, activity that can name another project, task or field stays out.
    const shown = (s: { resource_subtype?: string }) =>
      s.resource_subtype === "comment_added" ||
      (a.include_activity && (!context.policy.projects || NAMES_NOTHING.has(s.resource_subtype ?? "")));
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
    const kept = data.filter(shown);
    const withheld = a.include_activity ? data.length - kept.length : 0;
    return {
      comments: kept.map((s) => ({
        gid: s.gid,
        at: s.created_at,
        by: s.created_by?.name ?? "Asana",
        text: s.text ?? "",
        ...(a.include_activity ? kindOf(s.resource_subtype) : {}),
      })),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
      ...(withheld
        ? {
            activity_withheld: `${withheld} activit${withheld === 1 ? "y" : "ies"} left out: under ASANA_PROJECTS, activity that names projects, sections, other tasks or custom fields (which may be outside the allow-list) is not shown`,
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
 * Story subtypes whose text names only the task itself, people, dates or its own attachments.
 * Every other one (added_to_project, section_changed, dependency_added, added_to_task,
 * enum_custom_field_changed, duplicated, …) can name a project, task or field outside
 * ASANA_PROJECTS, even of a task now inside it (its history), so it is left out under that list.
 */
const NAMES_NOTHING = new Set([
  "assigned",
  "unassigned",
  "due_date_changed",
  "due_today",
  "start_date_changed",
  "name_changed",
  "notes_changed",
  "marked_complete",
  "marked_incomplete",
  "marked_today",
  "attachment_added",
  "follower_added",
  "collaborator_added",
  "liked",
  "comment_liked",
  "comment_pinned",
  "comment_unpinned",
]);

// search_tasks: Asana's task search, which only paid plans have; a free workspace's 402 points the
// agent to list_tasks.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { gid, limit } from "./schemas.js";
import {
  type AsanaTask,
  compactTask,
  compactTaskOut,
  dateOnly,
  LIST_FIELDS,
  resolveMe,
  userIn,
  workspaceOf,
} from "./task-common.js";

/** Asana's search answers at most 100 tasks, with no offset. */
const SEARCH_MAX = 100;

export const searchTasks = defineTool({
  name: "search_tasks",
  title: "Search tasks",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      workspace_gid: gid().optional(),
      text: z.string().max(500).optional(),
      assignee: userIn().optional(),
      project_gid: gid("project").optional(),
      section_gid: gid().optional(),
      tag_gid: gid("tag").optional(),
      completed: z.boolean().optional(),
      due_before: dateOnly().optional(),
      due_after: dateOnly().optional(),
      sort_by: z.enum(["modified_at", "due_date", "created_at", "completed_at"]).optional(),
      limit: limit(25),
    })
    .strict()
    .refine((a) => !(a.due_before && a.due_after && a.due_after > a.due_before), {
      message: "is after due_before: no task can match",
      path: ["due_after"],
    }),
  output: z.object({ tasks: z.array(compactTaskOut), more: z.boolean() }),
  scope: (a) => ({
    ...(a.workspace_gid ? { workspace: a.workspace_gid } : {}),
    ...(a.project_gid ? { project: a.project_gid } : {}),
    ...(a.section_gid ? { section: a.section_gid } : {}),
  }),
  describe: ({ attribution, me }) =>
    `Search tasks by text, assignee, project, section, tag, dates (paid plans only; else list_tasks). Reads as ${attribution("read")}; "me" = ${me()}.`,
  handler: async (a, context) => {
    const workspace = await workspaceOf(context, a.workspace_gid);
    const assignee = await resolveMe(context, a.assignee);
    try {
      const { data } = await context.asana.request<AsanaTask[]>(context.identity, {
        method: "GET",
        path: apiPath`/workspaces/${workspace}/tasks/search`,
        query: {
          text: a.text,
          "assignee.any": assignee,
          "projects.any": a.project_gid,
          "sections.any": a.section_gid,
          "tags.any": a.tag_gid,
          completed: a.completed,
          "due_on.before": a.due_before,
          "due_on.after": a.due_after,
          sort_by: a.sort_by,
          opt_fields: LIST_FIELDS,
        },
        signal: context.signal,
      });
      return {
        tasks: data.slice(0, a.limit).map(compactTask),
        more: data.length > a.limit || data.length >= SEARCH_MAX,
      };
    } catch (error) {
      if (error instanceof AppError && error.code === "payment_required") {
        throw new AppError(
          "payment_required",
          `Task search needs a paid Asana plan, and workspace ${workspace} is on the free plan. ${error.message}`,
          {
            requestId: error.requestId,
            status: error.status,
            hint: "Use list_tasks instead: by project_gid, section_gid, or assignee (with workspace_gid); it works on every plan.",
          },
        );
      }
      throw error;
    }
  },
});

// search_tasks: Asana's task search, which only paid plans have; a free workspace's 402 points the
// agent to list_tasks.
//
// Search has no offset (its order is not stable between calls). Asana's recommended way to page it
// is by creation time: newest first, and each next page created before the last task seen. Our
// next_cursor carries that bound, opaque like every other listing's.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { cursor, gid, limit } from "./schemas.js";
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
import { shownProjects } from "./task-view.js";

/** Asana's search answers at most 100 tasks, with no offset. */
const SEARCH_MAX = 100;

interface FoundTask extends AsanaTask {
  created_at?: string | null;
  projects?: Array<{ gid: string; name?: string | null }> | null;
}

const searchTaskOut = compactTaskOut.extend({
  projects: z.array(z.object({ gid: z.string(), name: z.string() })).optional(),
  outside_projects: z.string().optional(),
});

export const searchTasks = defineTool({
  name: "search_tasks",
  title: "Search tasks",
  toolset: "tasks",
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
      limit: limit(25),
      cursor: cursor(),
    })
    .strict()
    .refine((a) => !(a.due_before && a.due_after && a.due_after > a.due_before), {
      message: "is after due_before: no task can match",
      path: ["due_after"],
    }),
  output: z.object({
    tasks: z.array(searchTaskOut),
    next_cursor: z.string().nullable(),
  }),
  scope: (a) => ({
    ...(a.workspace_gid ? { workspace: a.workspace_gid } : {}),
    ...(a.project_gid ? { project: a.project_gid } : {}),
    ...(a.section_gid ? { section: a.section_gid } : {}),
  }),
  describe: ({ attribution, me }) =>
    `Search tasks by text, assignee, project, section, tag, due date; paid plans (else list_tasks). Reads as ${attribution("read")}; "me" = ${me()}.`,
  handler: async (a, context) => {
    const workspace = await workspaceOf(context, a.workspace_gid);
    const assignee = await resolveMe(context, a.assignee);
    const { cursor: given, limit: size, ...filters } = a;
    const scope = `search:${workspace}:${JSON.stringify(filters)}`;
    const createdBefore = given ? decodeCursor(given, scope) : undefined;
    // Only a bound this tool wrote reaches Asana's created_at.before.
    if (createdBefore !== undefined && Number.isNaN(Date.parse(createdBefore))) {
      throw new AppError(
        "invalid_input",
        "cursor: not a next_cursor returned by this tool; call again without cursor.",
      );
    }
    try {
      const { data } = await context.asana.request<FoundTask[]>(context.identity, {
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
          // Newest first, always: the one order search can be paged in.
          sort_by: "created_at",
          sort_ascending: false,
          "created_at.before": createdBefore,
          // One more than the page when it fits: it tells whether the page's oldest creation time
          // continues beyond it.
          limit: Math.min(size + 1, SEARCH_MAX),
          opt_fields: `${LIST_FIELDS},created_at,projects.name`,
        },
        signal: context.signal,
      });
      const more = data.length > size || data.length >= SEARCH_MAX;
      const page = more ? pageOf(data, size) : { tasks: data, before: undefined };
      return {
        // A task of an allowed project can be in outside ones too: those stay unnamed.
        tasks: page.tasks.map((t) => ({ ...compactTask(t), ...shownProjects(context.policy, t.projects) })),
        next_cursor: page.before ? encodeCursor(page.before, scope) : null,
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

/**
 * The page to answer from a creation-ordered answer (newest first) that has more beyond it, and
 * the created_at.before bound of the next page. Tasks created in the same millisecond as the
 * page's oldest may continue past it: those are left to the next page, whose bound then includes
 * that millisecond, so that each task is answered once. Only when a whole page shares one
 * creation time does the bound exclude it (Asana keeps no finer order to page within it).
 */
function pageOf(data: FoundTask[], size: number): { tasks: FoundTask[]; before: string | undefined } {
  const tasks = data.slice(0, size);
  const oldest = Date.parse(tasks.at(-1)?.created_at ?? "");
  if (Number.isNaN(oldest)) return { tasks, before: undefined };
  const next = data[size];
  const nextCreated = next ? Date.parse(next.created_at ?? "") : Number.NaN;
  // The task after the page is older than the page's oldest: no creation time straddles the cut.
  if (next && nextCreated < oldest) return { tasks, before: new Date(oldest).toISOString() };
  const newer = tasks.filter((t) => Date.parse(t.created_at ?? "") > oldest);
  if (newer.length === 0) return { tasks, before: new Date(oldest).toISOString() };
  return { tasks: newer, before: new Date(oldest + 1).toISOString() };
}

// list_tasks: a project's, section's, assignee's or parent's tasks, paged; works on every plan.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { defineTool } from "./define.js";
import { cursor, gid, limit } from "./schemas.js";
import {
  type AsanaTask,
  compactTask,
  compactTaskOut,
  LIST_FIELDS,
  resolveMe,
  userIn,
  workspaceOf,
} from "./task-common.js";
import { taskListed } from "./task-view.js";

interface Placed {
  projects?: Array<{ gid: string }> | null;
}

/**
 * "Completed since" a far-future instant leaves only incomplete tasks. The spec types the parameter
 * as a date-time (Asana also takes "now"); a fixed value keeps every page of a listing the same
 * listing, which Asana's offsets require.
 */
const INCOMPLETE_ONLY = "2100-01-01T00:00:00.000Z";

/** How many pages of a subtask or tag listing incomplete_only reads while they hold only completed tasks. */
const FILTERED_READS = 5;

export const listTasks = defineTool({
  name: "list_tasks",
  title: "List tasks",
  toolset: "tasks",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      project_gid: gid("project").optional(),
      section_gid: gid().optional(),
      tag_gid: gid("tag").optional(),
      assignee: userIn().optional(),
      workspace_gid: gid().optional(),
      parent_gid: gid("task").optional().describe("lists subtasks"),
      incomplete_only: z.boolean().default(false),
      limit: limit(50),
      cursor: cursor(),
    })
    .strict()
    .refine(
      (a) => [a.project_gid, a.section_gid, a.tag_gid, a.assignee, a.parent_gid].filter(Boolean).length === 1,
      {
        message:
          "give exactly one of project_gid, section_gid, tag_gid, assignee (with workspace_gid) or parent_gid",
        path: ["project_gid"],
      },
    )
    .refine((a) => !a.workspace_gid || a.assignee, {
      message: "goes with assignee only: a project, section, tag or parent is in its own workspace",
      path: ["workspace_gid"],
    }),
  output: z.object({
    tasks: z.array(compactTaskOut),
    outside_subtasks: z.string().optional(),
    next_cursor: z.string().nullable(),
  }),
  scope: (a) => ({
    ...(a.workspace_gid ? { workspace: a.workspace_gid } : {}),
    ...(a.project_gid ? { project: a.project_gid } : {}),
    ...(a.section_gid ? { section: a.section_gid } : {}),
    ...(a.tag_gid ? { tag: a.tag_gid } : {}),
    ...(a.parent_gid ? { task: a.parent_gid } : {}),
  }),
  describe: ({ attribution, me }) =>
    `Tasks of a project, section, tag, assignee or parent (subtasks), paged; every plan. Reads as ${attribution("read")}; "me" = ${me()}.`,
  handler: async (a, context) => {
    const workspace = a.assignee ? await workspaceOf(context, a.workspace_gid) : undefined;
    const assignee = await resolveMe(context, a.assignee);
    // Subtask and tag listings are paths of their own, and take no completed_since.
    const own = a.parent_gid
      ? apiPath`/tasks/${a.parent_gid}/subtasks`
      : a.tag_gid
        ? apiPath`/tags/${a.tag_gid}/tasks`
        : undefined;
    const filter = own
      ? { path: own, query: {} }
      : {
          path: "/tasks",
          query: {
            project: a.project_gid,
            section: a.section_gid,
            assignee,
            workspace,
            completed_since: a.incomplete_only ? INCOMPLETE_ONLY : undefined,
          },
        };
    const scope = JSON.stringify([filter, a.incomplete_only]);
    const offset = a.cursor ? decodeCursor(a.cursor, scope) : undefined;
    // A subtask of an allowed task can sit in outside projects: its projects are asked for too, under
    // ASANA_PROJECTS (a project's or section's tasks are in it by definition).
    const placed = a.parent_gid !== undefined && context.policy.projects !== undefined;
    const page = (at: string | undefined) =>
      context.asana.request<Array<AsanaTask & Placed>>(context.identity, {
        method: "GET",
        path: filter.path,
        query: {
          ...filter.query,
          limit: a.limit,
          offset: at,
          opt_fields: placed ? `${LIST_FIELDS},projects` : LIST_FIELDS,
        },
        signal: context.signal,
      });
    let { data, nextPage } = await page(offset);
    // Subtask and tag listings take no completed_since; filtered here instead. A page of only
    // completed tasks is read past (up to FILTERED_READS pages), so an empty answer is not taken
    // for "none left" while its next_cursor holds open ones.
    const filtered = own !== undefined && a.incomplete_only;
    const open = (tasks: typeof data) => (filtered ? tasks.filter((t) => !t.completed) : tasks);
    let wanted = open(data);
    for (let reads = 1; filtered && !wanted.length && nextPage?.offset && reads < FILTERED_READS; reads++) {
      ({ data, nextPage } = await page(nextPage.offset));
      wanted = open(data);
    }
    // A subtask in no project lives only under its (allowed) parent and is shown; one in projects
    // none of which is allowed belongs to them, and is only counted.
    const tasks = placed
      ? wanted.filter((t) => !t.projects?.length || taskListed(context.policy, t.projects))
      : wanted;
    const outside = wanted.length - tasks.length;
    return {
      tasks: tasks.map(compactTask),
      ...(outside
        ? {
            outside_subtasks: `and ${outside} subtask${outside === 1 ? "" : "s"} in projects outside this server's allow-list`,
          }
        : {}),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
    };
  },
});

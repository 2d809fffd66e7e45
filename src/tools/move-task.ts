// move_task: section and project membership and the parent are set, not toggled, so repeating a
// move after an uncertain failure cannot double anything.
import { z } from "zod";
import { type AsanaCall, apiPath } from "../asana/http.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { actingAsOf } from "./task-common.js";

const TARGETS = ["section_gid", "project_gid", "parent_gid"] as const;
type Target = (typeof TARGETS)[number];

/** What each action takes, the required one first; any other target is refused, never dropped. */
const TAKES = {
  to_section: ["section_gid"],
  add_to_project: ["project_gid", "section_gid"],
  remove_from_project: ["project_gid"],
  set_parent: ["parent_gid"],
} as const satisfies Record<string, readonly Target[]>;

export const moveTask = defineTool({
  name: "move_task",
  title: "Move a task",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      task_gid: gid("task"),
      action: z.enum(["to_section", "add_to_project", "remove_from_project", "set_parent"]),
      section_gid: gid().optional(),
      project_gid: gid("project").optional(),
      parent_gid: gid("task").nullable().optional().describe("null: no parent"),
    })
    .strict()
    // Checked with the arguments, before the policy's lookups: nothing is sent for a call refused here.
    .superRefine((a, ctx) => {
      const takes: readonly string[] = TAKES[a.action];
      const [needed] = takes;
      if (needed && a[needed as Target] === undefined) {
        ctx.addIssue({ code: "custom", path: [needed], message: `action ${a.action} needs ${needed}` });
      }
      for (const key of TARGETS) {
        if (a[key] !== undefined && !takes.includes(key)) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `does not apply to action ${a.action}, which takes ${takes.join(" and ")} only`,
          });
        }
      }
    }),
  output: z.object({ task_gid: z.string(), done: z.string(), acting_as: actingAs }),
  // The destination too: a section, a project, a new parent; and re-parenting or detaching
  // changes the current parent as well.
  scope: (a) => ({
    task: a.task_gid,
    ...(a.project_gid ? { project: a.project_gid } : {}),
    ...(a.section_gid ? { section: a.section_gid } : {}),
    ...(a.parent_gid ? { linkedTasks: [a.parent_gid] } : {}),
    ...(a.action === "set_parent" ? { currentParent: true } : {}),
  }),
  describe: ({ attribution }) =>
    `Move a task between sections or projects, or set its parent. Moved by ${attribution("write")}.`,
  handler: async (a, context) => {
    let call: AsanaCall;
    if (a.action === "to_section") {
      call = {
        method: "POST",
        path: apiPath`/sections/${a.section_gid ?? ""}/addTask`,
        body: { task: a.task_gid },
      };
    } else if (a.action === "add_to_project") {
      call = {
        method: "POST",
        path: apiPath`/tasks/${a.task_gid}/addProject`,
        body: { project: a.project_gid, ...(a.section_gid ? { section: a.section_gid } : {}) },
      };
    } else if (a.action === "remove_from_project") {
      call = {
        method: "POST",
        path: apiPath`/tasks/${a.task_gid}/removeProject`,
        body: { project: a.project_gid },
      };
    } else {
      call = {
        method: "POST",
        path: apiPath`/tasks/${a.task_gid}/setParent`,
        body: { parent: a.parent_gid },
      };
    }
    await idempotentWrite(context, { ...call, signal: context.signal });
    const done = {
      to_section: `moved to section ${a.section_gid}`,
      add_to_project: `added to project ${a.project_gid}${a.section_gid ? `, section ${a.section_gid}` : ""}`,
      remove_from_project: `removed from project ${a.project_gid}`,
      set_parent: a.parent_gid ? `now a subtask of ${a.parent_gid}` : "no longer a subtask",
    }[a.action];
    return { task_gid: a.task_gid, done, acting_as: await actingAsOf(context) };
  },
});

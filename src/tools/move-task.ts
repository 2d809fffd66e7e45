// move_task: section and project membership and the parent are set, not toggled, so repeating a
// move after an uncertain failure cannot double anything.
import { z } from "zod";
import { type AsanaCall, apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { actingAsOf } from "./task-common.js";

export const moveTask = defineTool({
  name: "move_task",
  title: "Move a task",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      task_gid: gid(),
      action: z.enum(["to_section", "add_to_project", "remove_from_project", "set_parent"]),
      section_gid: gid().optional(),
      project_gid: gid().optional(),
      parent_gid: gid().nullable().optional().describe("null: no parent"),
    })
    .strict(),
  output: z.object({ task_gid: z.string(), done: z.string(), acting_as: actingAs }),
  // Every action's own argument, checked before the policy reads anything.
  validate: (a) => {
    const needs = {
      to_section: ["section_gid", a.section_gid],
      add_to_project: ["project_gid", a.project_gid],
      remove_from_project: ["project_gid", a.project_gid],
      set_parent: ["parent_gid", a.parent_gid],
    } as const;
    const [what, value] = needs[a.action];
    if (value === undefined) throw new AppError("invalid_input", `action ${a.action} needs ${what}.`);
  },
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
    return { task_gid: a.task_gid, done, acting_as: actingAsOf(context) };
  },
});

// update_task: a PUT of absolute values, so repeating it after an uncertain failure cannot double
// anything.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { type FieldDef, resolveCustomFields, taskFieldDefs } from "./custom-fields.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { actingAsOf, resolveMe } from "./task-common.js";
import {
  bodyOf,
  changedOf,
  changedOut,
  fieldProblem,
  fieldRules,
  fields,
  needsCurrentDue,
  resultFields,
  richTextError,
  type WrittenTask,
  writtenTask,
  writtenTaskOut,
} from "./task-fields.js";
import { richTextScope } from "./task-view.js";

export const updateTask = defineTool({
  name: "update_task",
  title: "Update a task",
  toolset: "tasks",
  kind: "write",
  actsAs: "write",
  input: z
    .object({ task_gid: gid("task"), ...fields, completed: z.boolean().optional() })
    .strict()
    // Nothing to change is refused with the arguments, before any request: the agent must not be
    // told "updated" for an empty PUT. Keys zod drops (`"__proto__"` in custom_fields) count as absent.
    .refine(
      (a) =>
        Object.entries(a).some(
          ([key, value]) =>
            key !== "task_gid" &&
            value !== undefined &&
            !(key === "custom_fields" && Object.keys(value as object).length === 0),
        ),
      "nothing to change: give at least one field to set (custom_fields needs at least one entry).",
    )
    .superRefine(fieldRules("unread")),
  output: z.object({ task: writtenTaskOut, changed: changedOut, acting_as: actingAs }),
  scope: (a) => ({
    task: a.task_gid,
    ...(a.assignee ? { users: [a.assignee] } : {}),
    ...richTextScope(a.html_notes),
  }),
  describe: ({ attribution, me }) =>
    `Change or complete a task; custom fields by name. Changed by ${attribution("write")}; "me" = ${me()}.`,
  handler: async (args, context) => {
    // One read of the task, only when custom field names or a start date without a due date need it.
    const dueNeeded = needsCurrentDue(args);
    // An empty custom_fields changes nothing: no read of the task's fields, nothing in the PUT.
    const customFields =
      args.custom_fields && Object.keys(args.custom_fields).length > 0 ? args.custom_fields : undefined;
    let current: {
      projects?: Array<{ gid: string }>;
      custom_fields?: FieldDef[];
      due_on?: string | null;
      due_at?: string | null;
    } = {};
    // The fields' definitions come with the task where the allow-lists let them: fresh, no second read.
    const defs = customFields ? taskFieldDefs(context) : undefined;
    if (customFields || dueNeeded) {
      const wanted = [
        ...(customFields ? ["projects"] : []),
        ...(defs ? [defs] : []),
        ...(dueNeeded ? ["due_on", "due_at"] : []),
      ];
      ({ data: current } = await context.asana.request<typeof current>(context.identity, {
        method: "GET",
        path: apiPath`/tasks/${args.task_gid}`,
        query: { opt_fields: wanted.join(",") },
        signal: context.signal,
      }));
      const problem = dueNeeded && fieldProblem(args, current);
      if (problem) throw new AppError("invalid_input", problem);
    }
    const a = { ...args, custom_fields: customFields, assignee: await resolveMe(context, args.assignee) };
    const custom =
      customFields &&
      (await resolveCustomFields(
        context,
        (current.projects ?? []).map((p) => p.gid),
        customFields,
        defs ? (current.custom_fields ?? []) : undefined,
      ));
    const body = { ...bodyOf(a, custom), ...(a.completed !== undefined ? { completed: a.completed } : {}) };
    let task: WrittenTask;
    try {
      ({ data: task } = await idempotentWrite<WrittenTask>(context, {
        method: "PUT",
        path: apiPath`/tasks/${a.task_gid}`,
        query: { opt_fields: resultFields(a, custom !== undefined) },
        body,
        signal: context.signal,
      }));
    } catch (error) {
      throw richTextError(error, a.html_notes !== undefined);
    }
    const fieldGids = Object.keys(custom ?? {});
    return {
      task: writtenTask(task),
      changed: changedOf(task, a, fieldGids),
      acting_as: await actingAsOf(context),
    };
  },
});

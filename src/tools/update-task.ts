// update_task: a PUT of absolute values, so repeating it after an uncertain failure cannot double
// anything.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { resolveCustomFields } from "./custom-fields.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { type AsanaTask, actingAsOf, compactTask, compactTaskOut } from "./task-common.js";
import { bodyOf, checkFields, fields, RESULT_FIELDS, richTextError } from "./task-fields.js";

export const updateTask = defineTool({
  name: "update_task",
  title: "Update a task",
  kind: "write",
  actsAs: "write",
  input: z.object({ task_gid: gid(), ...fields, completed: z.boolean().optional() }).strict(),
  output: z.object({ task: compactTaskOut.extend({ url: z.string().optional() }), acting_as: actingAs }),
  // Before the policy reads anything (the same body the handler builds, custom fields unresolved).
  validate: (a) => {
    checkFields(a);
    const body = {
      ...bodyOf(a, a.custom_fields),
      ...(a.completed !== undefined ? { completed: a.completed } : {}),
    };
    if (Object.keys(body).length === 0)
      throw new AppError("invalid_input", "nothing to change: give at least one field.");
  },
  scope: (a) => ({ task: a.task_gid }),
  describe: ({ attribution }) =>
    `Change or complete a task; custom fields by name. Changed by ${attribution("write")}.`,
  handler: async (a, context) => {
    let custom: Record<string, unknown> | undefined;
    if (a.custom_fields) {
      const { data } = await context.asana.request<{ projects?: Array<{ gid: string }> }>(context.identity, {
        method: "GET",
        path: apiPath`/tasks/${a.task_gid}`,
        query: { opt_fields: "projects" },
        signal: context.signal,
      });
      custom = await resolveCustomFields(
        context,
        (data.projects ?? []).map((p) => p.gid),
        a.custom_fields,
      );
    }
    const body = { ...bodyOf(a, custom), ...(a.completed !== undefined ? { completed: a.completed } : {}) };
    let task: AsanaTask & { permalink_url?: string };
    try {
      ({ data: task } = await idempotentWrite<AsanaTask>(context, {
        method: "PUT",
        path: apiPath`/tasks/${a.task_gid}`,
        query: { opt_fields: RESULT_FIELDS },
        body,
        signal: context.signal,
      }));
    } catch (error) {
      throw richTextError(error, a.html_notes !== undefined);
    }
    return { task: { ...compactTask(task), url: task.permalink_url }, acting_as: actingAsOf(context) };
  },
});

// update_task: a PUT of absolute values, so repeating it after an uncertain failure cannot double
// anything.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { type FieldDef, resolveCustomFields, taskFieldDefs } from "./custom-fields.js";
import { defineTool, type ToolContext } from "./define.js";
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

/** What update_task does not change, and the tool that does (agents reach for these keys). */
const CHANGED_ELSEWHERE: Record<string, string> = {
  section_gid: "move_task moves a task to a section",
  project_gid: "move_task adds a task to or removes it from a project",
  parent_gid: "move_task sets a task's parent",
  tag_gids: "task_links adds and removes a task's tags",
  followers: "task_links adds and removes a task's followers",
};

/** update_task's arguments: batch_tasks takes the same, item by item. */
export const updateTaskInput = z
  .object(
    { task_gid: gid("task"), ...fields, completed: z.boolean().optional() },
    {
      error: (issue) => {
        if (issue.code !== "unrecognized_keys") return undefined;
        return issue.keys
          .map((key) => {
            const elsewhere = CHANGED_ELSEWHERE[key];
            return `unknown argument ${JSON.stringify(key)}${elsewhere ? `: update_task does not change it; ${elsewhere}` : ""}`;
          })
          .join("; ");
      },
    },
  )
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
    {
      message: "nothing to change: give at least one field to set (custom_fields needs at least one entry).",
      // An unknown argument is the problem to name, not a second "nothing to change".
      when: (payload) => payload.issues.length === 0,
    },
  )
  .superRefine(fieldRules("unread"));

export type UpdateTaskArgs = z.output<typeof updateTaskInput>;

export const updateTask = defineTool({
  name: "update_task",
  title: "Update a task",
  toolset: "tasks",
  kind: "write",
  actsAs: "write",
  input: updateTaskInput,
  output: z.object({ task: writtenTaskOut, changed: changedOut, acting_as: actingAs }),
  scope: (a) => ({
    task: a.task_gid,
    ...(a.assignee ? { users: [a.assignee] } : {}),
    ...richTextScope(a.html_notes),
  }),
  describe: ({ attribution, me }) =>
    `Change or complete a task; custom fields by name. Changed by ${attribution("write")}; "me" = ${me()}.`,
  handler: async (args, context) => {
    const prepared = await prepareUpdate(args, context);
    const { data: task } = await updatePrepared(prepared, context);
    return {
      task: writtenTask(task),
      changed: changedOf(task, prepared.args, prepared.fieldGids),
      acting_as: await actingAsOf(context),
    };
  },
});

/**
 * An update made ready to send: its PUT, resolved ("me", custom fields by name, the due date a
 * start date needs) before anything is written. batch_tasks sends the same PUT inside a batch.
 */
export interface PreparedUpdate {
  /** The arguments as sent ("me" resolved, an empty custom_fields dropped). */
  args: UpdateTaskArgs;
  /** The PUT, without its signal. */
  call: { method: "PUT"; path: string; query: { opt_fields: string }; body: Record<string, unknown> };
  fieldGids: string[];
  html: boolean;
}

export async function prepareUpdate(args: UpdateTaskArgs, context: ToolContext): Promise<PreparedUpdate> {
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
  return {
    args: a,
    call: {
      method: "PUT",
      path: apiPath`/tasks/${a.task_gid}`,
      query: { opt_fields: resultFields(a, custom !== undefined) },
      body,
    },
    fieldGids: Object.keys(custom ?? {}),
    html: a.html_notes !== undefined,
  };
}

/**
 * Sends a prepared update: a PUT of absolute values, repeated once (directly) after an uncertain
 * failure. `first`: the first attempt when it is not this PUT itself (its action in a batch).
 */
export async function updatePrepared(
  prepared: PreparedUpdate,
  context: ToolContext,
  first?: () => Promise<WrittenTask>,
): Promise<{ data: WrittenTask; repeated: boolean }> {
  try {
    return await idempotentWrite<WrittenTask>(context, { ...prepared.call, signal: context.signal }, first);
  } catch (error) {
    throw richTextError(error, prepared.html);
  }
}

// The task fields create_task and update_task both take: their schema, the checks zod cannot make,
// the request body, the fields asked back, and Asana's 400 on bad rich text.
import { z } from "zod";
import { AppError } from "../errors.js";
import { customFieldsIn, SHOWN_FIELD_OPTS, type ShownField, shownValue } from "./custom-fields.js";
import { NOTES_TAGS, richTextProblem } from "./rich-text.js";
import { userRef } from "./schemas.js";
import {
  type AsanaTask,
  compactTask,
  compactTaskOut,
  dateOnly,
  isCalendarDate,
  userIn,
} from "./task-common.js";

/** What a task write asks Asana to answer with. */
export const RESULT_FIELDS = "name,completed,assignee.name,due_on,due_at,permalink_url";
const MAX_NOTES = 65_536;

export const fields = {
  name: z.string().trim().min(1).max(1024).optional(),
  notes: z.string().max(MAX_NOTES).optional(),
  html_notes: z
    .string()
    .max(MAX_NOTES)
    .regex(/^<body>[\s\S]*<\/body>$/, "must be wrapped in <body>…</body>")
    .superRefine((html, ctx) => {
      const problem = richTextProblem(html, NOTES_TAGS);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  assignee: userIn().nullable().optional().describe('gid, email or "me"; null unassigns'),
  due_on: dateOnly().nullable().optional(),
  due_at: z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
      "must be an ISO date-time with a zone",
    )
    .refine(
      (t) => isCalendarDate(t.slice(0, 10)) && !Number.isNaN(Date.parse(t)),
      "is not a real date and time",
    )
    .nullable()
    .optional(),
  start_on: dateOnly().nullable().optional(),
  custom_fields: customFieldsIn,
};

export type TaskFields = {
  [K in keyof typeof fields]?: z.output<(typeof fields)[K]>;
};

export function bodyOf(a: TaskFields, custom: Record<string, unknown> | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of ["name", "notes", "html_notes", "assignee", "due_on", "due_at", "start_on"] as const) {
    if (a[key] !== undefined) body[key] = a[key];
  }
  if (custom) body.custom_fields = custom;
  return body;
}

/** A write's result: the task, with the assignee and parent by gid and name. */
export const writtenTaskOut = compactTaskOut.extend({
  assignee: userRef.optional(),
  url: z.string().optional(),
  parent: z.object({ gid: z.string(), name: z.string() }).optional(),
  custom_fields: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
});

/** A task as a write asks Asana to answer it (see resultFields). */
export type WrittenTask = AsanaTask & {
  permalink_url?: string;
  notes?: string;
  html_notes?: string;
  start_on?: string | null;
  parent?: { gid: string; name?: string } | null;
  custom_fields?: ShownField[];
};

/**
 * What a task write asks Asana to answer with: the compact task, and what the call sets beyond it
 * (so the result can echo it from the write's own answer, with no second request).
 */
export function resultFields(a: TaskFields & { parent_gid?: string }, custom: boolean): string {
  return [
    RESULT_FIELDS,
    ...(a.notes !== undefined ? ["notes"] : []),
    ...(a.html_notes !== undefined ? ["html_notes"] : []),
    ...(a.start_on !== undefined ? ["start_on"] : []),
    ...(a.parent_gid ? ["parent.name"] : []),
    ...(custom ? [SHOWN_FIELD_OPTS] : []),
  ].join(",");
}

/**
 * A write's result. `fieldGids`: the custom fields the call set, shown by name with their value as
 * Asana answered it (null when cleared); a subtask names its parent.
 */
export function writtenTask(t: WrittenTask, fieldGids: string[] = []): z.input<typeof writtenTaskOut> {
  const { assignee: _name, ...task } = compactTask(t);
  const custom = customFieldsSet(t, fieldGids);
  return {
    ...task,
    ...(t.assignee ? { assignee: { gid: t.assignee.gid, name: t.assignee.name ?? null } } : {}),
    ...(t.parent ? { parent: { gid: t.parent.gid, name: t.parent.name ?? "" } } : {}),
    ...(custom ? { custom_fields: custom } : {}),
    url: t.permalink_url,
  };
}

function customFieldsSet(
  t: WrittenTask,
  fieldGids: string[],
): Record<string, string | number | null> | undefined {
  const set = (t.custom_fields ?? []).filter((f) => f.gid !== undefined && fieldGids.includes(f.gid));
  return set.length ? Object.fromEntries(set.map((f) => [f.name, shownValue(f)])) : undefined;
}

/** What update_task changed, each field with its new value as Asana answered the PUT. */
export const changedOut = z.object({
  name: z.string().optional(),
  notes_length: z.number().optional().describe("characters of the new notes (or html_notes)"),
  assignee: userRef.nullable().optional(),
  due_on: z.string().nullable().optional(),
  due_at: z.string().nullable().optional(),
  start_on: z.string().nullable().optional(),
  completed: z.boolean().optional(),
  custom_fields: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
});

export function changedOf(
  t: WrittenTask,
  a: TaskFields & { completed?: boolean },
  fieldGids: string[],
): z.input<typeof changedOut> {
  const notes = a.html_notes !== undefined ? t.html_notes : a.notes !== undefined ? t.notes : undefined;
  const custom = customFieldsSet(t, fieldGids);
  return {
    ...(a.name !== undefined ? { name: t.name } : {}),
    // The notes themselves are what the agent just sent: their length says they were stored.
    ...(notes !== undefined ? { notes_length: notes.length } : {}),
    ...(a.assignee !== undefined
      ? { assignee: t.assignee ? { gid: t.assignee.gid, name: t.assignee.name ?? null } : null }
      : {}),
    ...(a.due_on !== undefined ? { due_on: t.due_on ?? null } : {}),
    ...(a.due_at !== undefined ? { due_at: t.due_at ?? null } : {}),
    ...(a.start_on !== undefined ? { start_on: t.start_on ?? null } : {}),
    ...(a.completed !== undefined ? { completed: t.completed ?? a.completed } : {}),
    ...(custom ? { custom_fields: custom } : {}),
  };
}

interface Due {
  due_on?: string | null;
  due_at?: string | null;
}

/** Whether fieldProblem needs the task's current due date: a start date is set and no due date given. */
export const needsCurrentDue = (a: TaskFields): boolean =>
  Boolean(a.start_on) && a.due_on === undefined && a.due_at === undefined;

/**
 * What a field-by-field schema cannot check: one form of rich text and of due date, and Asana's rule
 * that a start date needs a due date not before it. `current` is the task's due date for an update:
 * "unread" skips the start rule until the task is read (see needsCurrentDue); a new task has none.
 */
export function fieldProblem(a: TaskFields, current: Due | "new" | "unread"): string | undefined {
  if (a.notes !== undefined && a.html_notes !== undefined) return "give notes or html_notes, not both.";
  if (a.due_on && a.due_at) return "give due_on or due_at, not both.";
  if (!a.start_on) return undefined;
  const given = a.due_on !== undefined || a.due_at !== undefined;
  if (!given && current === "unread") return undefined;
  const due = given
    ? (a.due_on ?? a.due_at)
    : typeof current === "object"
      ? (current.due_on ?? current.due_at)
      : null;
  if (!due) {
    return `start_on needs a due date: ${given || current === "new" ? "give due_on or due_at with it" : "the task has none; give due_on or due_at too"} (Asana refuses a start date without one).`;
  }
  // A due_at's day depends on the zone it is read in: refuse only a start after it in any reading.
  const days = due.length > 10 ? [due.slice(0, 10), new Date(due).toISOString().slice(0, 10)] : [due];
  const latest = days.sort().at(-1) ?? due;
  if (a.start_on > latest) return `start_on ${a.start_on} is after the due date ${due.slice(0, 10)}.`;
  return undefined;
}

/**
 * fieldProblem as a refinement of a tool's input, so a call refused by it is refused with the other
 * bad input: before the policy's lookups and the handler's requests.
 */
export const fieldRules =
  (current: "new" | "unread") =>
  (a: TaskFields, ctx: z.RefinementCtx): void => {
    const problem = fieldProblem(a, current);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  };

export function richTextError(error: unknown, html: boolean): unknown {
  if (html && error instanceof AppError && error.code === "asana_bad_request") {
    return new AppError("invalid_rich_text", error.message, {
      requestId: error.requestId,
      status: error.status,
    });
  }
  return error;
}

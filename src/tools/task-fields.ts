// The task fields create_task and update_task both take: their schema, the checks zod cannot make,
// the request body, the fields asked back, and Asana's 400 on bad rich text.
import { z } from "zod";
import { AppError } from "../errors.js";
import { customFieldsIn } from "./custom-fields.js";
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

/** A write's result: the task, with the assignee by gid and name. */
export const writtenTaskOut = compactTaskOut.extend({
  assignee: userRef.optional(),
  url: z.string().optional(),
});

export function writtenTask(t: AsanaTask & { permalink_url?: string }): z.input<typeof writtenTaskOut> {
  const { assignee: _name, ...task } = compactTask(t);
  return {
    ...task,
    ...(t.assignee ? { assignee: { gid: t.assignee.gid, name: t.assignee.name ?? null } } : {}),
    url: t.permalink_url,
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

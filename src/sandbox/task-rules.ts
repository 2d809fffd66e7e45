/**
 * The rules Asana states in prose for a task's dates and subtype, which no schema keyword expresses.
 * An agent developed against the sandbox must meet them here rather than first in production, so the
 * sandbox refuses what they forbid. Each rule quotes the spec text it comes from (the property
 * descriptions are vendored in test/contract/asana-field-rules.json); test/contract/sandbox-rules.test.ts
 * checks every quote against that text and that the sandbox refuses a request breaking the rule.
 *
 * Pure: no I/O, no imports from the server, so any route module can use it.
 */

export type DateField = "due_on" | "due_at" | "start_on" | "start_at";

export interface TaskRule {
  id: string;
  /** The field the error names, as Asana's messages do ("due_on: …"). */
  field: DateField | "resource_subtype";
  /** "Schema.property" whose description states the rule. */
  property: string;
  /** Verbatim from that description; null when the spec does not state the rule (then `why` says why we enforce it). */
  quote: string | null;
  why?: string;
  /** What the 400 says after "field: ". */
  message: string;
}

export const TASK_RULES = {
  dueOnDate: {
    id: "due_on-is-a-date",
    field: "due_on",
    property: "TaskBase.due_on",
    quote: "This takes a date with `YYYY-MM-DD` format",
    message: "Not a valid date; use a real calendar date as YYYY-MM-DD",
  },
  startOnDate: {
    id: "start_on-is-a-date",
    field: "start_on",
    property: "TaskBase.start_on",
    quote: "This takes a date with `YYYY-MM-DD` format",
    message: "Not a valid date; use a real calendar date as YYYY-MM-DD",
  },
  dueAtDateTime: {
    id: "due_at-is-a-date-time",
    field: "due_at",
    property: "TaskBase.due_at",
    quote: "This takes an ISO 8601 date string in UTC",
    message: "Not a valid date-time; use ISO 8601, e.g. 2025-07-15T17:00:00.000Z",
  },
  startAtDateTime: {
    id: "start_at-is-a-date-time",
    field: "start_at",
    property: "TaskBase.start_at",
    quote: "This takes an ISO 8601 date string in UTC",
    message: "Not a valid date-time; use ISO 8601, e.g. 2025-07-15T09:00:00.000Z",
  },
  dueExclusive: {
    id: "due_on-xor-due_at",
    field: "due_on",
    property: "TaskBase.due_on",
    quote: "should not be used together with `due_at`",
    message: "You may only provide one of due_on or due_at",
  },
  startExclusive: {
    id: "start_on-xor-start_at",
    field: "start_on",
    property: "TaskBase.start_on",
    quote: "should not be used together with `start_at`",
    message: "You may only provide one of start_on or start_at",
  },
  startOnNeedsDue: {
    id: "start_on-needs-a-due-date",
    field: "start_on",
    property: "TaskBase.start_on",
    // The spec asks for the due date in the same request; the sandbox also accepts one already on the
    // task, which is laxer, so it never refuses what Asana accepts.
    quote:
      "`due_on` or `due_at` must be present in the request when setting or unsetting the `start_on` parameter",
    message: "A start date needs a due date: send due_on or due_at with it",
  },
  startAtNeedsDueAt: {
    id: "start_at-needs-due_at",
    field: "start_at",
    property: "TaskBase.start_at",
    quote: "`due_at` must be present in the request when setting or unsetting the `start_at` parameter",
    message: "A start time needs a due time: send due_at with it",
  },
  milestoneHasNoStart: {
    id: "milestone-has-no-start",
    field: "resource_subtype",
    property: "TaskBase.resource_subtype",
    quote: "tasks with this subtype cannot have a start_date",
    message: "A milestone cannot have a start date",
  },
  startNotAfterDue: {
    id: "start-not-after-due",
    field: "start_on",
    property: "TaskBase.start_on",
    quote: null,
    why: "A task's dates are a span: work begins on start_on and the task is due on due_on. The spec's task descriptions do not say it in words; Asana's apps and API refuse a start after the due date.",
    message: "The start date must not be after the due date",
  },
} as const satisfies Record<string, TaskRule>;

export const RESOURCE_SUBTYPES = ["default_task", "milestone", "approval", "custom"] as const;

/** A task's dates and subtype as the sandbox holds them. */
export interface TaskDates {
  dueOn: string | null;
  dueAt: string | null;
  startOn: string | null;
  startAt: string | null;
  resourceSubtype: string;
}

export type Violation = { rule: TaskRule; value: unknown };

export function violationMessage(v: Violation): string {
  return `${v.rule.field}: ${v.rule.message}${v.value === undefined ? "" : `: ${String(v.value)}`}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A real calendar date written YYYY-MM-DD (2026-13-45 and 2025-02-30 are not). */
export function isCalendarDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** An ISO 8601 date-time with a zone (Z or ±hh:mm) and a real date and time of day. */
export function isIsoDateTime(value: string): boolean {
  const m = DATE_TIME_RE.exec(value);
  if (m === null || !isCalendarDate(m[1] ?? "")) return false;
  const [h, min, s] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  return h < 24 && min < 60 && s < 60 && !Number.isNaN(Date.parse(value));
}

const DATE_FIELDS: readonly DateField[] = ["due_on", "due_at", "start_on", "start_at"];

/**
 * The dates and subtype a task has after a create/update body `b` is applied to `current`, or the first
 * rule the body breaks. Only bodies that touch a date or the subtype are checked for consistency, so
 * renaming a task with odd seeded dates still works.
 */
export function nextTaskDates(current: TaskDates, b: Record<string, unknown>): TaskDates | Violation {
  const R = TASK_RULES;
  const formats: Record<DateField, { rule: TaskRule; ok: (v: string) => boolean }> = {
    due_on: { rule: R.dueOnDate, ok: isCalendarDate },
    start_on: { rule: R.startOnDate, ok: isCalendarDate },
    due_at: { rule: R.dueAtDateTime, ok: isIsoDateTime },
    start_at: { rule: R.startAtDateTime, ok: isIsoDateTime },
  };
  for (const field of DATE_FIELDS) {
    const v = b[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string" || !formats[field].ok(v)) return { rule: formats[field].rule, value: v };
  }
  const given = (f: DateField) => b[f] !== undefined && b[f] !== null;
  if (given("due_on") && given("due_at")) return { rule: R.dueExclusive, value: undefined };
  if (given("start_on") && given("start_at")) return { rule: R.startExclusive, value: undefined };

  const next: TaskDates = { ...current };
  if (b.resource_subtype !== undefined) {
    if (
      typeof b.resource_subtype !== "string" ||
      !(RESOURCE_SUBTYPES as readonly string[]).includes(b.resource_subtype)
    ) {
      return { rule: SUBTYPE_ENUM, value: b.resource_subtype };
    }
    next.resourceSubtype = b.resource_subtype;
  }
  // due_on replaces a due time; due_at also sets the due date (its UTC day), as Asana does. A null of
  // one next to a value of the other keeps the value.
  if (b.due_on !== undefined) {
    next.dueOn = b.due_on as string | null;
    next.dueAt = null;
  }
  if (b.due_at !== undefined && (b.due_at !== null || !given("due_on"))) {
    next.dueAt = b.due_at === null ? null : new Date(String(b.due_at)).toISOString();
    if (next.dueAt !== null) next.dueOn = next.dueAt.slice(0, 10);
  }
  if (b.start_on !== undefined) {
    next.startOn = b.start_on as string | null;
    next.startAt = null;
  }
  if (b.start_at !== undefined && (b.start_at !== null || !given("start_on"))) {
    next.startAt = b.start_at === null ? null : new Date(String(b.start_at)).toISOString();
    if (next.startAt !== null) next.startOn = next.startAt.slice(0, 10);
  }

  const touched = b.resource_subtype !== undefined || DATE_FIELDS.some((f) => b[f] !== undefined);
  if (!touched) return next;
  const hasStart = next.startOn !== null || next.startAt !== null;
  if (hasStart && next.resourceSubtype === "milestone")
    return { rule: R.milestoneHasNoStart, value: undefined };
  if (next.startAt !== null && next.dueAt === null) return { rule: R.startAtNeedsDueAt, value: undefined };
  if (hasStart && next.dueOn === null) return { rule: R.startOnNeedsDue, value: undefined };
  if (
    next.startAt !== null && next.dueAt !== null
      ? next.startAt > next.dueAt
      : (next.startOn ?? "") > (next.dueOn ?? "")
  ) {
    return { rule: R.startNotAfterDue, value: undefined };
  }
  return next;
}

/** Not a prose rule: the schema's enum. Kept out of TASK_RULES, which lists only the prose rules. */
const SUBTYPE_ENUM: TaskRule = {
  id: "resource_subtype-enum",
  field: "resource_subtype",
  property: "TaskBase.resource_subtype",
  quote: null,
  message: "Not a valid enum value",
};

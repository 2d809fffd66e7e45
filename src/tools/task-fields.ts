// The task fields create_task and update_task both take: their schema, the checks zod cannot make,
// the request body, the fields asked back, and Asana's 400 on bad rich text.
import { z } from "zod";
import { AppError } from "../errors.js";
import { customFieldsIn } from "./custom-fields.js";
import { dateOnly, userIn } from "./task-common.js";

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
    .optional(),
  assignee: userIn().nullable().optional().describe('gid, email or "me"; null unassigns'),
  due_on: dateOnly().nullable().optional(),
  due_at: z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
      "must be an ISO date-time with a zone",
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

export function checkFields(a: TaskFields): void {
  if (a.notes !== undefined && a.html_notes !== undefined) {
    throw new AppError("invalid_input", "give notes or html_notes, not both.");
  }
  if (a.due_on && a.due_at) throw new AppError("invalid_input", "give due_on or due_at, not both.");
}

export function richTextError(error: unknown, html: boolean): unknown {
  if (html && error instanceof AppError && error.code === "asana_bad_request") {
    return new AppError("invalid_rich_text", error.message, {
      requestId: error.requestId,
      status: error.status,
    });
  }
  return error;
}

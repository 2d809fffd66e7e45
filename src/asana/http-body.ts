// What a request carries and what an answer says besides its status: the request body encoded
// (Asana's JSON envelope, or multipart/form-data for uploads), the answer's JSON read, and the
// headers every answer may carry (Retry-After, Asana-Change).
import type { FormData } from "undici";
import { log } from "../log.js";
import { loadUndici } from "./undici.js";

/**
 * A multipart/form-data body (POST /attachments): text fields, then at most one file. The file is
 * a Blob (fs.openAsBlob for a local file), streamed from its source at each attempt, never held
 * whole in memory.
 */
export interface MultipartForm {
  fields: ReadonlyArray<readonly [name: string, value: string]>;
  file?: { field: string; blob: Blob; filename: string };
}

export interface EncodedBody {
  /** Absent for a form: undici writes its content-type with the boundary. */
  contentType?: string;
  body?: string | FormData;
}

/**
 * The body of one attempt. A form is built anew each time (a repeated write re-reads the file
 * from its start); it must be undici's own FormData, which its dispatcher knows how to stream.
 */
export async function encodeBody(call: {
  body?: Record<string, unknown>;
  form?: MultipartForm;
}): Promise<EncodedBody> {
  if (call.form) {
    const undici = await loadUndici();
    const form = new undici.FormData();
    for (const [name, value] of call.form.fields) form.append(name, value);
    const file = call.form.file;
    if (file) form.append(file.field, file.blob, file.filename);
    return { body: form };
  }
  if (call.body !== undefined) {
    return { contentType: "application/json", body: JSON.stringify({ data: call.body }) };
  }
  return {};
}

export function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Retry-After in seconds or as an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(raw: string | undefined): number {
  if (!raw) return 1_000;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : 1_000;
}

/** Asana announces a handful of changes at a time; a server sending endless new ones is capped. */
export const MAX_SEEN_CHANGES = 64;
const MAX_CHANGE_LENGTH = 500;
const seenChanges = new Set<string>();
/** Asana announces API changes in Asana-Change headers; say each once (per 64 distinct), on stderr. */
export function logAsanaChange(headers: Record<string, string | string[] | undefined>): void {
  const raw = headers["asana-change"];
  for (const whole of Array.isArray(raw) ? raw : raw ? [raw] : []) {
    const value = whole.slice(0, MAX_CHANGE_LENGTH);
    if (seenChanges.has(value)) continue;
    // Oldest first out: a long-lived server keeps a bounded memory of what it already said.
    if (seenChanges.size >= MAX_SEEN_CHANGES) seenChanges.delete(seenChanges.values().next().value!);
    seenChanges.add(value);
    log.warn(`Asana announces an API change: ${value}`);
  }
}

/** How many distinct Asana-Change values are remembered (for tests). */
export function seenChangeCount(): number {
  return seenChanges.size;
}

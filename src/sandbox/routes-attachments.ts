/**
 * Attachments on tasks and projects: uploads (POST /attachments, multipart/form-data: a file, or an
 * external link Asana stores without fetching it) and the reads of them.
 */
import { ApiError, type AttachmentRec, type Reply } from "./model.js";
import {
  ASANA_MAX_ATTACHMENT_BYTES,
  ATTACHMENT_TOO_LARGE,
  type FormPart,
  isFilePart,
  type RecordedForm,
} from "./multipart.js";
import { type HandlerContext, list, one, param, projectOf, taskOf } from "./routing.js";
import { requireGid } from "./store.js";

/** The fields AttachmentRequest declares. */
const FIELDS = ["parent", "resource_subtype", "file", "url", "name", "connect_to_app"];

/** The task or project a `parent` names: unknown 404, outside the viewer's workspaces 403. */
function parentOf(ctx: HandlerContext, gid: string): { type: "task" | "project"; gid: string } {
  requireGid("parent", gid);
  if (ctx.store.tasks.has(gid)) return { type: "task", gid: taskOf(ctx, gid).gid };
  if (ctx.store.projects.has(gid)) return { type: "project", gid: projectOf(ctx, gid).gid };
  throw new ApiError(404, `parent: Unknown object: ${gid}`);
}

/** Whether an attachment's parent still exists and the viewer may see it (throws 404/403 otherwise). */
function checkParent(ctx: HandlerContext, a: AttachmentRec): void {
  if (a.parentType === "project") projectOf(ctx, a.task);
  else taskOf(ctx, a.task);
}

export function getAttachments(ctx: HandlerContext): Reply {
  const raw = ctx.query.get("parent");
  if (raw === null) throw new ApiError(400, "parent: Missing input");
  const parent = parentOf(ctx, raw);
  const gids = [...ctx.store.world.attachments.values()]
    .filter((a) => a.task === parent.gid && (a.parentType ?? "task") === parent.type)
    .map((a) => a.gid);
  return list(ctx, "attachment", gids);
}

export function getAttachment(ctx: HandlerContext): Reply {
  const gid = requireGid("attachment", param(ctx, "attachment_gid"));
  const a = ctx.store.world.attachments.get(gid);
  const parents = a?.parentType === "project" ? ctx.store.projects : ctx.store.tasks;
  if (a === undefined || !parents.has(a.task)) throw new ApiError(404, `attachment: Unknown object: ${gid}`);
  checkParent(ctx, a);
  return one(ctx, "attachment", gid);
}

/**
 * POST /attachments. Asana names no error for most of these cases; each refusal below is the
 * spec's own rule ("parent" required; "file" "Required for `asana` attachments"; for `external`,
 * "a `parent`, `name`, and `url` must also be provided") or Asana's usual answer (unknown fields 400,
 * an unknown parent 404, one the viewer cannot see 403). Over 100 MB: 413.
 */
export function createAttachment(ctx: HandlerContext): Reply {
  const form = ctx.form;
  if (form === undefined) throw new ApiError(400, "Expected a multipart/form-data request body");
  const fields = partsByName(form);
  const text = (name: string): string | undefined => {
    const part = fields.get(name);
    if (part === undefined) return undefined;
    if (isFilePart(part)) throw new ApiError(400, `${name}: Must be a string, not a file`);
    return part.value;
  };
  const parentGid = text("parent");
  if (parentGid === undefined || parentGid === "") throw new ApiError(400, "parent: Missing input");
  const parent = parentOf(ctx, parentGid);
  const subtype = text("resource_subtype") ?? "asana";
  if (subtype !== "asana" && subtype !== "external") {
    throw new ApiError(400, `resource_subtype: Invalid value: ${subtype}`);
  }
  const connect = text("connect_to_app");
  if (connect !== undefined) {
    if (connect !== "true" && connect !== "false") throw new ApiError(400, "connect_to_app: Not a boolean");
    if (ctx.token.kind !== "oauth") {
      throw new ApiError(400, "connect_to_app: Can only be set with an OAuth token");
    }
  }

  const gid = ctx.store.newGid();
  const base = { gid, task: parent.gid, parentType: parent.type, createdAt: ctx.store.nowIso() };
  let rec: AttachmentRec;
  if (subtype === "external") {
    if (fields.has("file")) throw new ApiError(400, "file: An external attachment is a link, not a file");
    const url = text("url");
    if (url === undefined || url === "") throw new ApiError(400, "url: Missing input");
    if (!isWebUrl(url)) throw new ApiError(400, `url: Not a valid URL: ${url}`);
    const name = text("name");
    if (name === undefined || name.trim() === "") throw new ApiError(400, "name: Missing input");
    rec = { ...base, name, size: 0, subtype: "external", url };
  } else {
    const file = fields.get("file");
    if (file === undefined) throw new ApiError(400, "file: Missing input");
    if (!isFilePart(file)) throw new ApiError(400, "file: Must be a file");
    if (text("url") !== undefined) throw new ApiError(400, "url: Only for external attachments");
    if (file.size > ASANA_MAX_ATTACHMENT_BYTES) throw new ApiError(413, ATTACHMENT_TOO_LARGE);
    // "For file names that contain non-ASCII characters, the file name should be URL-encoded."
    const name = decodeFilename(file.filename);
    if (name.trim() === "") throw new ApiError(400, "file: Missing file name");
    rec = { ...base, name, size: file.size, subtype: "asana" };
  }
  ctx.store.world.attachments.set(gid, rec);
  ctx.store.markCreated(gid);
  return one(ctx, "attachment", gid);
}

function partsByName(form: RecordedForm): Map<string, FormPart> {
  const fields = new Map<string, FormPart>();
  for (const part of form.multipart) {
    if (!FIELDS.includes(part.name)) throw new ApiError(400, `${part.name}: Unknown property`);
    if (fields.has(part.name)) throw new ApiError(400, `${part.name}: Given more than once`);
    fields.set(part.name, part);
  }
  return fields;
}

function decodeFilename(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function isWebUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

// upload_attachment: a local file (stdio mode, inside the client's roots) or an https link,
// attached to a task or a project. Asana takes no inline image in a comment, so for a comment the
// file goes on the task and the answer carries a link the comment's html_text can hold.
import { basename } from "node:path";
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import type { MultipartForm } from "../asana/http-body.js";
import { readPages } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool, type ToolContext } from "./define.js";
import { openLocalFile } from "./local-file.js";
import { actingAs, gid, hasControlOrBidi } from "./schemas.js";
import { createOnce } from "./settle.js";
import { actingAsOf } from "./task-common.js";

/** "The 100MB size limit on attachments in Asana is enforced on this endpoint." */
export const MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;
const MAX_URL = 2048;
const MAX_NAME = 255;
/** Bounded read-back: a task or project rarely has more than a few hundred attachments. */
const MAX_PAGES = 20;
const FIELDS = "name,resource_subtype,size,host,created_at,permanent_url,view_url,download_url,parent.name";

interface Attachment {
  gid: string;
  name?: string;
  resource_subtype?: string;
  size?: number | null;
  host?: string;
  created_at?: string;
  permanent_url?: string | null;
  view_url?: string | null;
  download_url?: string | null;
  parent?: { gid: string; resource_type?: string; name?: string | null } | null;
}

/** Control characters (C0, DEL, C1): a path may hold bidirectional marks, a file's name may too. */
function hasControl(s: string): boolean {
  return /\p{Cc}/u.test(s);
}

/** Why Asana should not be given this link, or undefined: https only, no credentials in it. */
export function linkProblem(raw: string): string | undefined {
  // Checked first: the URL parser silently drops tabs and newlines.
  if (hasControlOrBidi(raw)) return "holds control or bidirectional characters";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not an absolute URL";
  }
  if (url.protocol !== "https:") return `must be an https:// link (not ${url.protocol})`;
  if (url.username || url.password) return "must not carry a user name or password";
  if (!url.hostname) return "has no host";
  return undefined;
}

export const uploadAttachment = defineTool({
  name: "upload_attachment",
  title: "Upload an attachment",
  toolset: "attachments",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      task_gid: gid("task").optional().describe("Task to attach to."),
      project_gid: gid("project").optional().describe("Or a project."),
      path: z
        .string()
        .min(1)
        .max(4096)
        .optional()
        .describe("Absolute path of a file inside the client's roots."),
      url: z.string().max(MAX_URL).optional().describe("Or an https link (Asana stores the link)."),
      name: z
        .string()
        .trim()
        .min(1, "must not be empty")
        .max(MAX_NAME, `must be at most ${MAX_NAME} characters`)
        .refine((s) => !hasControlOrBidi(s), "must not hold control or bidirectional characters")
        .optional()
        .describe("Name shown; default the file's name or the link."),
    })
    .strict(),
  output: z.object({
    attachment: z.object({
      gid: z.string(),
      name: z.string().nullable(),
      resource_subtype: z.string().nullable(),
      size: z.number().nullable(),
      host: z.string().nullable(),
      created_at: z.string().nullable(),
      permanent_url: z.string().nullable(),
      view_url: z.string().nullable(),
      parent: z.object({ gid: z.string(), resource_type: z.string(), name: z.string().nullable() }),
    }),
    link_html: z.string().optional(),
    acting_as: actingAs,
    verified_after_uncertain_failure: z.boolean().optional(),
  }),
  validate: (a) => {
    if ((a.task_gid === undefined) === (a.project_gid === undefined)) {
      throw new AppError("invalid_input", "task_gid: give exactly one of task_gid or project_gid.");
    }
    if ((a.path === undefined) === (a.url === undefined)) {
      throw new AppError("invalid_input", "path: give exactly one of path (a local file) or url (a link).");
    }
    if (a.url !== undefined) {
      const problem = linkProblem(a.url);
      if (problem) throw new AppError("invalid_input", `url: ${problem}.`);
    }
    if (a.path !== undefined && hasControl(a.path)) {
      throw new AppError("invalid_input", "path: must not hold control characters.");
    }
    // The file's own name is the attachment's when none is given: held to what a given name is.
    if (a.path !== undefined && a.name === undefined && hasControlOrBidi(basename(a.path))) {
      throw new AppError(
        "invalid_input",
        "path: the file's name holds control or bidirectional characters, which would make it read otherwise in Asana.",
        { hint: "Give the name Asana should show in name." },
      );
    }
  },
  scope: (a) => (a.task_gid !== undefined ? { task: a.task_gid } : { project: a.project_gid }),
  describe: ({ attribution }) =>
    `Attach a local file (path; stdio mode only; at most 100 MB) or an https link (url) to a task or project, as ${attribution("write")}: Asana shows that name in the activity. Comments take no inline image: attach it to the task and put link_html in create_comment html_text. Never uploads twice.`,
  handler: async (args, context) => {
    const { asana, identity, signal } = context;
    const parent = (args.task_gid ?? args.project_gid) as string;
    const kind = args.task_gid !== undefined ? "task" : "project";

    const upload =
      args.path !== undefined
        ? await fileUpload(args.path, args.name, parent, context)
        : linkUpload(args.url as string, args.name, parent);
    // The local file is let go once the upload has settled, whatever its outcome.
    const { created, verified } = await createOnce<Attachment>({
      context,
      what: "the attachment",
      where: `the ${kind}'s attachments`,
      readBack:
        kind === "task"
          ? `get_task on task ${parent} (its attachments)`
          : `list_attachments on project ${parent}`,
      key: JSON.stringify(["attachment", parent, ...upload.key]),
      send: async () =>
        (
          await asana.request<Attachment>(identity, {
            method: "POST",
            path: apiPath`/attachments`,
            query: { opt_fields: FIELDS },
            form: upload.form,
            signal,
          })
        ).data,
      maxItems: MAX_PAGES * 100,
      list: () =>
        readPages<Attachment>(
          asana,
          identity,
          { path: apiPath`/attachments`, query: { parent, opt_fields: FIELDS }, signal },
          MAX_PAGES,
        ),
      // Asana records no author on an attachment: it is told apart by what was sent and when.
      authorOf: null,
      createdAtOf: (a) => a.created_at,
      matches: upload.matches,
    }).finally(() => upload.close?.());

    const name = created.name ?? upload.name;
    const permanent = created.permanent_url ?? null;
    return {
      attachment: {
        gid: created.gid,
        name,
        resource_subtype: created.resource_subtype ?? null,
        size: typeof created.size === "number" ? created.size : null,
        host: created.host ?? null,
        created_at: created.created_at ?? null,
        permanent_url: permanent,
        view_url: created.view_url ?? null,
        parent: {
          gid: created.parent?.gid ?? parent,
          resource_type: created.parent?.resource_type ?? kind,
          name: created.parent?.name ?? null,
        },
      },
      // Valid in a comment's html_text: <a href> is a tag every rich-text field takes.
      ...(permanent ? { link_html: `<a href="${escapeXml(permanent)}">${escapeXml(name)}</a>` } : {}),
      acting_as: await actingAsOf(context),
      ...(verified ? { verified_after_uncertain_failure: true } : {}),
    };
  },
});

/** What one upload sends, how its read-back is recognised, and (a local file) how it is let go. */
interface Upload {
  form: MultipartForm;
  name: string;
  key: unknown[];
  matches: (a: Attachment) => boolean | "unknown";
  close?: () => Promise<void>;
}

async function fileUpload(
  path: string,
  given: string | undefined,
  parent: string,
  context: ToolContext,
): Promise<Upload> {
  const file = await openLocalFile(path, context, MAX_ATTACHMENT_BYTES);
  const name = given ?? file.name;
  // "For file names that contain non-ASCII characters, the file name should be URL-encoded."
  // Asana shows the decoded name; either form is recognised when reading back.
  let filename: string;
  try {
    filename = /[^\x20-\x7e]|[%"]/.test(name) ? encodeURIComponent(name) : name;
  } catch (error) {
    // An unpaired surrogate (validate refuses them) would throw here, with the file open.
    await file.close();
    throw error;
  }
  return {
    form: { fields: [["parent", parent]], file: { field: "file", blob: file.blob, filename } },
    name,
    key: ["file", name, file.size],
    matches: (a) => {
      if (a.resource_subtype !== undefined && a.resource_subtype !== "asana") return false;
      const sameName = a.name === name || a.name === filename;
      if (typeof a.size !== "number") return sameName ? "unknown" : false;
      if (a.size !== file.size) return false;
      // Same size, other name: Asana may have rewritten the name, so never "not created" for it.
      return sameName ? true : "unknown";
    },
    close: file.close,
  };
}

function linkUpload(url: string, given: string | undefined, parent: string): Upload {
  const name = given ?? url;
  return {
    form: {
      fields: [
        ["parent", parent],
        ["resource_subtype", "external"],
        ["url", url],
        ["name", name],
      ],
    },
    name,
    key: ["link", name, url],
    matches: (a) => {
      if (a.resource_subtype !== undefined && a.resource_subtype !== "external") return false;
      if (a.name !== name) return false;
      const link = a.view_url ?? a.download_url;
      // A link Asana wrote another way (normalised) cannot be told apart: uncertain, never "not created".
      return link && sameLink(link, url) ? true : "unknown";
    },
  };
}

function sameLink(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

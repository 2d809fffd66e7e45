// Argument and result pieces shared by the tools.
import { z } from "zod";

const DIGITS = /^[0-9]{1,32}$/;

/**
 * Control characters (C0, DEL, C1), the line and paragraph separators and the bidirectional
 * controls, which make a name or a link read otherwise than it is (an override can show "fdp.exe"
 * as "exe.pdf"), and unpaired surrogates, which are no character at all (Asana would store U+FFFD,
 * and URL-encoding one throws).
 */
const CONTROL_OR_BIDI = /[\p{Cc}\p{Cs}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

export function hasControlOrBidi(text: string): boolean {
  return CONTROL_OR_BIDI.test(text);
}

/** What a gid argument names: a task or a project (which Asana links point at), a tag, or else. */
export type GidKind = "task" | "project" | "tag" | "other";

/** The objects an Asana link points at. */
export interface AsanaLink {
  task?: string;
  project?: string;
  workspace?: string;
}

/** Views and the task pane's "full screen" flag, which may end a link without changing what it names. */
const LINK_TAILS = new Set(["list", "board", "overview", "timeline", "calendar", "f"]);

/**
 * The task or project an Asana link points at: `/0/<project>/<task>[/f]`, `/0/0/<task>`,
 * `/0/<project>/<view>`, `/1/<workspace>/project/<project>[/task/<task>]`, `/1/<workspace>/task/<task>`;
 * query string, fragment and trailing slash ignored. Undefined for anything else.
 */
export function parseAsanaLink(text: string): AsanaLink | undefined {
  const match = /^(?:https?:\/\/)?app\.asana\.com(\/[^?#\s]*)?(?:[?#]\S*)?$/i.exec(text.trim());
  if (!match) return undefined;
  const parts = (match[1] ?? "").split("/").filter(Boolean);
  while (parts.length > 2 && LINK_TAILS.has(parts.at(-1) ?? "")) parts.pop();
  const id = (s: string | undefined): s is string => s !== undefined && DIGITS.test(s) && !/^0+$/.test(s);
  if (parts[0] === "0") {
    const [, project, task, ...rest] = parts;
    if (rest.length > 0) return undefined;
    if (task === undefined) return id(project) ? { project } : undefined;
    if (!id(task) || !(project === "0" || id(project))) return undefined;
    // Older project links repeat the project's gid where a task's would be.
    if (task === project) return { project };
    return project === "0" ? { task } : { task, project };
  }
  if (parts[0] === "1" && id(parts[1])) {
    const link: AsanaLink = { workspace: parts[1] };
    let i = 2;
    for (const key of ["project", "task"] as const) {
      const value = parts[i + 1];
      if (parts[i] === key && id(value)) {
        link[key] = value;
        i += 2;
      }
    }
    return i === parts.length && (link.project || link.task) ? link : undefined;
  }
  return undefined;
}

const NOT_A_GID = "must be an Asana gid: a string of 1 to 32 digits (0-9)";

/** A gid argument as a digit string, or why it is not one. */
export function gidOf(value: unknown, kind: GidKind): { gid: string } | { error: string } {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) return { error: NOT_A_GID };
    // 2^53 and beyond were rounded by the client's JSON parser: the digits may name another object.
    if (!Number.isSafeInteger(value))
      return { error: "is a number too large to be exact: pass gids as strings" };
    return { gid: String(value) };
  }
  if (typeof value !== "string") return { error: NOT_A_GID };
  if (DIGITS.test(value)) return { gid: value };
  const linked = kind === "task" || kind === "project" ? kind : undefined;
  const link = parseAsanaLink(value);
  if (!link) {
    if (/asana\.com/i.test(value)) {
      return { error: "is not an Asana task or project link; give the gid (a string of digits)" };
    }
    const base = linked ? `${NOT_A_GID}, or the ${linked}'s Asana link` : NOT_A_GID;
    // Tasks, projects and tags are named in Asana's UI, and people ask for them by name: find
    // turns a name into its gid in one call.
    const searchable = linked ?? (kind === "tag" ? kind : undefined);
    if (searchable && value !== "me" && /\p{L}/u.test(value)) {
      return { error: `${base}, not a ${searchable}'s name: find its gid with find (type: "${searchable}")` };
    }
    return { error: base };
  }
  // A link is of what it opens: a task link names its project too, but is no project link.
  const is = link.task ? "task" : "project";
  const wanted = is === linked && link[is];
  if (wanted) return { gid: wanted };
  return {
    error: `is a ${is} link; give ${linked ? `a ${linked}'s gid or link` : "the gid (a string of digits)"}`,
  };
}

/**
 * An Asana gid: a digit string (anything else never reaches a URL), a safe-integer JSON number, or,
 * for tasks and projects, the Asana link people paste. Advertised as a plain string: the server
 * checks and explains, and every pattern on the wire is paid for in every conversation.
 */
export const gid = (kind: GidKind = "other") =>
  z
    .custom<string | number>((v) => typeof v === "string" || typeof v === "number", NOT_A_GID)
    .transform((value, ctx) => {
      const parsed = gidOf(value, kind);
      if ("gid" in parsed) return parsed.gid;
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    })
    .meta({ type: "string" });

export const limit = (fallback: number) =>
  z.number().int().min(1, "must be at least 1").max(100, "must be at most 100").default(fallback);

export const cursor = () =>
  z
    .string()
    .max(2048, "is too long to be a cursor")
    .regex(/^[A-Za-z0-9_-]+$/, "must be a next_cursor value returned by this tool")
    .optional();

export const actingAs = z.object({
  gid: z.string().nullable(),
  name: z.string(),
  kind: z.enum(["pat", "bot", "service_account", "oauth"]),
});

export const userRef = z.object({ gid: z.string(), name: z.string().nullable() });

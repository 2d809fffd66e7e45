// Pieces the project tools share: the spec's enums, the date rules of a project, and the compact
// project a write answers with.
import { z } from "zod";
import { AppError } from "../errors.js";
import { TAG_COLORS } from "./tag-fields.js";
import { dateOnly } from "./task-common.js";

/** ProjectBase.color (null clears it too): the colors of a tag (TagBase.color) and "none". */
export const PROJECT_COLORS = [...TAG_COLORS, "none"] as const;

/** Checked against the enum, advertised in a few words (the enum would cost 300 characters a tool). */
export const projectColor = () =>
  z
    .string()
    .refine((v) => (PROJECT_COLORS as readonly string[]).includes(v), {
      message: `must be one of ${PROJECT_COLORS.join(", ")}`,
    })
    .describe("dark-|light- + pink|green|blue|red|teal|brown|orange|purple|warm-gray, or none");
/** privacy_setting's current values (private_to_team is deprecated; public is deprecated for it). */
export const privacy = () => z.enum(["public_to_workspace", "private"]);
export const projectDate = () => dateOnly();

/**
 * ProjectBase.start_on: "`due_on` or `due_at` must be present in the request when setting or
 * unsetting the `start_on` parameter. Additionally, `start_on` and `due_on` cannot be the same date."
 * And a start after the due date is no span. Checked before any request.
 */
export function checkProjectDates(a: { start_on?: string | null; due_on?: string | null }): void {
  if (a.start_on !== undefined && a.due_on === undefined) {
    throw new AppError(
      "invalid_input",
      "start_on: Asana needs due_on in the same call when a project's start date is set or cleared; give due_on too.",
    );
  }
  if (a.start_on && a.due_on && a.start_on >= a.due_on) {
    throw new AppError(
      "invalid_input",
      a.start_on === a.due_on
        ? "start_on: a project's start_on and due_on cannot be the same date."
        : "start_on: a project's start date must be before its due date.",
    );
  }
}

/** What a project write asks Asana for and answers with. */
export const PROJECT_FIELDS =
  "name,created_at,permalink_url,team.name,workspace.name,owner,notes,color,default_view,privacy_setting,start_on,due_on,archived,created_from_template.name";

export interface AsanaProject {
  gid: string;
  name: string;
  created_at?: string;
  permalink_url?: string;
  team?: { gid: string; name?: string } | null;
  workspace?: { gid: string; name?: string } | null;
  owner?: { gid: string; name?: string } | null;
  notes?: string;
  color?: string | null;
  default_view?: string;
  privacy_setting?: string;
  start_on?: string | null;
  due_on?: string | null;
  archived?: boolean;
  created_from_template?: { gid: string; name?: string } | null;
}

export const projectOut = z.object({
  gid: z.string(),
  name: z.string(),
  url: z.string().optional(),
  workspace: z.string().optional(),
  team: z.string().optional(),
  owner: z.string().optional(),
  color: z.string().optional(),
  default_view: z.string().optional(),
  privacy: z.string().optional(),
  start_on: z.string().optional(),
  due_on: z.string().optional(),
  archived: z.literal(true).optional(),
});

/** A project as a write answers it: gid, name, and only what is set. */
export function projectOf(p: AsanaProject): z.input<typeof projectOut> {
  const name = (ref: { gid: string; name?: string } | null | undefined) =>
    ref ? (ref.name ?? ref.gid) : undefined;
  const out: z.input<typeof projectOut> = { gid: p.gid, name: p.name };
  const set = <K extends keyof typeof out>(key: K, value: (typeof out)[K] | null | undefined) => {
    if (value !== undefined && value !== null && value !== "") out[key] = value;
  };
  set("url", p.permalink_url);
  set("workspace", name(p.workspace));
  set("team", name(p.team));
  set("owner", name(p.owner));
  set("color", p.color === "none" ? undefined : p.color);
  set("default_view", p.default_view);
  set("privacy", p.privacy_setting);
  set("start_on", p.start_on);
  set("due_on", p.due_on);
  if (p.archived) out.archived = true;
  return out;
}

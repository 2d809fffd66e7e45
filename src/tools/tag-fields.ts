// What create_tag and update_tag share: the fields a tag is given, and how a tag is shown.
import { z } from "zod";
import { hasControlOrBidi } from "./schemas.js";

/** TagBase.color in Asana's spec. */
export const TAG_COLORS = [
  "dark-pink",
  "dark-green",
  "dark-blue",
  "dark-red",
  "dark-teal",
  "dark-brown",
  "dark-orange",
  "dark-purple",
  "dark-warm-gray",
  "light-pink",
  "light-green",
  "light-blue",
  "light-red",
  "light-teal",
  "light-brown",
  "light-orange",
  "light-purple",
  "light-warm-gray",
] as const;

/** Asana documents no limits; these keep an agent's runaway output out of a workspace-wide label. */
const MAX_NAME = 1_024;
const MAX_NOTES = 65_536;

export const tagName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(MAX_NAME, `must be at most ${MAX_NAME} characters`)
  .refine((name) => !hasControlOrBidi(name), "must not hold control or bidirectional characters");
export const tagColor = z.enum(TAG_COLORS);
export const tagNotes = z
  .string()
  .max(MAX_NOTES, `must be at most ${MAX_NOTES} characters`)
  .describe("Plain-text description of the tag.");

/** Asked for on every tag the tools write or read back. */
export const TAG_FIELDS = "name,color,notes,workspace,permalink_url";

export interface TagRecord {
  gid: string;
  name?: string;
  color?: string | null;
  notes?: string;
  workspace?: { gid: string } | null;
  permalink_url?: string;
  created_at?: string;
}

export const tagOut = z.object({
  gid: z.string(),
  name: z.string(),
  color: z.string().nullable(),
  notes: z.string(),
  workspace_gid: z.string().nullable(),
  url: z.string().optional(),
});

export function tagView(tag: TagRecord): z.input<typeof tagOut> {
  return {
    gid: tag.gid,
    name: tag.name ?? "",
    color: tag.color ?? null,
    notes: tag.notes ?? "",
    workspace_gid: tag.workspace?.gid ?? null,
    ...(tag.permalink_url ? { url: tag.permalink_url } : {}),
  };
}

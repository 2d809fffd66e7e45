// create_tag: a POST that could double, so an uncertain failure is settled by reading the
// workspace's tags back. Asana records no author for a tag and lets tags share names, so a tag is
// this call's only if it was not there just before the call (by gid, not by name), was made after
// the call was sent (Asana's clock) and carries every field the call set.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { readPages } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { createOnce, squash } from "./settle.js";
import { TAG_FIELDS, type TagRecord, tagColor, tagName, tagNotes, tagOut, tagView } from "./tag-fields.js";
import { actingAsOf } from "./task-common.js";

/** Bounded: a workspace's tags are read at most this many pages of 100 deep. */
const MAX_PAGES = 20;
const LISTED_FIELDS = "name,color,notes,created_at,permalink_url";

export const createTag = defineTool({
  name: "create_tag",
  title: "Create a tag",
  toolset: "tags",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      workspace_gid: gid().describe("The workspace the tag belongs to; it cannot be moved later."),
      name: tagName,
      color: tagColor.optional(),
      notes: tagNotes.optional(),
      allow_same_name: z
        .boolean()
        .optional()
        .describe("Make it even if the workspace has a tag of that name already (refused by default)."),
    })
    .strict(),
  output: z.object({
    tag: tagOut,
    acting_as: actingAs,
    verified_after_uncertain_failure: z.boolean().optional(),
  }),
  scope: (a) => ({ workspace: a.workspace_gid }),
  describe: ({ attribution }) =>
    `Create a workspace tag; refused if one has that name. Created by ${attribution("write")}; never twice.`,
  handler: async (a, context) => {
    const { asana, identity, signal } = context;
    const listTags = () =>
      readPages<TagRecord>(
        asana,
        identity,
        {
          path: apiPath`/workspaces/${a.workspace_gid}/tags`,
          query: { opt_fields: LISTED_FIELDS },
          signal,
        },
        MAX_PAGES,
      );
    // The tags there before the call: neither taken for this call's after an uncertain failure
    // (Asana names no author for a tag), nor silently joined by a second tag of the same name.
    const before = await listTags();
    if (!a.allow_same_name) {
      const same = before.items.filter((t) => lookalike(t.name) === lookalike(a.name));
      if (same.length > 0) {
        throw new AppError(
          "invalid_input",
          `Workspace ${a.workspace_gid} already has a tag named "${squash(a.name)}" (${same.map((t) => `${t.gid}${t.name === a.name ? "" : ` "${t.name}"`}`).join(", ")}).`,
          {
            hint: "Use that tag (task_links adds a tag to a task), or call again with allow_same_name: true to make a second tag of that name.",
          },
        );
      }
    }
    const existing = new Set(before.items.map((t) => t.gid));
    const body = {
      workspace: a.workspace_gid,
      name: a.name,
      ...(a.color !== undefined ? { color: a.color } : {}),
      ...(a.notes !== undefined ? { notes: a.notes } : {}),
    };
    const { created, verified } = await createOnce<TagRecord>({
      context,
      what: "the tag",
      where: "the workspace's tags",
      readBack: `list_workspace of tags in workspace ${a.workspace_gid}`,
      key: JSON.stringify(["tag", body]),
      send: async () =>
        (
          await asana.request<TagRecord>(identity, {
            method: "POST",
            path: "/tags",
            query: { opt_fields: TAG_FIELDS },
            body,
            signal,
          })
        ).data,
      maxItems: MAX_PAGES * 100,
      list: listTags,
      authorOf: null,
      createdAtOf: (t) => t.created_at,
      matches: (t) => !existing.has(t.gid) && sameTag(t, body),
    });
    // A read-back lists the tag in brief: its workspace is the call's, and its link is Asana's own.
    const tag = verified ? { ...created, workspace: { gid: a.workspace_gid } } : created;
    return {
      tag: tagView(tag),
      acting_as: await actingAsOf(context),
      ...(verified ? { verified_after_uncertain_failure: true } : {}),
    };
  },
});

/**
 * Every field the call set, as Asana stores it. A field the call left out is not compared: Asana
 * may give a new tag a color of its own.
 */
function sameTag(
  tag: TagRecord,
  body: { name: string; color?: string; notes?: string },
): boolean | "unknown" {
  if (tag.name === undefined) return "unknown";
  if (squash(tag.name) !== squash(body.name)) return false;
  if (body.color !== undefined) {
    if (tag.color === undefined) return "unknown";
    if (tag.color !== body.color) return false;
  }
  if (body.notes !== undefined) {
    if (tag.notes === undefined) return "unknown";
    if (squash(tag.notes) !== squash(body.notes)) return false;
  }
  return true;
}

/**
 * A name as a person reads it: compatibility forms folded (full-width letters, a composed and a
 * decomposed "ü"), invisible format characters (zero-width spaces) dropped, case and runs of
 * whitespace ignored. Two names alike this way look like one tag in Asana's pickers.
 */
function lookalike(name: string | undefined): string {
  return squash((name ?? "").normalize("NFKC").replace(/\p{Cf}/gu, "")).toLowerCase();
}

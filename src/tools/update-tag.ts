// update_tag: a PUT of absolute values, so repeating it after an uncertain failure cannot double
// anything. A tag spans its workspace: the allow-lists check it as such (CallScope.tag).
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { TAG_FIELDS, type TagRecord, tagColor, tagName, tagNotes, tagOut, tagView } from "./tag-fields.js";
import { actingAsOf } from "./task-common.js";

export const updateTag = defineTool({
  name: "update_tag",
  title: "Update a tag",
  toolset: "tags",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      tag_gid: gid("tag"),
      name: tagName.optional(),
      color: tagColor.nullable().optional().describe("null clears the color."),
      notes: tagNotes.optional(),
    })
    .strict()
    // The agent must not be told "updated" for an empty PUT.
    .refine(
      (a) => a.name !== undefined || a.color !== undefined || a.notes !== undefined,
      "nothing to change: give name, color or notes.",
    ),
  output: z.object({ tag: tagOut, acting_as: actingAs }),
  scope: (a) => ({ tag: a.tag_gid }),
  describe: ({ attribution }) =>
    `Rename, recolor or describe a tag; it changes on every task it is on. Changed by ${attribution("write")}.`,
  handler: async (a, context) => {
    const body = {
      ...(a.name !== undefined ? { name: a.name } : {}),
      ...(a.color !== undefined ? { color: a.color } : {}),
      ...(a.notes !== undefined ? { notes: a.notes } : {}),
    };
    const { data: tag } = await idempotentWrite<TagRecord>(context, {
      method: "PUT",
      path: apiPath`/tags/${a.tag_gid}`,
      query: { opt_fields: TAG_FIELDS },
      body,
      signal: context.signal,
    });
    return { tag: tagView(tag), acting_as: await actingAsOf(context) };
  },
});

// delete_comment: delete a comment of the acting identity's own (Asana: "A user can only delete
// stories they have created"). The comment is read first, which refuses someone else's comment or
// a system story before anything is sent, and makes a 404 after an uncertain DELETE proof that
// it is gone (repeating a delete cannot double it).
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { authorOf, readStory, requireComment, requireOwnComment, type StoryNow } from "./comment-common.js";
import { defineTool, type ToolContext } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { actingAsOf } from "./task-common.js";

/** How much of the comment the confirmation quotes. */
const PREVIEW_CHARS = 200;

/** The comment, read now and checked: a comment, and the acting identity's own. */
async function ownComment(context: ToolContext, storyGid: string): Promise<StoryNow> {
  const story = await readStory(context, storyGid);
  requireComment(story, "be deleted with this tool");
  await requireOwnComment(context, story, "delete");
  return story;
}

function quoted(text: string | undefined): string {
  const flat = (text ?? "").replace(/\s+/g, " ").trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS)}…` : flat;
}

export const deleteComment = defineTool({
  name: "delete_comment",
  title: "Delete a comment",
  toolset: "tasks",
  kind: "destructive",
  actsAs: "write",
  input: z.object({ story_gid: gid() }).strict(),
  output: z.object({ deleted: z.string(), acting_as: actingAs }),
  scope: (a) => ({ story: a.story_gid }),
  describe: ({ attribution }) =>
    `Delete a comment by ${attribution("write")}, as only its author may. Cannot be undone.`,
  confirm: {
    preview: async (a, context) => {
      const story = await ownComment(context, a.story_gid);
      const task = story.target;
      const on = task ? ` on the task "${task.name ?? ""}" (${task.gid})` : "";
      const text = quoted(story.text);
      return {
        summary: `Delete the comment ${story.gid} by ${authorOf(story)}${on}, written ${story.created_at ?? "at an unknown time"}: "${text}". This cannot be undone.`,
        changes: [
          {
            gid: story.gid,
            action: "delete",
            author: story.created_by
              ? { gid: story.created_by.gid, name: story.created_by.name ?? null }
              : null,
            created_at: story.created_at ?? null,
            task: task ? { gid: task.gid, name: task.name ?? null } : null,
            text,
          },
        ],
      };
    },
  },
  handler: async (a, context) => {
    const { asana, identity, signal } = context;
    await ownComment(context, a.story_gid);
    const call = { method: "DELETE", path: apiPath`/stories/${a.story_gid}`, signal } as const;
    try {
      await asana.request(identity, call);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "write_unknown") throw error;
      // The comment existed before this call: a 404 now means it is gone.
      try {
        await asana.request(identity, call);
      } catch (again) {
        if (!(again instanceof AppError) || again.code !== "not_found") throw again;
      }
    }
    return { deleted: a.story_gid, acting_as: await actingAsOf(context) };
  },
});

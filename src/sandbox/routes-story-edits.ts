/**
 * Editing and deleting stories, as Asana's spec states the rules: "Only comment stories can have
 * their text updated, and only comment stories and attachment stories can be pinned. Only one of
 * `text` and `html_text` can be specified" (updateStory); "A user can only delete stories they have
 * created" (deleteStory). Editing a comment's text is its author's alone too, as in Asana's app
 * (a story's `is_editable`); pinning is not limited by author, so anyone who sees the task may pin.
 */
import { ApiError, type Reply, type StoryRecord } from "./model.js";
import { commentContent, STICKER_NAMES, STORY_READ_ONLY, STORY_WRITABLE } from "./routes-stories.js";
import { type HandlerContext, one, param } from "./routing.js";
import { requireGid } from "./store.js";

const PINNABLE = new Set(["comment_added", "attachment_added"]);

/** The story named by the path: 404 when unknown (or its task is gone), 403 when its task is out of sight. */
function storyOf(ctx: HandlerContext): StoryRecord {
  const gid = requireGid("story", param(ctx, "story_gid"));
  const story = ctx.store.stories.get(gid);
  if (story === undefined || ctx.store.lagging(gid)) throw new ApiError(404, `story: Unknown object: ${gid}`);
  ctx.store.requireInWorkspace("task", ctx.store.tasks, story.target.gid, ctx.viewer);
  return story;
}

export function updateStory(ctx: HandlerContext): Reply {
  const story = storyOf(ctx);
  const data = ctx.body;
  for (const key of Object.keys(data)) {
    if (STORY_READ_ONLY.has(key)) throw new ApiError(400, `${key}: Cannot write this property`);
    if (!STORY_WRITABLE.has(key)) throw new ApiError(400, `${key}: Unknown property`);
  }
  const { text, html_text: htmlInput, is_pinned: isPinned, sticker_name: sticker } = data;
  if (text !== undefined && htmlInput !== undefined) {
    throw new ApiError(400, "You may not specify both text and html_text");
  }
  const editsText = text !== undefined || htmlInput !== undefined || sticker !== undefined;
  if (editsText && story.type !== "comment") {
    throw new ApiError(400, "Only comment stories can have their text updated");
  }
  if (editsText && story.created_by.gid !== ctx.viewer.gid) {
    throw new ApiError(403, "Forbidden: only the author of a comment can edit it");
  }
  if (isPinned !== undefined) {
    if (typeof isPinned !== "boolean") throw new ApiError(400, "is_pinned: Not a boolean");
    if (!PINNABLE.has(story.resource_subtype)) {
      throw new ApiError(400, "Only comment stories and attachment stories can be pinned");
    }
  }
  if (sticker !== undefined && sticker !== null && !STICKER_NAMES.includes(String(sticker))) {
    throw new ApiError(400, `sticker_name: Not a valid enum value: ${String(sticker)}`);
  }
  // Every check first: a refused request changes nothing.
  const content =
    text !== undefined || htmlInput !== undefined ? commentContent(ctx, text, htmlInput) : undefined;
  const stickerAfter = sticker === undefined ? story.sticker_name : (sticker as string | null);
  if (content && content.plain.trim() === "" && stickerAfter === null) {
    throw new ApiError(400, "text: Cannot be empty");
  }
  if (content) {
    story.text = content.plain;
    story.html_text = content.html;
    story.is_edited = true;
  }
  if (sticker !== undefined) story.sticker_name = stickerAfter;
  if (isPinned !== undefined) story.is_pinned = isPinned;
  return one(ctx, "story", story.gid);
}

export function deleteStory(ctx: HandlerContext): Reply {
  const story = storyOf(ctx);
  if (story.created_by.gid !== ctx.viewer.gid) {
    throw new ApiError(403, "Forbidden: a user can only delete stories they have created");
  }
  ctx.store.stories.delete(story.gid);
  const onTask = ctx.store.storiesByTask.get(story.target.gid) ?? [];
  ctx.store.storiesByTask.set(
    story.target.gid,
    onTask.filter((s) => s.gid !== story.gid),
  );
  return { status: 200, body: { data: {} } };
}

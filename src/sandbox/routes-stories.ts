/** Stories (comments) on tasks, with mention expansion, and attachments. */
import {
  getAttr,
  type HtmlElement,
  htmlToPlainText,
  parseCommentHtml,
  serializeHtml,
  setAttr,
  textToCommentHtml,
  walkElements,
} from "./html-text.js";
import { API_PREFIX, ApiError, type Reply, type StoryRecord } from "./model.js";
import { type HandlerContext, list, one, param, taskOf } from "./routing.js";
import { compactTask, compactUser, requireGid } from "./store.js";
import { permalink } from "./views.js";

export function getStoriesForTask(ctx: HandlerContext): Reply {
  const task = ctx.store.requireInWorkspace("task", ctx.store.tasks, param(ctx, "task_gid"), ctx.viewer);
  const gids = (ctx.store.storiesByTask.get(task.gid) ?? []).map((s) => s.gid);
  return list(ctx, "story", gids);
}

export function getStory(ctx: HandlerContext): Reply {
  const gid = param(ctx, "story_gid");
  const story = ctx.store.stories.get(requireGid("story", gid));
  if (story === undefined) throw new ApiError(404, `story: Unknown object: ${gid}`);
  ctx.store.requireInWorkspace("task", ctx.store.tasks, story.target.gid, ctx.viewer);
  return one(ctx, "story", story.gid);
}

export const STICKER_NAMES: readonly string[] = [
  "green_checkmark",
  "people_dancing",
  "dancing_unicorn",
  "heart",
  "party_popper",
  "people_waving_flags",
  "splashing_narwhal",
  "trophy",
  "yeti_riding_unicorn",
  "celebrating_people",
  "determined_climbers",
  "phoenix_spreading_love",
];

export const STORY_WRITABLE = new Set(["text", "html_text", "is_pinned", "sticker_name"]);

export const STORY_READ_ONLY = new Set([
  "gid",
  "resource_type",
  "created_at",
  "created_by",
  "resource_subtype",
  "type",
  "is_editable",
  "is_edited",
  "hearted",
  "hearts",
  "num_hearts",
  "liked",
  "likes",
  "num_likes",
  "reaction_summary",
  "previews",
  "source",
  "target",
]);

export function createStoryForTask(ctx: HandlerContext): Reply {
  const task = ctx.store.requireInWorkspace("task", ctx.store.tasks, param(ctx, "task_gid"), ctx.viewer);
  const data = ctx.body;
  for (const key of Object.keys(data)) {
    if (STORY_READ_ONLY.has(key)) throw new ApiError(400, `${key}: Cannot write this property`);
    if (!STORY_WRITABLE.has(key)) throw new ApiError(400, `${key}: Unknown property`);
  }
  const { text, html_text: htmlInput, is_pinned: isPinned, sticker_name: sticker } = data;
  if (text !== undefined && htmlInput !== undefined) {
    throw new ApiError(400, "You may not specify both text and html_text");
  }
  if (text === undefined && htmlInput === undefined) {
    throw new ApiError(400, "You must specify either text or html_text");
  }
  if (isPinned !== undefined && typeof isPinned !== "boolean") {
    throw new ApiError(400, "is_pinned: Not a boolean");
  }
  if (sticker !== undefined && sticker !== null && !STICKER_NAMES.includes(String(sticker))) {
    throw new ApiError(400, `sticker_name: Not a valid enum value: ${String(sticker)}`);
  }

  const { plain, html } = commentContent(ctx, text, htmlInput);
  if (plain.trim() === "" && (sticker === undefined || sticker === null)) {
    throw new ApiError(400, "text: Cannot be empty");
  }

  const story: StoryRecord = {
    gid: ctx.store.newGid(),
    resource_type: "story",
    created_at: ctx.store.nowIso(),
    created_by: compactUser(ctx.viewer),
    resource_subtype: "comment_added",
    type: "comment",
    text: plain,
    html_text: html,
    is_pinned: isPinned === true,
    sticker_name: typeof sticker === "string" ? sticker : null,
    source: "api",
    target: compactTask(task),
  };
  ctx.store.addStory(story);
  ctx.store.markCreated(story.gid);
  const reply = one(ctx, "story", story.gid, 201);
  reply.headers = { Location: `${ctx.origin}${API_PREFIX}/stories/${story.gid}` };
  return reply;
}

/** A comment's text as given (text or html_text, exactly one), as Asana stores it: both forms. */
export function commentContent(
  ctx: HandlerContext,
  text: unknown,
  htmlInput: unknown,
): { plain: string; html: string } {
  if (text !== undefined) {
    if (typeof text !== "string") throw new ApiError(400, "text: Not a string");
    return { plain: text, html: textToCommentHtml(text) };
  }
  if (typeof htmlInput !== "string") throw new ApiError(400, "html_text: Not a string");
  const parsed = parseCommentHtml(htmlInput);
  if (!parsed.ok) throw new ApiError(400, parsed.message);
  // Only expanded mentions change the markup; otherwise keep the author's exact string.
  const html = expandMentions(ctx, parsed.body) ? serializeHtml(parsed.body) : htmlInput;
  return { plain: htmlToPlainText(parsed.body), html };
}

/**
 * Asana turns `<a data-asana-gid="…"/>` into a full link (href, name as text) and rejects references the
 * author cannot see unless an href was supplied.
 */
export function expandMentions(ctx: HandlerContext, body: HtmlElement): boolean {
  let changed = false;
  for (const el of walkElements(body)) {
    if (el.tag !== "a") continue;
    const gid = getAttr(el, "data-asana-gid");
    if (gid === undefined) continue;
    const target = resolveMention(ctx, gid);
    if (target === null) {
      if (getAttr(el, "href") === undefined) throw new ApiError(400, `html_text: Unknown object: ${gid}`);
      continue;
    }
    changed = true;
    if (getAttr(el, "href") === undefined) setAttr(el, "href", target.url);
    setAttr(el, "data-asana-accessible", "true");
    if (getAttr(el, "data-asana-dynamic") === undefined) setAttr(el, "data-asana-dynamic", "true");
    setAttr(el, "data-asana-type", target.type);
    if (el.children.length === 0) el.children.push({ type: "text", text: target.label });
  }
  return changed;
}

export function resolveMention(
  ctx: HandlerContext,
  gid: string,
): { type: string; url: string; label: string } | null {
  const { store, viewer } = ctx;
  const user = store.users.get(gid);
  if (user?.workspaces.some((w) => viewer.workspaces.includes(w))) {
    return { type: "user", url: `https://app.asana.com/0/profile/${gid}`, label: `@${user.name}` };
  }
  const task = store.tasks.get(gid);
  if (task && viewer.workspaces.includes(task.workspace)) {
    return { type: "task", url: permalink(task.workspace, "task", gid), label: task.name };
  }
  const project = store.projects.get(gid);
  if (project && viewer.workspaces.includes(project.workspace)) {
    return { type: "project", url: permalink(project.workspace, "project", gid), label: project.name };
  }
  return null;
}

export function getAttachments(ctx: HandlerContext): Reply {
  const parent = ctx.query.get("parent");
  if (parent === null) throw new ApiError(400, "parent: Missing input");
  const task = taskOf(ctx, parent);
  const gids = [...ctx.store.world.attachments.values()].filter((a) => a.task === task.gid).map((a) => a.gid);
  return list(ctx, "attachment", gids);
}

export function getAttachment(ctx: HandlerContext): Reply {
  const gid = requireGid("attachment", param(ctx, "attachment_gid"));
  const a = ctx.store.world.attachments.get(gid);
  if (a === undefined || !ctx.store.tasks.has(a.task)) {
    throw new ApiError(404, `attachment: Unknown object: ${gid}`);
  }
  taskOf(ctx, a.task);
  return one(ctx, "attachment", gid);
}

/** Creating and updating tags (reads are in routes-users.ts). */
import { ApiError, type Reply, type TagRec } from "./model.js";
import { type HandlerContext, one, onlyKeys, param, stringList, userGid } from "./routing.js";

/** TagBase.color in Asana's spec; null clears a tag's color. */
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

function colorOf(raw: unknown): string | null {
  if (raw === null) return null;
  if (typeof raw !== "string" || !(TAG_COLORS as readonly string[]).includes(raw)) {
    throw new ApiError(400, `color: Not a valid enum value: ${String(raw)}`);
  }
  return raw;
}

function textOf(raw: unknown, field: string): string {
  if (typeof raw !== "string") throw new ApiError(400, `${field}: Not a string`);
  return raw;
}

/** POST /tags (workspace in the body, required) and POST /workspaces/{workspace_gid}/tags. */
function create(ctx: HandlerContext, workspaceGid: unknown): Reply {
  const b = ctx.body;
  if (workspaceGid === undefined) throw new ApiError(400, "workspace: Missing input");
  const workspace = ctx.store.requireWorkspace(textOf(workspaceGid, "workspace"), ctx.viewer);
  const gid = ctx.store.newGid();
  const tag: TagRec = {
    gid,
    name: b.name === undefined ? "" : textOf(b.name, "name"),
    workspace: workspace.gid,
    color: b.color === undefined ? null : colorOf(b.color),
    notes: b.notes === undefined ? "" : textOf(b.notes, "notes"),
    createdAt: ctx.store.nowIso(),
    followers:
      b.followers === undefined
        ? []
        : stringList(b.followers, "followers").map((u) => userGid(ctx, u, "followers")),
  };
  ctx.store.world.tags.set(gid, tag);
  ctx.store.markCreated(gid);
  return one(ctx, "tag", gid, 201);
}

export function createTag(ctx: HandlerContext): Reply {
  onlyKeys(ctx.body, ["name", "color", "notes", "followers", "workspace"]);
  return create(ctx, ctx.body.workspace);
}

export function createTagForWorkspace(ctx: HandlerContext): Reply {
  // The workspace is the path's: TagCreateTagForWorkspaceRequest has no workspace property.
  onlyKeys(ctx.body, ["name", "color", "notes", "followers"]);
  return create(ctx, param(ctx, "workspace_gid"));
}

/** PUT /tags/{tag_gid}: name, color and notes (TagUpdateRequest); a tag's workspace never changes. */
export function updateTag(ctx: HandlerContext): Reply {
  const tag = ctx.store.requireInWorkspace("tag", ctx.store.world.tags, param(ctx, "tag_gid"), ctx.viewer);
  const b = ctx.body;
  onlyKeys(b, ["name", "color", "notes"]);
  // Checked whole before anything changes: a refused update leaves the tag as it was.
  const name = b.name === undefined ? tag.name : textOf(b.name, "name");
  const color = b.color === undefined ? tag.color : colorOf(b.color);
  const notes = b.notes === undefined ? tag.notes : textOf(b.notes, "notes");
  Object.assign(tag, { name, color, notes });
  return one(ctx, "tag", tag.gid);
}

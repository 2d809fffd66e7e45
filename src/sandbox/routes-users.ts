/** Users, workspaces, teams, tags of a workspace, and OpenID Connect userinfo. */
import { ApiError, type Json, type Reply, type UserRec } from "./model.js";
import { type HandlerContext, list, one, param } from "./routing.js";
import { requireGid } from "./store.js";

export function getUser(ctx: HandlerContext): Reply {
  const id = param(ctx, "user_gid");
  let user: UserRec | undefined;
  if (id === "me") user = ctx.viewer;
  else if (id.includes("@")) {
    const email = id.toLowerCase();
    user = [...ctx.store.users.values()].find((u) => u.email.toLowerCase() === email);
  } else user = ctx.store.users.get(requireGid("user", id));
  if (user === undefined) throw new ApiError(404, `user: Unknown object: ${id}`);
  if (user !== ctx.viewer && !user.workspaces.some((w) => ctx.viewer.workspaces.includes(w))) {
    throw new ApiError(403, "Forbidden");
  }
  return one(ctx, "user", user.gid);
}

export function getWorkspaces(ctx: HandlerContext): Reply {
  const gids = [...ctx.store.workspaces.keys()].filter((w) => ctx.viewer.workspaces.includes(w));
  return list(ctx, "workspace", gids);
}

export function getWorkspace(ctx: HandlerContext): Reply {
  return one(ctx, "workspace", ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer).gid);
}

/**
 * OIDC UserInfo. Asana does not document the body; like any OIDC provider it is answered with the bare
 * claims object (no `data` envelope). Claims depend on the `profile` and `email` scopes.
 */
export function getOpenIdUserInfo(ctx: HandlerContext): Reply {
  const scopes = ctx.token.oauthScopes;
  if (scopes === undefined || !scopes.includes("openid")) {
    throw new ApiError(403, "This endpoint requires an OAuth access token granted the openid scope");
  }
  const u = ctx.viewer;
  const claims: { [key: string]: Json } = { sub: u.gid };
  if (scopes.includes("profile")) {
    claims.name = u.name;
    if (u.photo) claims.picture = u.photo.image_128x128;
  }
  if (scopes.includes("email")) {
    claims.email = u.email;
    claims.email_verified = true;
  }
  return { status: 200, body: claims };
}

export function getUsers(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  const gids = [...ctx.store.users.values()].filter((u) => u.workspaces.includes(ws.gid)).map((u) => u.gid);
  return list(ctx, "user", gids);
}

/** GET /users?workspace=…: unlike the workspace's users listing, this one pages with limit/offset. */
export function getUsersPaged(ctx: HandlerContext): Reply {
  const workspace = ctx.query.get("workspace");
  const visible = (u: { workspaces: string[] }) =>
    workspace === null
      ? u.workspaces.some((w) => ctx.store.sharesWorkspace(ctx.viewer, w))
      : u.workspaces.includes(ctx.store.requireWorkspace(workspace, ctx.viewer).gid);
  const gids = [...ctx.store.users.values()].filter(visible).map((u) => u.gid);
  return list(ctx, "user", gids);
}

export function getTeams(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  const gids = [...ctx.store.teams.values()].filter((t) => t.workspace === ws.gid).map((t) => t.gid);
  return list(ctx, "team", gids);
}

/** GET /tags/{tag_gid}: a tag in one of the viewer's workspaces, else 404 / 403 as for other objects. */
export function getTag(ctx: HandlerContext): Reply {
  const tag = ctx.store.requireInWorkspace("tag", ctx.store.world.tags, param(ctx, "tag_gid"), ctx.viewer);
  return one(ctx, "tag", tag.gid);
}

/** GET /tags/{tag_gid}/tasks: the tasks the tag is on, on every plan (it takes no completed_since). */
export function getTagTasks(ctx: HandlerContext): Reply {
  const tag = ctx.store.requireInWorkspace("tag", ctx.store.world.tags, param(ctx, "tag_gid"), ctx.viewer);
  const gids = [...ctx.store.tasks.values()]
    .filter((t) => (ctx.store.world.taskTags.get(t.gid) ?? []).includes(tag.gid))
    .map((t) => t.gid);
  return list(ctx, "task", gids);
}

/** GET /workspaces/{workspace_gid}/agents: the workspace's AI teammates. */
export function getAgents(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  const gids = [...ctx.store.world.agents.values()].filter((a) => a.workspace === ws.gid).map((a) => a.gid);
  return list(ctx, "agent", gids);
}

export function getTags(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  const gids = [...ctx.store.world.tags.values()].filter((t) => t.workspace === ws.gid).map((t) => t.gid);
  return list(ctx, "tag", gids);
}

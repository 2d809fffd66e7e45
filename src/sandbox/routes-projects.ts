/** Projects, their sections and their status updates. */
import { htmlToPlainText, parseCommentHtml } from "./html-text.js";
import { ApiError, type Reply } from "./model.js";
import { type HandlerContext, list, one, onlyKeys, param, projectOf, sectionOf } from "./routing.js";

export function parseArchived(ctx: HandlerContext): boolean | null {
  const raw = ctx.query.get("archived");
  if (raw === null) return null;
  if (raw === "true" || raw === "false") return raw === "true";
  throw new ApiError(400, `archived: Not a boolean: ${raw}`);
}

export function projectList(ctx: HandlerContext, filter: { workspace?: string; team?: string }): Reply {
  const archived = parseArchived(ctx);
  if (filter.workspace !== undefined) ctx.store.requireWorkspace(filter.workspace, ctx.viewer);
  if (filter.team !== undefined)
    ctx.store.requireInWorkspace("team", ctx.store.teams, filter.team, ctx.viewer);
  const gids = [...ctx.store.projects.values()]
    .filter(
      (p) =>
        ctx.viewer.workspaces.includes(p.workspace) &&
        (filter.workspace === undefined || p.workspace === filter.workspace) &&
        (filter.team === undefined || p.team === filter.team) &&
        (archived === null || p.archived === archived),
    )
    .map((p) => p.gid);
  return list(ctx, "project", gids);
}

export function getProjects(ctx: HandlerContext): Reply {
  return projectList(ctx, {
    workspace: ctx.query.get("workspace") ?? undefined,
    team: ctx.query.get("team") ?? undefined,
  });
}

export function getProject(ctx: HandlerContext): Reply {
  const gid = param(ctx, "project_gid");
  return one(
    ctx,
    "project",
    ctx.store.requireInWorkspace("project", ctx.store.projects, gid, ctx.viewer).gid,
  );
}

export function getSections(ctx: HandlerContext): Reply {
  const project = projectOf(ctx, param(ctx, "project_gid"));
  const gids = [...ctx.store.world.sections.values()].filter((s) => s.project === project.gid);
  return list(
    ctx,
    "section",
    gids.map((s) => s.gid),
  );
}

export function getSection(ctx: HandlerContext): Reply {
  return one(ctx, "section", sectionOf(ctx, param(ctx, "section_gid")).gid);
}

export function createSection(ctx: HandlerContext): Reply {
  const project = projectOf(ctx, param(ctx, "project_gid"));
  onlyKeys(ctx.body, ["name", "insert_before", "insert_after"]);
  const name = ctx.body.name;
  if (typeof name !== "string" || name.trim() === "") throw new ApiError(400, "name: Missing input");
  const gid = ctx.store.newGid();
  ctx.store.world.sections.set(gid, { gid, name, project: project.gid, createdAt: ctx.store.nowIso() });
  ctx.store.markCreated(gid);
  return one(ctx, "section", gid, 201);
}

export function getStatuses(ctx: HandlerContext): Reply {
  const parent = ctx.query.get("parent");
  if (parent === null) throw new ApiError(400, "parent: Missing input");
  const project = projectOf(ctx, parent);
  const gids = [...ctx.store.world.statuses.values()]
    .filter((s) => s.project === project.gid)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((s) => s.gid);
  return list(ctx, "status_update", gids);
}

export const STATUS_TYPES = [
  "on_track",
  "at_risk",
  "off_track",
  "on_hold",
  "complete",
  "achieved",
  "partial",
  "missed",
  "dropped",
];

export function createStatus(ctx: HandlerContext): Reply {
  const b = ctx.body;
  onlyKeys(b, ["parent", "title", "text", "html_text", "status_type"]);
  const project = projectOf(ctx, String(b.parent ?? ""));
  if (typeof b.status_type !== "string" || !STATUS_TYPES.includes(b.status_type)) {
    throw new ApiError(400, `status_type: Not a valid enum value: ${String(b.status_type)}`);
  }
  if (b.text === undefined && b.html_text === undefined) throw new ApiError(400, "text: Missing input");
  let text = typeof b.text === "string" ? b.text : "";
  if (typeof b.html_text === "string") {
    const parsed = parseCommentHtml(b.html_text);
    if (!parsed.ok) throw new ApiError(400, parsed.message);
    text = htmlToPlainText(parsed.body);
  }
  const gid = ctx.store.newGid();
  ctx.store.world.statuses.set(gid, {
    gid,
    project: project.gid,
    title: typeof b.title === "string" ? b.title : "",
    text,
    statusType: b.status_type,
    createdBy: ctx.viewer.gid,
    createdAt: ctx.store.nowIso(),
  });
  ctx.store.markCreated(gid);
  return one(ctx, "status_update", gid, 201);
}

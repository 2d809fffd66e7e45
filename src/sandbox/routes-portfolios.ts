/** Portfolios and their items, goals and their parents, and time periods: the read endpoints. */
import { ApiError, type Json, type PortfolioRec, type Reply } from "./model.js";
import type { GoalRec } from "./model-portfolios.js";
import {
  type HandlerContext,
  list,
  one,
  param,
  projectOf,
  type Route,
  taskOf,
  userGid,
  viewOf,
} from "./routing.js";
import { requireGid } from "./store.js";
import { renderResource } from "./views.js";
import { goalVisible, itemKind, portfolioVisible } from "./views-portfolios.js";

/** Unknown (a project's gid included) -> 404; of another workspace, or private to others -> 403. */
export function portfolioOf(ctx: HandlerContext, gid: string): PortfolioRec {
  const p = ctx.store.requireInWorkspace("portfolio", ctx.store.world.portfolios, gid, ctx.viewer);
  if (!portfolioVisible(p, ctx.viewer)) throw new ApiError(403, "Forbidden");
  return p;
}

export function goalOf(ctx: HandlerContext, gid: string): GoalRec {
  const g = ctx.store.requireInWorkspace("goal", ctx.store.world.portfolioWorld.goals, gid, ctx.viewer);
  if (!goalVisible(g, ctx.viewer)) throw new ApiError(403, "Forbidden");
  return g;
}

/**
 * GET /portfolios: "API users can only get a list of portfolios that they themselves own, unless the
 * request is made from a Service Account", which without `owner` gets every portfolio of the workspace.
 * Anyone else must name themselves as owner.
 */
function getPortfolios(ctx: HandlerContext): Reply {
  const workspace = ctx.query.get("workspace");
  if (workspace === null) throw new ApiError(400, "workspace: Missing input");
  ctx.store.requireWorkspace(workspace, ctx.viewer);
  const rawOwner = ctx.query.get("owner");
  const serviceAccount = ctx.viewer.kind === "service_account";
  if (rawOwner === null && !serviceAccount) throw new ApiError(400, "owner: Missing input");
  const owner = rawOwner === null ? null : userGid(ctx, rawOwner, "owner");
  if (owner !== null && owner !== ctx.viewer.gid && !serviceAccount) {
    throw new ApiError(403, "You may only list the portfolios you own.");
  }
  const gids = [...ctx.store.world.portfolios.values()]
    .filter((p) => p.workspace === workspace && (owner === null || p.owner === owner))
    .filter((p) => portfolioVisible(p, ctx.viewer))
    .map((p) => p.gid);
  return list(ctx, "portfolio", gids);
}

function getPortfolio(ctx: HandlerContext): Reply {
  return one(ctx, "portfolio", portfolioOf(ctx, param(ctx, "portfolio_gid")).gid);
}

/** The items the viewer may see, each rendered as what it is (a project or a portfolio). */
function getPortfolioItems(ctx: HandlerContext): Reply {
  const portfolio = portfolioOf(ctx, param(ctx, "portfolio_gid"));
  const { store, viewer } = ctx;
  const items = (store.world.portfolioWorld.items.get(portfolio.gid) ?? []).filter((gid) => {
    if (store.lagging(gid)) return false;
    const kind = itemKind(store, gid);
    if (kind === "project") return viewer.workspaces.includes(store.projects.get(gid)?.workspace ?? "");
    const nested = store.world.portfolios.get(gid);
    return kind === "portfolio" && nested !== undefined && portfolioVisible(nested, viewer);
  });
  const { page, nextPage } = ctx.paginator.page(ctx, items);
  const vc = viewOf(ctx);
  const body: { [key: string]: Json } = {
    data: page.map((gid) =>
      renderResource(itemKind(store, gid) ?? "project", gid, vc, ctx.fields, "compact"),
    ),
  };
  if (nextPage !== undefined) body.next_page = nextPage;
  return { status: 200, body };
}

const CONTAINERS = ["workspace", "team", "portfolio", "project", "task"] as const;

function parseBoolean(ctx: HandlerContext, name: string): boolean | null {
  const raw = ctx.query.get(name);
  if (raw === null) return null;
  if (raw === "true" || raw === "false") return raw === "true";
  throw new ApiError(400, `${name}: Not a boolean: ${raw}`);
}

/** GET /goals: at least one container to look in; every filter given must hold. */
function getGoals(ctx: HandlerContext): Reply {
  const { store, viewer } = ctx;
  const filter = Object.fromEntries(CONTAINERS.map((c) => [c, ctx.query.get(c)])) as Record<
    (typeof CONTAINERS)[number],
    string | null
  >;
  if (CONTAINERS.every((c) => filter[c] === null)) {
    throw new ApiError(400, "Must specify one of workspace, team, portfolio, project or task");
  }
  const workspaceLevel = parseBoolean(ctx, "is_workspace_level");
  if (workspaceLevel !== null && filter.workspace === null) {
    throw new ApiError(400, "is_workspace_level: Must be used with the workspace parameter");
  }
  if (filter.workspace !== null) store.requireWorkspace(filter.workspace, viewer);
  if (filter.team !== null) store.requireInWorkspace("team", store.teams, filter.team, viewer);
  if (filter.portfolio !== null) portfolioOf(ctx, filter.portfolio);
  if (filter.project !== null) projectOf(ctx, filter.project);
  if (filter.task !== null) taskOf(ctx, filter.task);
  const periods = ctx.query
    .getAll("time_periods")
    .flatMap((v) => v.split(","))
    .map((v) => requireGid("time_periods", v.trim()));
  const gids = [...store.world.portfolioWorld.goals.values()]
    .filter(
      (g) =>
        goalVisible(g, viewer) &&
        (filter.workspace === null || g.workspace === filter.workspace) &&
        (filter.team === null || g.team === filter.team) &&
        [filter.portfolio, filter.project, filter.task].every(
          (s) => s === null || g.supporting.includes(s),
        ) &&
        (workspaceLevel === null || g.isWorkspaceLevel === workspaceLevel) &&
        (periods.length === 0 || (g.timePeriod !== null && periods.includes(g.timePeriod))),
    )
    .map((g) => g.gid);
  return list(ctx, "goal", gids);
}

function getGoal(ctx: HandlerContext): Reply {
  return one(ctx, "goal", goalOf(ctx, param(ctx, "goal_gid")).gid);
}

/** The goals this goal supports that the viewer may see; Asana's spec gives this listing no pages. */
function getParentGoals(ctx: HandlerContext): Reply {
  const goal = goalOf(ctx, param(ctx, "goal_gid"));
  const goals = ctx.store.world.portfolioWorld.goals;
  const parents = goal.parents.filter((gid) => {
    const parent = goals.get(gid);
    return parent !== undefined && goalVisible(parent, ctx.viewer);
  });
  return list(ctx, "goal", parents);
}

function getTimePeriods(ctx: HandlerContext): Reply {
  const workspace = ctx.query.get("workspace");
  if (workspace === null) throw new ApiError(400, "workspace: Missing input");
  ctx.store.requireWorkspace(workspace, ctx.viewer);
  const startOn = ctx.query.get("start_on");
  const endOn = ctx.query.get("end_on");
  const gids = [...ctx.store.world.portfolioWorld.timePeriods.values()]
    .filter(
      (t) =>
        t.workspace === workspace &&
        (startOn === null || t.startOn >= startOn) &&
        (endOn === null || t.endOn <= endOn),
    )
    .map((t) => t.gid);
  return list(ctx, "time_period", gids);
}

export function portfolioRoutes(): Route[] {
  return [
    { method: "GET", path: "/portfolios", scope: "portfolios:read", handler: getPortfolios },
    { method: "GET", path: "/portfolios/:portfolio_gid", scope: "portfolios:read", handler: getPortfolio },
    {
      method: "GET",
      path: "/portfolios/:portfolio_gid/items",
      scope: "portfolios:read",
      handler: getPortfolioItems,
    },
    { method: "GET", path: "/goals", scope: "goals:read", handler: getGoals },
    { method: "GET", path: "/goals/:goal_gid", scope: "goals:read", handler: getGoal },
    { method: "GET", path: "/goals/:goal_gid/parentGoals", scope: "goals:read", handler: getParentGoals },
    // Asana's spec names no granular scope for time periods: only Full permissions reach them.
    { method: "GET", path: "/time_periods", scope: "default", handler: getTimePeriods },
  ];
}

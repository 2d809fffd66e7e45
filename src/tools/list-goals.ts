// list_goals: goals of a workspace, a team, or those a project or portfolio supports, with their
// status and metric: one request a page.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { workspaceAllowed } from "../policy.js";
import { defineTool } from "./define.js";
import { cursor, gid, limit } from "./schemas.js";
import {
  type AsanaMetric,
  compactMetric,
  METRIC_FIELDS,
  metricOut,
  statusOfColor,
} from "./strategy-common.js";
import { workspaceOf } from "./task-common.js";

export interface AsanaGoal {
  gid: string;
  name: string;
  status?: string | null;
  owner?: { gid: string; name?: string } | null;
  workspace?: { gid: string } | null;
  time_period?: { gid: string; display_name?: string } | null;
  due_on?: string | null;
  metric?: AsanaMetric | null;
}

export const goalOut = z.object({
  gid: z.string(),
  name: z.string(),
  status: z.string().optional(),
  owner: z.string().optional(),
  period: z.string().optional(),
  due: z.string().optional(),
  metric: metricOut.optional(),
});

export function compactGoal(g: AsanaGoal): z.input<typeof goalOut> {
  const status = statusOfColor(g.status);
  const metric = compactMetric(g.metric);
  return {
    gid: g.gid,
    name: g.name,
    ...(status ? { status } : {}),
    ...(g.owner ? { owner: g.owner.name ?? g.owner.gid } : {}),
    ...(g.time_period ? { period: g.time_period.display_name ?? g.time_period.gid } : {}),
    ...(g.due_on ? { due: g.due_on } : {}),
    ...(metric ? { metric } : {}),
  };
}

export const GOAL_LIST_FIELDS = `name,status,owner.name,workspace,time_period.display_name,due_on,${METRIC_FIELDS}`;

export const listGoals = defineTool({
  name: "list_goals",
  title: "List goals",
  toolset: "portfolios",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      workspace_gid: gid().optional(),
      team_gid: gid().optional(),
      project_gid: gid("project").optional().describe("goals it supports"),
      portfolio_gid: gid().optional().describe("goals it supports"),
      is_workspace_level: z.boolean().optional().describe("with the workspace only"),
      time_period_gid: gid().optional(),
      limit: limit(50),
      cursor: cursor(),
    })
    .strict(),
  output: z.object({
    goals: z.array(goalOut),
    /** The time periods the goals name, gid -> name: what time_period_gid takes. */
    periods: z.record(z.string(), z.string()).optional(),
    outside_goals: z.string().optional(),
    next_cursor: z.string().nullable(),
  }),
  validate: (a) => {
    const given = (["team_gid", "project_gid", "portfolio_gid"] as const).filter((k) => a[k] !== undefined);
    if (given.length > 1) {
      throw new AppError(
        "invalid_input",
        `${given.join(" and ")}: give one of team_gid, project_gid, portfolio_gid.`,
      );
    }
    if (given.length === 1 && a.is_workspace_level !== undefined) {
      throw new AppError(
        "invalid_input",
        `is_workspace_level filters a workspace's goals; it cannot go with ${given[0]}.`,
      );
    }
    if (given.length === 1 && a.workspace_gid !== undefined) {
      throw new AppError("invalid_input", `workspace_gid: give it or ${given[0]}, not both.`);
    }
  },
  scope: (a) => {
    if (a.project_gid) return { project: a.project_gid };
    if (a.portfolio_gid) return { portfolio: a.portfolio_gid };
    // A team of a workspace outside the allow-lists is refused before its goals are asked for.
    if (a.team_gid) return { team: a.team_gid };
    return a.workspace_gid ? { workspace: a.workspace_gid } : {};
  },
  // Picks its default among allowed workspaces, leaves out goals of other workspaces (a team's), and
  // under ASANA_PROJECTS lists only the goals an allowed project supports.
  filtersByPolicy: true,
  describe: ({ attribution }) =>
    `Goals (status, owner, period, metric) of a workspace or team, or that a project or portfolio supports. Reads as ${attribution("read")}.`,
  handler: async (a, context) => {
    const { asana, identity, signal, policy } = context;
    if (policy.projects && !a.project_gid) {
      throw new AppError(
        "policy_denied",
        `list_goals works across the workspace, and ASANA_PROJECTS limits this server to projects ${[...policy.projects].join(", ")}; give project_gid.`,
      );
    }
    const container: Record<string, string> = a.team_gid
      ? { team: a.team_gid }
      : a.project_gid
        ? { project: a.project_gid }
        : a.portfolio_gid
          ? { portfolio: a.portfolio_gid }
          : { workspace: await workspaceOf(context, a.workspace_gid) };
    const scope = `goals:${JSON.stringify(container)}:${a.is_workspace_level}:${a.time_period_gid}`;
    const { data, nextPage } = await asana.request<AsanaGoal[]>(identity, {
      method: "GET",
      path: apiPath`/goals`,
      query: {
        ...container,
        is_workspace_level: a.is_workspace_level,
        time_periods: a.time_period_gid,
        limit: a.limit,
        offset: a.cursor ? decodeCursor(a.cursor, scope) : undefined,
        opt_fields: GOAL_LIST_FIELDS,
      },
      signal,
    });
    // A team's goals are of the team's workspace, which no request checked: each goal's is.
    const shown = data.filter(
      (g) => g.workspace?.gid !== undefined && workspaceAllowed(policy, g.workspace.gid),
    );
    const outside = data.length - shown.length;
    const periods = Object.fromEntries(
      shown.flatMap((g) =>
        g.time_period ? [[g.time_period.gid, g.time_period.display_name ?? g.time_period.gid]] : [],
      ),
    );
    return {
      goals: shown.map(compactGoal),
      ...(Object.keys(periods).length > 0 ? { periods } : {}),
      ...(outside > 0
        ? {
            outside_goals: `${outside} goal${outside === 1 ? "" : "s"} of a workspace outside ASANA_WORKSPACES`,
          }
        : {}),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
    };
  },
});

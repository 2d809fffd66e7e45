// get_goal: a goal with its metric, status, owner, time period and latest status update, and the
// goals it supports: two reads in parallel.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { defineTool } from "./define.js";
import { type AsanaGoal, compactGoal, GOAL_LIST_FIELDS, goalOut } from "./list-goals.js";
import { gid } from "./schemas.js";
import {
  type AsanaMetric,
  compactMetric,
  METRIC_FIELDS,
  metricOut,
  statusOfColor,
} from "./strategy-common.js";

interface AsanaGoalFull {
  gid: string;
  name: string;
  notes?: string;
  status?: string | null;
  due_on?: string | null;
  start_on?: string | null;
  is_workspace_level?: boolean;
  owner?: { gid: string; name?: string } | null;
  team?: { gid: string; name?: string } | null;
  workspace?: { gid: string; name?: string } | null;
  time_period?: { gid: string; display_name?: string; start_on?: string; end_on?: string } | null;
  metric?: AsanaMetric | null;
  current_status_update?: { gid: string; title?: string } | null;
}

/** Parent goals shown at most: Asana's listing has no pages. */
const PARENTS_SHOWN = 20;

const GOAL_FIELDS = [
  "name,notes,status,due_on,start_on,is_workspace_level,owner.name,team.name,workspace.name",
  "time_period.display_name,time_period.start_on,time_period.end_on",
  "current_status_update.title",
  METRIC_FIELDS,
].join(",");

export const getGoal = defineTool({
  name: "get_goal",
  title: "Get a goal",
  toolset: "portfolios",
  kind: "read",
  actsAs: "read",
  input: z.object({ goal_gid: gid() }).strict(),
  output: z.object({
    goal: z.object({
      gid: z.string(),
      name: z.string(),
      status: z.string().optional(),
      owner: z.string().optional(),
      team: z.string().optional(),
      workspace: z.string().optional(),
      workspace_level: z.literal(true).optional(),
      period: z
        .object({
          gid: z.string(),
          name: z.string().optional(),
          start: z.string().optional(),
          end: z.string().optional(),
        })
        .optional(),
      start: z.string().optional(),
      due: z.string().optional(),
      metric: metricOut.optional(),
      status_update: z.object({ gid: z.string(), title: z.string().optional() }).optional(),
      notes: z.string().optional(),
    }),
    parent_goals: z.array(goalOut).optional(),
    more_parents: z.string().optional(),
    parents_withheld: z.string().optional(),
  }),
  scope: (a) => ({ goal: a.goal_gid }),
  describe: ({ attribution }) =>
    `A goal: metric and progress, status, owner, time period, latest status update, parent goals. Reads as ${attribution("read")}.`,
  handler: async (a, { asana, identity, signal, policy }) => {
    // Under ASANA_PROJECTS the goals this one supports need not be supported by an allowed project:
    // they are not read.
    const [goal, parents] = await Promise.all([
      asana.request<AsanaGoalFull>(identity, {
        method: "GET",
        path: apiPath`/goals/${a.goal_gid}`,
        query: { opt_fields: GOAL_FIELDS },
        signal,
      }),
      policy.projects
        ? undefined
        : asana.request<AsanaGoal[]>(identity, {
            method: "GET",
            path: apiPath`/goals/${a.goal_gid}/parentGoals`,
            query: { opt_fields: GOAL_LIST_FIELDS },
            signal,
          }),
    ]);
    const g = goal.data;
    const status = statusOfColor(g.status);
    const metric = compactMetric(g.metric);
    const period = g.time_period;
    const update = g.current_status_update;
    const parentGoals = parents?.data ?? [];
    return {
      goal: {
        gid: g.gid,
        name: g.name,
        ...(status ? { status } : {}),
        ...(g.owner ? { owner: g.owner.name ?? g.owner.gid } : {}),
        ...(g.team ? { team: g.team.name ?? g.team.gid } : {}),
        ...(g.workspace ? { workspace: g.workspace.name ?? g.workspace.gid } : {}),
        ...(g.is_workspace_level ? { workspace_level: true as const } : {}),
        ...(period
          ? {
              period: {
                gid: period.gid,
                ...(period.display_name ? { name: period.display_name } : {}),
                ...(period.start_on ? { start: period.start_on } : {}),
                ...(period.end_on ? { end: period.end_on } : {}),
              },
            }
          : {}),
        ...(g.start_on ? { start: g.start_on } : {}),
        ...(g.due_on ? { due: g.due_on } : {}),
        ...(metric ? { metric } : {}),
        ...(update
          ? { status_update: { gid: update.gid, ...(update.title ? { title: update.title } : {}) } }
          : {}),
        ...(g.notes ? { notes: g.notes } : {}),
      },
      ...(parents ? { parent_goals: parentGoals.slice(0, PARENTS_SHOWN).map(compactGoal) } : {}),
      ...(parentGoals.length > PARENTS_SHOWN
        ? { more_parents: `showing ${PARENTS_SHOWN} of ${parentGoals.length} parent goals` }
        : {}),
      ...(policy.projects
        ? { parents_withheld: "parent goals are not shown under ASANA_PROJECTS (they span the workspace)" }
        : {}),
    };
  },
});

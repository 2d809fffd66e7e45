/**
 * The sandbox's portfolio items, goals, time periods and the status updates of goals and portfolios:
 * what tests and demo data seed, the records kept, and how a seed becomes them.
 */

/** The kinds this file adds to the renderer (model.ts Kind). */
export type PortfolioKind = "goal" | "time_period" | "object_status_update";

export type GoalStatus = "green" | "yellow" | "red" | "missed" | "achieved" | "partial" | "dropped";

export interface FakeGoalSeed {
  gid: string;
  name: string;
  workspace: string;
  owner?: string | null;
  team?: string | null;
  timePeriod?: string | null;
  /** Default: true when no team is given. */
  isWorkspaceLevel?: boolean;
  /** "members_only" goals are seen by their owner and followers alone. Default public_to_workspace. */
  privacy?: "public_to_workspace" | "members_only";
  followers?: string[];
  notes?: string;
  dueOn?: string | null;
  startOn?: string | null;
  status?: GoalStatus | null;
  metric?: {
    unit: "none" | "currency" | "percentage";
    initial: number;
    target: number;
    current: number;
    precision?: number;
    currencyCode?: string | null;
    progressSource?: string;
  } | null;
  /** Goals this goal supports. */
  parents?: string[];
  /** Projects, portfolios and tasks that support this goal (the getGoals filters). */
  supporting?: string[];
}

export interface FakeTimePeriodSeed {
  gid: string;
  workspace: string;
  period: "FY" | "H1" | "H2" | "Q1" | "Q2" | "Q3" | "Q4";
  displayName: string;
  startOn: string;
  endOn: string;
  parent?: string | null;
}

/** A status update on a goal or a portfolio (a project's are world.statuses). */
export interface FakeObjectStatusSeed {
  gid: string;
  parent: string;
  parentType: "goal" | "portfolio";
  title: string;
  text: string;
  statusType: string;
  createdBy: string;
  createdAt: string;
}

export interface FakePortfolioWorldSeed {
  /** The items of a portfolio in order: project or portfolio gids. */
  portfolioItems?: Array<{ portfolio: string; items: string[] }>;
  goals?: FakeGoalSeed[];
  timePeriods?: FakeTimePeriodSeed[];
  statusUpdates?: FakeObjectStatusSeed[];
}

export interface GoalRec {
  gid: string;
  name: string;
  workspace: string;
  owner: string | null;
  team: string | null;
  timePeriod: string | null;
  isWorkspaceLevel: boolean;
  privacy: "public_to_workspace" | "members_only";
  followers: string[];
  notes: string;
  dueOn: string | null;
  startOn: string | null;
  status: GoalStatus | null;
  metric: {
    unit: "none" | "currency" | "percentage";
    initial: number;
    target: number;
    current: number;
    precision: number;
    currencyCode: string | null;
    progressSource: string;
  } | null;
  parents: string[];
  supporting: string[];
}

export type TimePeriodRec = Required<FakeTimePeriodSeed> & { parent: string | null };

export type ObjectStatusRec = FakeObjectStatusSeed;

export interface PortfolioWorld {
  /** portfolio gid -> its items (project or portfolio gids), in order */
  items: Map<string, string[]>;
  goals: Map<string, GoalRec>;
  timePeriods: Map<string, TimePeriodRec>;
  statuses: Map<string, ObjectStatusRec>;
}

export function seedPortfolioWorld(seed: FakePortfolioWorldSeed | undefined): PortfolioWorld {
  const s = seed ?? {};
  return {
    items: new Map((s.portfolioItems ?? []).map((x) => [x.portfolio, [...x.items]])),
    goals: new Map(
      (s.goals ?? []).map((g) => [
        g.gid,
        {
          gid: g.gid,
          name: g.name,
          workspace: g.workspace,
          owner: g.owner ?? null,
          team: g.team ?? null,
          timePeriod: g.timePeriod ?? null,
          isWorkspaceLevel: g.isWorkspaceLevel ?? !g.team,
          privacy: g.privacy ?? "public_to_workspace",
          followers: [...new Set([...(g.owner ? [g.owner] : []), ...(g.followers ?? [])])],
          notes: g.notes ?? "",
          dueOn: g.dueOn ?? null,
          startOn: g.startOn ?? null,
          status: g.status ?? null,
          metric: g.metric
            ? {
                precision: 0,
                currencyCode: null,
                progressSource: "manual",
                ...g.metric,
              }
            : null,
          parents: [...(g.parents ?? [])],
          supporting: [...(g.supporting ?? [])],
        },
      ]),
    ),
    timePeriods: new Map((s.timePeriods ?? []).map((t) => [t.gid, { ...t, parent: t.parent ?? null }])),
    statuses: new Map((s.statusUpdates ?? []).map((x) => [x.gid, { ...x }])),
  };
}

export function portfolioWorldGids(world: PortfolioWorld): string[] {
  return [world.goals, world.timePeriods, world.statuses].flatMap((m) => [...m.keys()]);
}

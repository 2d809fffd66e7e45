import { afterEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  demoData,
  SANDBOX_TOKENS,
  SIDE_PROJECT_TASK_GID,
} from "../../src/sandbox/demo-data.js";
import { DEMO_GOAL_GIDS, DEMO_PORTFOLIO_GIDS, DEMO_TIME_PERIOD_GIDS } from "../../src/sandbox/demo-world.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import { errorOf } from "../helpers/harness.js";
import { ACME, ADA_GID, expectRefused, harnesses, PAT_AND_BOT, SIDE, sent } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

const GRACE = { ASANA_PAT: SANDBOX_TOKENS.oauth };
const MARKETING = "1203000000000002";
const SIDE_PORTFOLIO = "1213000000000000";
const SIDE_GOAL = "1212900000000009";

/** A portfolio and a goal of Ada's in Side Projects. */
function withSide(): FakeData {
  const data = demoData();
  data.world?.portfolios?.push({
    gid: SIDE_PORTFOLIO,
    name: "Garden plans",
    workspace: SIDE,
    owner: ADA_GID,
  });
  data.world?.portfolioWorld?.goals?.push({
    gid: SIDE_GOAL,
    name: "Grow tomatoes",
    workspace: SIDE,
    owner: ADA_GID,
    supporting: [SIDE_PORTFOLIO],
  });
  return data;
}

const gids = (body: Record<string, unknown>) => (body.goals as Array<{ gid: string }>).map((g) => g.gid);

describe("list_goals", () => {
  it("lists a workspace's goals with status, owner, period and metric in one request", async () => {
    const h = await hs.start();
    const r = await h.call("list_goals", { workspace_gid: ACME });
    expect(r.isError, r.text).toBe(false);
    // Grace's members-only goal is not Ada's to see.
    expect(r.body.goals).toEqual([
      {
        gid: DEMO_GOAL_GIDS.revenue,
        name: "Grow sandbox revenue to $2M",
        status: "on_track",
        owner: "Grace Hopper",
        period: "FY25",
        metric: {
          current: 1_400_000,
          target: 2_000_000,
          initial: 1_000_000,
          unit: "USD",
          display: "1400000",
          progress: 40,
          source: "manual",
        },
      },
      {
        gid: DEMO_GOAL_GIDS.launch,
        name: "Ship the Q3 launch on time",
        status: "at_risk",
        owner: "Ada Lovelace",
        period: "Q3 FY25",
        due: "2025-09-30",
        metric: expect.objectContaining({ current: 0.6, target: 1, unit: "percentage", progress: 60 }),
      },
    ]);
    expect(r.body.periods).toEqual({
      [DEMO_TIME_PERIOD_GIDS.fy25]: "FY25",
      [DEMO_TIME_PERIOD_GIDS.q3]: "Q3 FY25",
    });
    expect(r.body.next_cursor).toBeNull();
    expect(sent(h).map((q) => [q.path, q.query.workspace])).toEqual([["/goals", ACME]]);
    const grace = await hs.start(GRACE);
    expect(gids((await grace.call("list_goals", { workspace_gid: ACME })).body)).toContain(
      DEMO_GOAL_GIDS.hiring,
    );
  });

  it("filters by team, supporting project or portfolio, workspace level and time period", async () => {
    const h = await hs.start();
    const cases: Array<[Record<string, unknown>, string[], Record<string, string>]> = [
      [{ project_gid: DEMO_PROJECT_GID }, [DEMO_GOAL_GIDS.launch], { project: DEMO_PROJECT_GID }],
      [
        { portfolio_gid: DEMO_PORTFOLIO_GIDS.launches },
        [DEMO_GOAL_GIDS.revenue],
        { portfolio: DEMO_PORTFOLIO_GIDS.launches },
      ],
      [{ team_gid: MARKETING }, [DEMO_GOAL_GIDS.launch], { team: MARKETING }],
      [
        { workspace_gid: ACME, is_workspace_level: true },
        [DEMO_GOAL_GIDS.revenue],
        { is_workspace_level: "true" },
      ],
      [
        { workspace_gid: ACME, time_period_gid: DEMO_TIME_PERIOD_GIDS.q3 },
        [DEMO_GOAL_GIDS.launch],
        { time_periods: DEMO_TIME_PERIOD_GIDS.q3 },
      ],
    ];
    for (const [args, expected, query] of cases) {
      const r = await h.call("list_goals", args);
      expect(r.isError, r.text).toBe(false);
      expect(gids(r.body), JSON.stringify(args)).toEqual(expected);
      expect(sent(h).at(-1)?.query).toMatchObject(query);
    }
    // One container a request: a team, project or portfolio goes without the workspace.
    expect(
      sent(h)
        .slice(0, 3)
        .every((q) => q.query.workspace === undefined),
    ).toBe(true);
  });

  it("pages with next_cursor", async () => {
    const h = await hs.start();
    const first = await h.call("list_goals", { workspace_gid: ACME, limit: 1 });
    expect(gids(first.body)).toEqual([DEMO_GOAL_GIDS.revenue]);
    const second = await h.call("list_goals", {
      workspace_gid: ACME,
      limit: 1,
      cursor: first.body.next_cursor,
    });
    expect(gids(second.body)).toEqual([DEMO_GOAL_GIDS.launch]);
  });

  it("keeps to ASANA_WORKSPACES: another workspace, or a portfolio of one, is refused before the listing", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_WORKSPACES: ACME }, withSide());
    const before = h.fake.requests.length;
    expect(errorOf(await h.call("list_goals", { workspace_gid: SIDE })).code).toBe("policy_denied");
    expect(h.fake.requests.length).toBe(before);
    const viaPortfolio = errorOf(await h.call("list_goals", { portfolio_gid: SIDE_PORTFOLIO }));
    expect(viaPortfolio.code).toBe("policy_denied");
    expect(sent(h).map((q) => q.path)).toEqual([`/portfolios/${SIDE_PORTFOLIO}`]);
    const sideProject = h.fake.task(SIDE_PROJECT_TASK_GID)?.projects[0] ?? "";
    expect(errorOf(await h.call("list_goals", { project_gid: sideProject })).code).toBe("policy_denied");
    expect(sent(h).filter((q) => q.path === "/goals")).toEqual([]);
    const r = await h.call("list_goals", {});
    expect(r.text).not.toContain(SIDE_GOAL);
  });

  it("refuses a team outside ASANA_WORKSPACES before reading its goals", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_WORKSPACES: SIDE }, withSide());
    const r = await h.call("list_goals", { team_gid: MARKETING });
    expect(errorOf(r).code).toBe("policy_denied");
    expect(sent(h).filter((q) => q.path === "/goals")).toEqual([]);
    expect(r.text).not.toContain("Ship the Q3");
  });

  it("under ASANA_PROJECTS lists only the goals an allowed project supports", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_PROJECTS: DEMO_PROJECT_GID });
    const before = h.fake.requests.length;
    for (const args of [
      { workspace_gid: ACME },
      { team_gid: MARKETING },
      { portfolio_gid: DEMO_PORTFOLIO_GIDS.launches },
    ]) {
      const error = errorOf(await h.call("list_goals", args));
      expect(error.code, JSON.stringify(args)).toBe("policy_denied");
      expect(error.message).toContain("project_gid");
    }
    expect(h.fake.requests.length).toBe(before);
    const outside = errorOf(await h.call("list_goals", { project_gid: "1204000000000002" }));
    expect(outside.code).toBe("policy_denied");
    const r = await h.call("list_goals", { project_gid: DEMO_PROJECT_GID });
    expect(gids(r.body)).toEqual([DEMO_GOAL_GIDS.launch]);
  });

  it("refuses bad input and combinations Asana does not take, before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "list_goals", [
      [
        { team_gid: MARKETING, project_gid: DEMO_PROJECT_GID },
        "give one of team_gid, project_gid, portfolio_gid",
      ],
      [{ project_gid: DEMO_PROJECT_GID, is_workspace_level: true }, "is_workspace_level"],
      [{ workspace_gid: ACME, team_gid: MARKETING }, "workspace_gid: give it or team_gid"],
      [{ time_period_gid: "Q3" }, "time_period_gid: must be an Asana gid"],
      [{ status: "green" }, 'unknown argument "status"'],
    ]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, demoData, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { DEMO_GOAL_GIDS, DEMO_TIME_PERIOD_GIDS } from "../../src/sandbox/demo-world.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import { errorOf } from "../helpers/harness.js";
import {
  ACME,
  ADA,
  ADA_GID,
  expectRefused,
  harnesses,
  PAT_AND_BOT,
  SIDE,
  sent,
  UNKNOWN_GID,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

const GRACE = { ASANA_PAT: SANDBOX_TOKENS.oauth };
const SIDE_GOAL = "1212900000000009";

/** A goal of Ada's in Side Projects. */
function withSideGoal(): FakeData {
  const data = demoData();
  data.world?.portfolioWorld?.goals?.push({
    gid: SIDE_GOAL,
    name: "Grow tomatoes",
    workspace: SIDE,
    owner: ADA_GID,
  });
  return data;
}

describe("get_goal", () => {
  it("shows a goal's metric, status, owner, period, status update and parent goals: two reads", async () => {
    const h = await hs.start();
    const r = await h.call("get_goal", { goal_gid: DEMO_GOAL_GIDS.launch });
    expect(r.isError, r.text).toBe(false);
    expect(r.body.goal).toEqual({
      gid: DEMO_GOAL_GIDS.launch,
      name: "Ship the Q3 launch on time",
      status: "at_risk",
      owner: "Ada Lovelace",
      team: "Marketing",
      workspace: "Acme Corp (sandbox)",
      period: { gid: DEMO_TIME_PERIOD_GIDS.q3, name: "Q3 FY25", start: "2025-07-01", end: "2025-09-30" },
      due: "2025-09-30",
      metric: {
        current: 0.6,
        target: 1,
        initial: 0,
        unit: "percentage",
        display: "60%",
        progress: 60,
        source: "manual",
      },
      status_update: { gid: "1212700000000001", title: "Launch at risk: vendor slip" },
      notes: "Sandbox demo data.",
    });
    expect(r.body.parent_goals).toEqual([
      expect.objectContaining({
        gid: DEMO_GOAL_GIDS.revenue,
        name: "Grow sandbox revenue to $2M",
        status: "on_track",
      }),
    ]);
    expect(
      sent(h)
        .map((q) => q.path)
        .sort(),
    ).toEqual([`/goals/${DEMO_GOAL_GIDS.launch}`, `/goals/${DEMO_GOAL_GIDS.launch}/parentGoals`]);
  });

  it("names the identity when a goal is members-only, unknown, or a project's gid", async () => {
    const h = await hs.start();
    const hidden = errorOf(await h.call("get_goal", { goal_gid: DEMO_GOAL_GIDS.hiring }));
    expect(hidden.code).toBe("forbidden");
    expect(hidden.message).toContain(ADA);
    for (const gid of [UNKNOWN_GID, DEMO_PROJECT_GID]) {
      expect(errorOf(await h.call("get_goal", { goal_gid: gid })).code).toBe("not_found");
    }
    const grace = await hs.start(GRACE);
    const own = await grace.call("get_goal", { goal_gid: DEMO_GOAL_GIDS.hiring });
    expect(own.body.goal).toMatchObject({
      name: "Hire the leadership team",
      status: "off_track",
      workspace_level: true,
    });
    expect(own.body.goal).not.toHaveProperty("metric");
  });

  it("keeps to ASANA_WORKSPACES: a goal of another workspace is refused after the workspace lookup alone", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_WORKSPACES: ACME }, withSideGoal());
    const error = errorOf(await h.call("get_goal", { goal_gid: SIDE_GOAL }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain("ASANA_WORKSPACES");
    expect(error.message).not.toContain("tomatoes");
    expect(sent(h).map((q) => [q.path, q.query.opt_fields])).toEqual([[`/goals/${SIDE_GOAL}`, "workspace"]]);
    const ok = await h.call("get_goal", { goal_gid: DEMO_GOAL_GIDS.launch });
    expect(ok.isError, ok.text).toBe(false);
  });

  it("refuses a project's gid given as a goal under ASANA_WORKSPACES: the lookup finds no goal", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_WORKSPACES: ACME });
    expect(errorOf(await h.call("get_goal", { goal_gid: DEMO_PROJECT_GID })).code).toBe("not_found");
    expect(sent(h).map((q) => q.path)).toEqual([`/goals/${DEMO_PROJECT_GID}`]);
  });

  it("under ASANA_PROJECTS reads only a goal an allowed project supports, and not its parent goals", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_PROJECTS: `1204000000000002,${DEMO_PROJECT_GID}` });
    const r = await h.call("get_goal", { goal_gid: DEMO_GOAL_GIDS.launch });
    expect(r.isError, r.text).toBe(false);
    expect(r.body).not.toHaveProperty("parent_goals");
    expect(r.body.parents_withheld).toContain("ASANA_PROJECTS");
    expect(r.text).not.toContain("Grow sandbox revenue");
    expect(sent(h).map((q) => [q.path, q.query.project])).toEqual([
      ["/goals", "1204000000000002"],
      ["/goals", DEMO_PROJECT_GID],
      [`/goals/${DEMO_GOAL_GIDS.launch}`, undefined],
    ]);

    // Supported by a portfolio only: no allowed project vouches for it.
    const before = sent(h).length;
    const error = errorOf(await h.call("get_goal", { goal_gid: DEMO_GOAL_GIDS.revenue }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).not.toContain("revenue");
    expect(
      sent(h)
        .slice(before)
        .every((q) => q.path === "/goals"),
    ).toBe(true);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "get_goal", [
      [{}, "goal_gid"],
      [{ goal_gid: "revenue" }, "goal_gid: must be an Asana gid"],
      [{ goal_gid: DEMO_GOAL_GIDS.launch, parents: false }, 'unknown argument "parents"'],
    ]);
  });
});

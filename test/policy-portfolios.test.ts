// The allow-lists around portfolios and goals, attacked where the tools' own tests cannot reach:
// a tool that reads a portfolio without filtering its items, the bound on the goal check under
// ASANA_PROJECTS, and an allowed project the identity cannot see.
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { GOAL_PROJECT_READS } from "../src/policy-objects.js";
import {
  DEMO_PROJECT_GID,
  demoData,
  SANDBOX_TOKENS,
  SIDE_PROJECT_TASK_GID,
} from "../src/sandbox/demo-data.js";
import { DEMO_GOAL_GIDS, DEMO_PORTFOLIO_GIDS } from "../src/sandbox/demo-world.js";
import { defineTool } from "../src/tools/define.js";
import { ALL_TOOLS } from "../src/tools/index.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";
import { BOT_ONLY, PAT_AND_BOT } from "./helpers/tools.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const since = (harness: Harness, before: number) => harness.fake.requests.slice(before);

/** A read that names a portfolio but does not keep its items to ASANA_PROJECTS. */
const unfiltered = defineTool({
  name: "read_portfolio_raw",
  title: "Read a portfolio",
  toolset: "portfolios",
  kind: "read",
  actsAs: "read",
  input: z.object({ portfolio_gid: z.string() }).strict(),
  output: z.object({ ok: z.boolean() }),
  scope: (a) => ({ portfolio: a.portfolio_gid }),
  describe: () => "test tool",
  handler: async () => ({ ok: true }),
});

describe("portfolios and goals under the allow-lists", () => {
  it("refuses, under ASANA_PROJECTS, a tool that reads a portfolio without filtering its items", async () => {
    h = await startHarness({
      env: { ...PAT_AND_BOT, ASANA_PROJECTS: DEMO_PROJECT_GID },
      tools: [...ALL_TOOLS, unfiltered],
    });
    const before = h.fake.requests.length;
    const error = errorOf(
      await h.call("read_portfolio_raw", { portfolio_gid: DEMO_PORTFOLIO_GIDS.launches }),
    );
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain("ASANA_PROJECTS");
    expect(since(h, before)).toEqual([]);
  });

  it(`looks for a goal among the goals of at most ${GOAL_PROJECT_READS} allowed projects, then refuses`, async () => {
    const data = demoData();
    const acme = (data.projects ?? []).filter((p) => p.workspace === "1202000000000001").map((p) => p.gid);
    // The demo project (which supports the launch goal) listed after eleven others.
    const allowed = [...acme.slice(1, 12), DEMO_PROJECT_GID];
    h = await startHarness({ env: { ...PAT_AND_BOT, ASANA_PROJECTS: allowed.join(",") }, data });
    const before = h.fake.requests.length;
    const error = errorOf(await h.call("get_goal", { goal_gid: DEMO_GOAL_GIDS.launch }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain(`the first ${GOAL_PROJECT_READS} checked`);
    const listings = since(h, before);
    expect(listings).toHaveLength(GOAL_PROJECT_READS);
    expect(listings.every((r) => r.path === "/goals" && r.query.limit === "100")).toBe(true);
  });

  it("passes over an allowed project the identity cannot see, and finds the goal in the next", async () => {
    const data = demoData();
    const sideProject = data.tasks?.find((t) => t.gid === SIDE_PROJECT_TASK_GID)?.projects?.[0] ?? "";
    h = await startHarness({
      env: { ...BOT_ONLY, ASANA_PROJECTS: `${sideProject},${DEMO_PROJECT_GID}` },
      data,
    });
    const before = h.fake.requests.length;
    const r = await h.call("get_goal", { goal_gid: DEMO_GOAL_GIDS.launch });
    expect(r.isError, r.text).toBe(false);
    expect(since(h, before).map((q) => [q.path, q.status])).toEqual([
      ["/goals", 403],
      ["/goals", 200],
      [`/goals/${DEMO_GOAL_GIDS.launch}`, 200],
    ]);
  });

  it("costs no request without an allow-list", async () => {
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat } });
    const before = h.fake.requests.length;
    await h.call("get_goal", { goal_gid: DEMO_GOAL_GIDS.launch });
    await h.call("get_portfolio", { portfolio_gid: DEMO_PORTFOLIO_GIDS.launches });
    expect(
      since(h, before)
        .map((q) => q.path)
        .sort(),
    ).toEqual(
      [
        `/goals/${DEMO_GOAL_GIDS.launch}`,
        `/goals/${DEMO_GOAL_GIDS.launch}/parentGoals`,
        `/portfolios/${DEMO_PORTFOLIO_GIDS.launches}`,
        `/portfolios/${DEMO_PORTFOLIO_GIDS.launches}/items`,
      ].sort(),
    );
  });
});

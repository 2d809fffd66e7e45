import { afterEach, describe, expect, it } from "vitest";
import { demoData, SANDBOX_TOKENS, SANDBOX_USER_GIDS } from "../../src/sandbox/demo-data.js";
import { DEMO_PORTFOLIO_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import { ACME, ADA_GID, expectRefused, harnesses, PAT_AND_BOT, SIDE, sent } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

/** Grace Hopper owns both demo portfolios; her token as the PAT makes her "me". */
const GRACE = { ASANA_PAT: SANDBOX_TOKENS.oauth };
const GRACE_GID = SANDBOX_USER_GIDS.oauth;
const SERVICE_ACCOUNT = { ASANA_SERVICE_ACCOUNT_TOKEN: SANDBOX_TOKENS.service_account };

const SIDE_PORTFOLIO = "1213000000000000";

/** The demo data with a portfolio of Ada's in Side Projects. */
function withSidePortfolio() {
  const data = demoData();
  data.world?.portfolios?.push({
    gid: SIDE_PORTFOLIO,
    name: "Garden plans",
    workspace: SIDE,
    owner: ADA_GID,
  });
  return data;
}

describe("list_portfolios", () => {
  it("lists the portfolios the configured person owns, with their status title, in one request", async () => {
    const h = await hs.start(GRACE);
    const r = await h.call("list_portfolios", { workspace_gid: ACME });
    expect(r.isError, r.text).toBe(false);
    expect(r.body).toEqual({
      workspace_gid: ACME,
      portfolios: [
        {
          gid: DEMO_PORTFOLIO_GIDS.launches,
          name: "Product launches 2025",
          owner: "Grace Hopper",
          status_title: "Launches mostly on track",
        },
        { gid: DEMO_PORTFOLIO_GIDS.leadership, name: "Leadership bets", owner: "Grace Hopper" },
      ],
      next_cursor: null,
    });
    expect(sent(h).map((q) => [q.path, q.query.owner, q.query.workspace])).toEqual([
      ["/portfolios", GRACE_GID, ACME],
    ]);
  });

  it("sends \"me\" as the person's gid, and lists nobody else's for a person (Asana refuses)", async () => {
    const h = await hs.start(PAT_AND_BOT);
    const own = await h.call("list_portfolios", { workspace_gid: ACME });
    expect(own.body.portfolios).toEqual([]);
    expect(own.body.note).toContain("find");
    expect(sent(h).at(-1)?.query.owner).toBe(ADA_GID);
    const others = errorOf(await h.call("list_portfolios", { workspace_gid: ACME, owner: GRACE_GID }));
    expect(others.code).toBe("forbidden");
  });

  it("lists every owner's portfolios to a service account (owner null), or one owner's", async () => {
    const h = await hs.start(SERVICE_ACCOUNT);
    const all = await h.call("list_portfolios", { workspace_gid: ACME, owner: null });
    expect(all.isError, all.text).toBe(false);
    expect((all.body.portfolios as Array<{ gid: string }>).map((p) => p.gid)).toEqual([
      DEMO_PORTFOLIO_GIDS.launches,
      DEMO_PORTFOLIO_GIDS.leadership,
    ]);
    expect(sent(h).at(-1)?.query).not.toHaveProperty("owner");
    // Configured alone, "me" would be the service account itself: every owner is the default.
    const byDefault = await h.call("list_portfolios", { workspace_gid: ACME });
    expect(byDefault.body.portfolios).toEqual(all.body.portfolios);
    const grace = await h.call("list_portfolios", { workspace_gid: ACME, owner: GRACE_GID });
    expect(grace.body.portfolios).toHaveLength(2);
  });

  it("pages with next_cursor, bound to its arguments", async () => {
    const h = await hs.start(GRACE);
    const first = await h.call("list_portfolios", { workspace_gid: ACME, limit: 1 });
    expect(first.body.portfolios).toHaveLength(1);
    const cursor = first.body.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const second = await h.call("list_portfolios", { workspace_gid: ACME, limit: 1, cursor });
    expect((second.body.portfolios as Array<{ gid: string }>)[0]?.gid).toBe(DEMO_PORTFOLIO_GIDS.leadership);
    const other = errorOf(await h.call("list_portfolios", { workspace_gid: SIDE, limit: 1, cursor }));
    expect(other.code).toBe("invalid_input");
  });

  it("keeps to ASANA_WORKSPACES: another workspace is refused before any request", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_WORKSPACES: ACME }, withSidePortfolio());
    const before = h.fake.requests.length;
    const error = errorOf(await h.call("list_portfolios", { workspace_gid: SIDE }));
    expect(error.code).toBe("policy_denied");
    expect(h.fake.requests.length).toBe(before);
    // Without workspace_gid the only allowed workspace is chosen, so Side's portfolio never shows.
    const r = await h.call("list_portfolios", {});
    expect(r.body.workspace_gid).toBe(ACME);
    expect(JSON.stringify(r.body)).not.toContain(SIDE_PORTFOLIO);
  });

  it("is refused under ASANA_PROJECTS, before any request: portfolios span the workspace", async () => {
    const h = await hs.start({ ...GRACE, ASANA_PROJECTS: "1204000000000001" });
    const before = h.fake.requests.length;
    const error = errorOf(await h.call("list_portfolios", { workspace_gid: ACME }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain("ASANA_PROJECTS");
    expect(h.fake.requests.length).toBe(before);
  });

  it("is in the portfolios toolset, off by default", async () => {
    const names = ["list_portfolios", "get_portfolio", "list_goals", "get_goal"];
    const off = await hs.start({ ...GRACE, ASANA_TOOLSETS: "" });
    const listed = (await off.client.listTools()).tools.map((t) => t.name);
    expect(listed.filter((n) => names.includes(n))).toEqual([]);
    const on = await hs.start({ ...GRACE, ASANA_TOOLSETS: "tasks,portfolios" });
    const tools = (await on.client.listTools()).tools.filter((t) => names.includes(t.name));
    expect(tools.map((t) => t.name)).toEqual(names);
    // What turning the set on costs an agent's context.
    expect(JSON.stringify(tools).length).toBeLessThanOrEqual(2_400);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "list_portfolios", [
      [{ owner: "Grace Hopper" }, "not a name"],
      [{ workspace_gid: "Acme" }, "workspace_gid: must be an Asana gid"],
      [{ limit: 0 }, "limit"],
      [{ cursor: "not a cursor!" }, "cursor"],
      [{ archived: true }, 'unknown argument "archived"'],
    ]);
  });
});

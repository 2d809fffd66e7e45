import { afterEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  demoData,
  SANDBOX_TOKENS,
  SANDBOX_USER_GIDS,
  SIDE_PROJECT_TASK_GID,
} from "../../src/sandbox/demo-data.js";
import { DEMO_PORTFOLIO_GIDS } from "../../src/sandbox/demo-world.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import { errorOf } from "../helpers/harness.js";
import {
  ACME,
  ADA,
  ADA_GID,
  BOT,
  BOT_ONLY,
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
const { launches, leadership } = DEMO_PORTFOLIO_GIDS;
/** The demo launches portfolio holds the first four Acme projects; leadership nests it beside the fifth. */
const ACME_PROJECTS = [1, 2, 3, 4, 5].map((n) => `1204${String(n).padStart(12, "0")}`);
const SIDE_PORTFOLIO = "1213000000000000";
const BIG_PORTFOLIO = "1212600000000001";

function dataWith(extra: (data: FakeData) => void): FakeData {
  const data = demoData();
  extra(data);
  return data;
}

/** A portfolio of Ada's in Side Projects, holding a Side project. */
function withSidePortfolio(data: FakeData) {
  data.world?.portfolios?.push({
    gid: SIDE_PORTFOLIO,
    name: "Garden plans",
    workspace: SIDE,
    owner: ADA_GID,
  });
  const sideProject = data.tasks?.find((t) => t.gid === SIDE_PROJECT_TASK_GID)?.projects?.[0] ?? "";
  data.world?.portfolioWorld?.portfolioItems?.push({ portfolio: SIDE_PORTFOLIO, items: [sideProject] });
}

/** A public Acme portfolio of Ada's holding all 262 Acme projects. */
function withBigPortfolio(data: FakeData) {
  data.world?.portfolios?.push({
    gid: BIG_PORTFOLIO,
    name: "Everything",
    workspace: ACME,
    owner: ADA_GID,
    public: true,
  });
  const items = (data.projects ?? []).filter((p) => p.workspace === ACME).map((p) => p.gid);
  data.world?.portfolioWorld?.portfolioItems?.push({ portfolio: BIG_PORTFOLIO, items });
}

interface Item {
  gid: string;
  type: string;
  name: string;
  current_status?: { status?: string; title?: string; by?: string; at?: string };
}

describe("get_portfolio", () => {
  it("gives a status overview of every item in one call: two reads, no request per item", async () => {
    const h = await hs.start();
    const r = await h.call("get_portfolio", { portfolio_gid: launches });
    expect(r.isError, r.text).toBe(false);
    expect(r.body.portfolio).toMatchObject({
      gid: launches,
      name: "Product launches 2025",
      owner: "Grace Hopper",
      workspace: "Acme Corp (sandbox)",
      status_title: "Launches mostly on track",
    });
    const items = r.body.items as Item[];
    expect(items.map((i) => i.gid)).toEqual(ACME_PROJECTS.slice(0, 4));
    expect(items[0]).toMatchObject({
      gid: DEMO_PROJECT_GID,
      type: "project",
      name: "Q3 Product Launch",
      owner_gid: expect.any(String),
      current_status: {
        status: "on_track",
        title: "Launch prep, week 1",
        by: "Grace Hopper",
        at: expect.any(String),
      },
    });
    expect(items[1]?.current_status).toMatchObject({ status: "at_risk", title: "Vendor contract slipping" });
    expect(items[2]).not.toHaveProperty("current_status");
    expect(r.body).not.toHaveProperty("truncated");
    expect(r.body).not.toHaveProperty("outside_items");
    expect(
      sent(h)
        .map((q) => q.path)
        .sort(),
    ).toEqual([`/portfolios/${launches}`, `/portfolios/${launches}/items`]);
  });

  it("shows nested portfolios as items with their own status", async () => {
    const h = await hs.start(GRACE);
    const r = await h.call("get_portfolio", { portfolio_gid: leadership });
    expect(r.isError, r.text).toBe(false);
    expect(r.body.items).toEqual([
      {
        gid: launches,
        type: "portfolio",
        name: "Product launches 2025",
        owner_gid: SANDBOX_USER_GIDS.oauth,
        current_status: { title: "Launches mostly on track" },
      },
      expect.objectContaining({ gid: ACME_PROJECTS[4], type: "project" }),
    ]);
  });

  it("names the identity when a portfolio is private to others, unknown, or a project's gid", async () => {
    const h = await hs.start();
    const privateOne = errorOf(await h.call("get_portfolio", { portfolio_gid: leadership }));
    expect(privateOne.code).toBe("forbidden");
    expect(privateOne.message).toContain(ADA);
    for (const gid of [UNKNOWN_GID, DEMO_PROJECT_GID]) {
      expect(errorOf(await h.call("get_portfolio", { portfolio_gid: gid })).code).toBe("not_found");
    }
  });

  it("is forbidden to an identity outside the portfolio's workspace", async () => {
    const h = await hs.start(BOT_ONLY, dataWith(withSidePortfolio));
    const error = errorOf(await h.call("get_portfolio", { portfolio_gid: SIDE_PORTFOLIO }));
    expect(error.code).toBe("forbidden");
    expect(error.message).toContain(BOT);
  });

  it("is bounded: shows at most limit items, reads at most two pages, and says so", async () => {
    const h = await hs.start(PAT_AND_BOT, dataWith(withBigPortfolio));
    const r = await h.call("get_portfolio", { portfolio_gid: BIG_PORTFOLIO, limit: 10 });
    expect(r.isError, r.text).toBe(false);
    expect(r.body.items).toHaveLength(10);
    expect(r.body.truncated).toBe("showing 10 of 200+ items: only the first 200 are read");
    const pages = sent(h).filter((q) => q.path === `/portfolios/${BIG_PORTFOLIO}/items`);
    expect(pages).toHaveLength(2);
    expect(pages.every((q) => q.query.limit === "100")).toBe(true);
  });

  it("keeps to ASANA_WORKSPACES: a portfolio of another workspace is refused after one workspace lookup", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_WORKSPACES: ACME }, dataWith(withSidePortfolio));
    const error = errorOf(await h.call("get_portfolio", { portfolio_gid: SIDE_PORTFOLIO }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain("ASANA_WORKSPACES");
    expect(sent(h).map((q) => [q.path, q.query.opt_fields])).toEqual([
      [`/portfolios/${SIDE_PORTFOLIO}`, "workspace"],
    ]);
    // Allowed workspace: the lookup, then the two reads.
    const ok = await h.call("get_portfolio", { portfolio_gid: launches });
    expect(ok.isError, ok.text).toBe(false);
  });

  it("refuses a project's gid given as a portfolio under ASANA_WORKSPACES: the lookup finds no portfolio", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_WORKSPACES: ACME });
    const error = errorOf(await h.call("get_portfolio", { portfolio_gid: DEMO_PROJECT_GID }));
    expect(error.code).toBe("not_found");
    expect(sent(h).map((q) => q.path)).toEqual([`/portfolios/${DEMO_PROJECT_GID}`]);
  });

  it("under ASANA_PROJECTS shows only allowed projects among the items and counts the others", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_PROJECTS: DEMO_PROJECT_GID });
    const r = await h.call("get_portfolio", { portfolio_gid: launches });
    expect(r.isError, r.text).toBe(false);
    expect((r.body.items as Item[]).map((i) => i.gid)).toEqual([DEMO_PROJECT_GID]);
    expect(r.body.outside_items).toBe("3 projects outside this server's allow-list");
    for (const outside of ACME_PROJECTS.slice(1)) expect(r.text).not.toContain(outside);
    expect(r.text).not.toContain("Vendor contract slipping");
  });

  it("under ASANA_PROJECTS leaves nested portfolios out, and refuses a portfolio with no allowed project", async () => {
    const fifth = ACME_PROJECTS[4] ?? "";
    const h = await hs.start({ ...GRACE, ASANA_PROJECTS: fifth });
    const r = await h.call("get_portfolio", { portfolio_gid: leadership });
    expect(r.isError, r.text).toBe(false);
    expect((r.body.items as Item[]).map((i) => i.gid)).toEqual([fifth]);
    expect(r.body.outside_items).toBe("1 portfolio outside this server's allow-list");
    expect(r.text).not.toContain("Product launches 2025");

    const none = errorOf(await h.call("get_portfolio", { portfolio_gid: launches }));
    expect(none.code).toBe("policy_denied");
    expect(none.message).not.toContain("Product launches");
  });

  it("holds both lists together: allowed projects of an allowed workspace only", async () => {
    const h = await hs.start(
      { ...PAT_AND_BOT, ASANA_WORKSPACES: ACME, ASANA_PROJECTS: DEMO_PROJECT_GID },
      dataWith(withSidePortfolio),
    );
    expect(errorOf(await h.call("get_portfolio", { portfolio_gid: SIDE_PORTFOLIO })).code).toBe(
      "policy_denied",
    );
    const r = await h.call("get_portfolio", { portfolio_gid: launches });
    expect((r.body.items as Item[]).map((i) => i.gid)).toEqual([DEMO_PROJECT_GID]);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "get_portfolio", [
      [{}, "portfolio_gid"],
      [{ portfolio_gid: "launches" }, "portfolio_gid: must be an Asana gid"],
      [{ portfolio_gid: launches, limit: 500 }, "limit"],
      [{ portfolio_gid: launches, fields: "all" }, 'unknown argument "fields"'],
    ]);
  });
});

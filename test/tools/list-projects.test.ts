import { afterEach, describe, expect, it } from "vitest";
import { demoData, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { errorOf, type Harness, startHarness } from "../helpers/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Page {
  workspace_gid: string;
  projects: Array<{ gid: string; name: string; team?: string; archived?: boolean }>;
  next_cursor: string | null;
}

async function firstWorkspace(harness: Harness, token: string): Promise<string> {
  const response = await fetch(`${harness.baseUrl}/users/me`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const { data } = (await response.json()) as { data: { workspaces: Array<{ gid: string; name: string }> } };
  return data.workspaces[0]!.gid;
}

describe("list_projects", () => {
  it("lists the only visible workspace without workspace_gid and follows next_page to the last page", async () => {
    h = await startHarness({ env: { ASANA_BOT_PAT: SANDBOX_TOKENS.bot } });
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const outcome = await h.call("list_projects", { limit: 100, ...(cursor ? { cursor } : {}) });
      expect(outcome.isError, outcome.text).toBe(false);
      const page = outcome.body as unknown as Page;
      for (const project of page.projects) {
        expect(project.archived).toBeUndefined();
        seen.add(project.gid);
      }
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(cursor).toBeNull();

    // Every unarchived project Asana (the fake) holds for that workspace, exactly once.
    const listings = h.fake.requests.filter((r) => r.path === "/projects");
    const workspace = listings[0]?.query.workspace;
    const expected = await countProjects(h, workspace!, false);
    expect(seen.size).toBe(expected);
    expect(pages).toBe(Math.ceil(expected / 100));
    expect(expected).toBeGreaterThan(200);
    expect(listings.every((r) => r.query.limit === "100" && r.query.archived === "false")).toBe(true);
  });

  it("lists archived projects when asked", async () => {
    h = await startHarness({ env: { ASANA_BOT_PAT: SANDBOX_TOKENS.bot } });
    const outcome = await h.call("list_projects", { archived: true, limit: 100 });
    const page = outcome.body as unknown as Page;
    // Exactly the workspace's archived projects: the flag comes from Asana's filter, not a field.
    const archived = (demoData().projects ?? []).filter(
      (p) => p.archived && p.workspace === page.workspace_gid,
    );
    expect(archived.length).toBeGreaterThan(0);
    expect(page.projects.map((p) => p.gid).sort()).toEqual(archived.map((p) => p.gid).sort());
    expect(page.projects.every((p) => p.archived === true)).toBe(true);
    const listing = h.fake.requests.find((r) => r.path === "/projects");
    expect(listing?.query).toMatchObject({ archived: "true", opt_fields: "name,team.name" });
  });

  it("asks for workspace_gid, listing the candidates, when the identity sees several", async () => {
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat } });
    const before = h.fake.requests.length;
    const error = errorOf(await h.call("list_projects"));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toMatch(
      /workspace_gid is required: Ada Lovelace sees 2 workspaces: \d+ \(Acme Corp/,
    );
    expect(h.fake.requests.length).toBe(before);

    const workspace = await firstWorkspace(h, SANDBOX_TOKENS.pat);
    const ok = await h.call("list_projects", { workspace_gid: workspace, limit: 5 });
    expect(ok.isError).toBe(false);
    expect((ok.body as unknown as Page).projects).toHaveLength(5);
  });

  it("refuses bad arguments before any request", async () => {
    h = await startHarness({ env: { ASANA_BOT_PAT: SANDBOX_TOKENS.bot } });
    const before = h.fake.requests.length;
    for (const args of [
      { workspace_gid: "abc" },
      { workspace_gid: "12/../34" },
      { workspace_gid: "١٢٣" },
      { limit: 0 },
      { limit: 101 },
      { limit: 2.5 },
      { cursor: "not a cursor!" },
      { surprise: true },
    ]) {
      const error = errorOf(await h.call("list_projects", args));
      expect(error.code, JSON.stringify(args)).toBe("invalid_input");
    }
    expect(h.fake.requests.length).toBe(before);
    expect(errorOf(await h.call("list_projects", { surprise: true })).message).toContain(
      'unknown argument "surprise"',
    );
    expect(errorOf(await h.call("list_projects", { limit: 101 })).message).toContain(
      "limit: must be at most 100",
    );
  });

  it("refuses a cursor from another listing", async () => {
    h = await startHarness({ env: { ASANA_BOT_PAT: SANDBOX_TOKENS.bot } });
    const first = (await h.call("list_projects", { limit: 10 })).body as unknown as Page;
    expect(first.next_cursor).toBeTruthy();
    const error = errorOf(await h.call("list_projects", { archived: true, cursor: first.next_cursor! }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("cursor");
  });

  it("reports Asana's failures as actionable errors naming the identity", async () => {
    h = await startHarness({ env: { ASANA_BOT_PAT: SANDBOX_TOKENS.bot } });
    const cases: Array<[number, string]> = [
      [402, "payment_required"],
      [403, "forbidden"],
      [404, "not_found"],
    ];
    for (const [status, code] of cases) {
      h.fake.inject({ path: "/projects", type: "status", status });
      const error = errorOf(await h.call("list_projects"));
      expect(error.code).toBe(code);
      expect(error.message).toContain("Acme Bot (bot account, ASANA_BOT_PAT)");
      expect(error.hint.length).toBeGreaterThan(20);
    }
  });
});

async function countProjects(h: Harness, workspace: string, archived: boolean): Promise<number> {
  let count = 0;
  let offset: string | undefined;
  do {
    const url = new URL(`${h.baseUrl}/projects`);
    url.searchParams.set("workspace", workspace);
    url.searchParams.set("archived", String(archived));
    url.searchParams.set("limit", "100");
    if (offset) url.searchParams.set("offset", offset);
    const response = await fetch(url, { headers: { authorization: `Bearer ${SANDBOX_TOKENS.bot}` } });
    const body = (await response.json()) as { data: unknown[]; next_page: { offset: string } | null };
    count += body.data.length;
    offset = body.next_page?.offset;
  } while (offset);
  return count;
}

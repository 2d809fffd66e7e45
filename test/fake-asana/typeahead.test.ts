// GET /workspaces/{workspace_gid}/typeahead in the sandbox, over real HTTP, as Asana's spec describes it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  SANDBOX_TOKENS,
  SANDBOX_USER_GIDS,
  SANDBOX_WORKSPACE_GIDS,
} from "../../src/sandbox/demo-data.js";
import { DEMO_PORTFOLIO_GIDS, DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import { validateRequest } from "../contract/spec.js";
import { type StartedFakeAsana, startFakeAsana } from "./index.js";

type Rec = Record<string, unknown> & { gid: string; name: string; resource_type: string };
interface Answer {
  status: number;
  body: { data?: Rec[]; next_page?: unknown; errors?: Array<{ message: string }> };
}

const ACME = SANDBOX_WORKSPACE_GIDS.acme;
const SIDE = SANDBOX_WORKSPACE_GIDS.side;

let s: StartedFakeAsana;
beforeAll(async () => {
  s = await startFakeAsana();
});
afterAll(() => s.close());

async function typeahead(
  query: Record<string, string>,
  options: { workspace?: string; token?: string; inSpec?: boolean } = {},
): Promise<Answer> {
  const path = `/workspaces/${options.workspace ?? ACME}/typeahead`;
  if (options.inSpec !== false) {
    expect(validateRequest({ method: "GET", path, query }), `typeahead ${JSON.stringify(query)}`).toEqual([]);
  }
  const response = await fetch(`${s.baseUrl}${path}?${new URLSearchParams(query).toString()}`, {
    headers: { authorization: `Bearer ${options.token ?? SANDBOX_TOKENS.pat}` },
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}
const names = (a: Answer) => (a.body.data ?? []).map((r) => r.name);

async function allProjectNames(workspace: string): Promise<string[]> {
  const response = await fetch(`${s.baseUrl}/workspaces/${workspace}/projects?limit=100`, {
    headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
  });
  const out: string[] = [];
  let body = (await response.json()) as { data: Rec[]; next_page: { uri: string } | null };
  out.push(...body.data.map((p) => p.name));
  while (body.next_page) {
    const next = await fetch(body.next_page.uri, {
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
    });
    body = (await next.json()) as typeof body;
    out.push(...body.data.map((p) => p.name));
  }
  return out;
}

describe("typeahead", () => {
  it("defaults to users and answers compact records, one page", async () => {
    // The spec marks resource_type required yet gives it a default; the sandbox honours the default.
    const answer = await typeahead({ query: "ada" }, { inSpec: false });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual([
      { gid: SANDBOX_USER_GIDS.pat, resource_type: "user", name: "Ada Lovelace" },
    ]);
    expect(answer.body).not.toHaveProperty("next_page");
    // Users are found by email too.
    expect(names(await typeahead({ resource_type: "user", query: "grace@" }))).toEqual(["Grace Hopper"]);
  });

  it("matches names by word prefix, case-insensitively, every query word", async () => {
    const launch = names(await typeahead({ resource_type: "project", query: "LAUN", count: "100" }));
    expect(launch).toContain("Q3 Product Launch");
    expect(launch.length).toBeGreaterThan(5);
    for (const name of launch) expect(name.toLowerCase()).toMatch(/(^|[^\p{L}\p{N}])laun/u);
    // Not a substring search: "aunch" starts no word.
    expect(names(await typeahead({ resource_type: "project", query: "aunch" }))).toEqual([]);
    // Several words: each starts some word, in any order.
    expect(names(await typeahead({ resource_type: "project", query: "prod q3" }))).toEqual([
      "Q3 Product Launch",
    ]);
    expect(names(await typeahead({ resource_type: "project", query: "q3 zebra" }))).toEqual([]);
    // Punctuation does not split a match from its word: "Security & Compliance".
    const security = names(
      await typeahead({ resource_type: "project", query: "security & comp", count: "100" }),
    );
    expect(security.length).toBeGreaterThan(0);
    for (const name of security) expect(name).toMatch(/^Security & Compliance/);
  });

  it("puts names that start with the query first", async () => {
    const found = names(await typeahead({ resource_type: "project", query: "launch", count: "100" }));
    const firstOther = found.findIndex((n) => !n.toLowerCase().startsWith("launch"));
    const lastStarting = found.map((n) => n.toLowerCase().startsWith("launch")).lastIndexOf(true);
    expect(lastStarting < firstOther || lastStarting === -1).toBe(true);
  });

  it("counts 20 by default, up to 100, and refuses counts outside 1..100", async () => {
    const all = await allProjectNames(ACME);
    expect(all.length).toBeGreaterThan(100);
    expect(names(await typeahead({ resource_type: "project" }))).toHaveLength(20);
    expect(names(await typeahead({ resource_type: "project", count: "5" }))).toHaveLength(5);
    expect(names(await typeahead({ resource_type: "project", count: "100" }))).toHaveLength(100);
    for (const count of ["0", "101", "ten"]) {
      const refused = await typeahead({ resource_type: "project", count }, { inSpec: false });
      expect(refused.status, count).toBe(400);
      expect(refused.body.errors?.[0]?.message).toBe("count: Must be between 1 and 100");
    }
  });

  it("answers an empty or missing query with results, scoped to the workspace", async () => {
    const empty = names(await typeahead({ resource_type: "project", query: "", count: "100" }));
    const missing = names(await typeahead({ resource_type: "project", count: "100" }));
    expect(empty).toEqual(missing);
    const acme = new Set(await allProjectNames(ACME));
    const side = new Set(await allProjectNames(SIDE));
    for (const name of empty) expect(acme.has(name), name).toBe(true);
    const sideFound = names(await typeahead({ resource_type: "project", count: "100" }, { workspace: SIDE }));
    expect(sideFound.length).toBe(side.size);
    for (const name of sideFound) expect(side.has(name), name).toBe(true);
  });

  it("finds tasks, tags and teams of the workspace", async () => {
    const task = await typeahead({ resource_type: "task", query: "prepare q3 launch" });
    expect(task.body.data?.[0]).toMatchObject({ gid: DEMO_TASK_GID, resource_type: "task" });
    expect(await typeahead({ resource_type: "tag", query: "bl" })).toMatchObject({
      body: { data: [{ gid: DEMO_TAG_GIDS.blocked, resource_type: "tag", name: "blocked" }] },
    });
    expect(names(await typeahead({ resource_type: "team", query: "eng" }))).toEqual(["Engineering"]);
    // A side-workspace task is not found from Acme.
    expect(names(await typeahead({ resource_type: "task", query: "tomato" }))).toEqual([]);
    expect(names(await typeahead({ resource_type: "task", query: "tomato" }, { workspace: SIDE }))).toContain(
      "Order tomato seedlings",
    );
  });

  it("shows portfolios only to those who can see them", async () => {
    const ada = names(await typeahead({ resource_type: "portfolio" }));
    expect(ada).toEqual(["Product launches 2025"]);
    const grace = await typeahead({ resource_type: "portfolio" }, { token: SANDBOX_TOKENS.oauth });
    expect((grace.body.data ?? []).map((p) => p.gid).sort()).toEqual(
      Object.values(DEMO_PORTFOLIO_GIDS).sort(),
    );
  });

  it("renders what opt_fields asks for", async () => {
    const answer = await typeahead(
      { resource_type: "project", query: "q3 product", opt_fields: "name,workspace.name" },
      { inSpec: false },
    );
    expect(answer.body.data).toEqual([
      {
        gid: DEMO_PROJECT_GID,
        resource_type: "project",
        name: "Q3 Product Launch",
        workspace: { gid: ACME, resource_type: "workspace", name: "Acme Corp (sandbox)" },
      },
    ]);
  });

  it("accepts every type the spec lists and refuses others; the deprecated `type` still works", async () => {
    for (const type of ["goal", "project_template", "agent"]) {
      expect(await typeahead({ resource_type: type })).toMatchObject({ status: 200, body: { data: [] } });
    }
    expect(names(await typeahead({ resource_type: "actor", query: "alan" }))).toEqual(["Alan Turing"]);
    expect(names(await typeahead({ resource_type: "custom_field", query: "prio" }))).toEqual(["Priority"]);
    expect(names(await typeahead({ type: "project", query: "q3 prod" }, { inSpec: false }))).toEqual([
      "Q3 Product Launch",
    ]);
    const refused = await typeahead({ resource_type: "projects" }, { inSpec: false });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.message).toBe("resource_type: Not a valid enum value: projects");
  });

  it("refuses a workspace the user is not in, and a token without the typeahead scope", async () => {
    expect(
      (await typeahead({ resource_type: "user", query: "a" }, { workspace: SIDE, token: SANDBOX_TOKENS.bot }))
        .status,
    ).toBe(403);
    s.fake.addToken({ token: "narrow", userGid: SANDBOX_USER_GIDS.pat, oauthScopes: ["tasks:read"] });
    expect((await typeahead({ resource_type: "user", query: "a" }, { token: "narrow" })).status).toBe(403);
    s.fake.addToken({
      token: "typeahead",
      userGid: SANDBOX_USER_GIDS.pat,
      oauthScopes: ["workspaces.typeahead:read"],
    });
    expect((await typeahead({ resource_type: "user", query: "ada" }, { token: "typeahead" })).status).toBe(
      200,
    );
  });
});

// The portfolio and goal tools' requests, checked against Asana's OpenAPI spec (the allow-list
// lookups included), and the sandbox's portfolio and goal endpoints against the spec: they refuse
// what Asana refuses and answer each opt_field the spec lists.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, SANDBOX_TOKENS, SANDBOX_WORKSPACE_GIDS } from "../../src/sandbox/demo-data.js";
import { DEMO_GOAL_GIDS, DEMO_PORTFOLIO_GIDS, DEMO_TIME_PERIOD_GIDS } from "../../src/sandbox/demo-world.js";
import { type StartedFakeAsana, startFakeAsana } from "../fake-asana/index.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { validateRequest } from "./spec.js";

const ACME = SANDBOX_WORKSPACE_GIDS.acme;
const { launches, leadership } = DEMO_PORTFOLIO_GIDS;

function checkAll(h: Harness): Set<string> {
  for (const r of h.fake.requests) {
    const problems = validateRequest({
      method: r.method,
      path: r.path,
      query: r.query,
      body: r.body ?? undefined,
    });
    expect(problems, `${r.method} ${r.path}?${new URLSearchParams(r.query)}`).toEqual([]);
  }
  return new Set(h.fake.requests.map((r) => `${r.method} ${r.path.replace(/\d{6,}/g, "{gid}")}`));
}

describe("portfolio and goal tool requests", () => {
  const open: Harness[] = [];
  const start = async (env: Record<string, string>) => {
    const h = await startHarness({ env });
    open.push(h);
    return h;
  };
  afterAll(async () => {
    await Promise.all(open.map((h) => h.close()));
  });

  it("match Asana's OpenAPI spec, with and without allow-lists", async () => {
    const runs: Array<[Record<string, string>, Array<[string, Record<string, unknown>]>]> = [
      [
        { ASANA_PAT: SANDBOX_TOKENS.oauth },
        [
          ["list_portfolios", { workspace_gid: ACME, limit: 1 }],
          ["get_portfolio", { portfolio_gid: leadership }],
          [
            "list_goals",
            { workspace_gid: ACME, is_workspace_level: true, time_period_gid: DEMO_TIME_PERIOD_GIDS.fy25 },
          ],
          ["list_goals", { team_gid: "1203000000000002", limit: 5 }],
          ["list_goals", { portfolio_gid: launches }],
          ["get_goal", { goal_gid: DEMO_GOAL_GIDS.hiring }],
        ],
      ],
      [
        { ASANA_SERVICE_ACCOUNT_TOKEN: SANDBOX_TOKENS.service_account },
        [["list_portfolios", { owner: null }]],
      ],
      [
        { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_WORKSPACES: ACME },
        [
          ["get_portfolio", { portfolio_gid: launches, limit: 2 }],
          ["get_goal", { goal_gid: DEMO_GOAL_GIDS.launch }],
          ["list_goals", { portfolio_gid: launches }],
        ],
      ],
      [
        { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_WORKSPACES: ACME, ASANA_PROJECTS: DEMO_PROJECT_GID },
        [
          ["get_portfolio", { portfolio_gid: launches }],
          ["get_goal", { goal_gid: DEMO_GOAL_GIDS.launch }],
          ["list_goals", { project_gid: DEMO_PROJECT_GID }],
        ],
      ],
    ];
    const seen = new Set<string>();
    for (const [env, calls] of runs) {
      const h = await start(env);
      for (const [name, args] of calls) {
        const out = await h.call(name, args);
        expect(out.isError, `${name}: ${out.text}`).toBe(false);
      }
      for (const op of checkAll(h)) seen.add(op);
    }
    expect(seen).toEqual(
      new Set([
        "GET /users/me",
        "GET /portfolios",
        "GET /portfolios/{gid}",
        "GET /portfolios/{gid}/items",
        "GET /goals",
        "GET /goals/{gid}",
        "GET /goals/{gid}/parentGoals",
        "GET /projects/{gid}",
      ]),
    );
  });
});

interface Op {
  parameters: Array<{ name?: string; schema?: { items?: { enum?: string[] } } }>;
}
const subset = JSON.parse(readFileSync(new URL("./asana-oas-subset.json", import.meta.url), "utf8")) as {
  paths: Record<string, { get: Op }>;
};
const optFields = (path: string): string[] =>
  (subset.paths[path]?.get.parameters.find((p) => p.name === "opt_fields")?.schema?.items?.enum ?? []).filter(
    // Custom fields, pagination fields and what the sandbox keeps no record of (project templates).
    (f) => !/^(custom_field|offset$|path$|uri$)/.test(f),
  );

describe("the sandbox's portfolio and goal endpoints", () => {
  let s: StartedFakeAsana;
  beforeAll(async () => {
    s = await startFakeAsana();
  });
  afterAll(() => s.close());
  const get = async (path: string, query: Record<string, string>, token = SANDBOX_TOKENS.pat) => {
    const url = `${s.baseUrl}${path}?${new URLSearchParams(query)}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    return {
      status: response.status,
      body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> },
    };
  };

  it("refuses what Asana refuses", async () => {
    const cases: Array<[string, Record<string, string>, number, string, string?]> = [
      ["/portfolios", { owner: "me" }, 400, "workspace: Missing input"],
      // A person may list only their own portfolios, and must say so.
      ["/portfolios", { workspace: ACME }, 400, "owner: Missing input"],
      ["/portfolios", { workspace: ACME, owner: "1201000000000004" }, 403, "own"],
      ["/goals", {}, 400, "Must specify one of"],
      ["/goals", { team: "1203000000000002", is_workspace_level: "true" }, 400, "is_workspace_level"],
      ["/time_periods", {}, 400, "workspace: Missing input"],
      [`/portfolios/${DEMO_PROJECT_GID}`, {}, 404, "Unknown object"],
      [`/goals/${DEMO_PROJECT_GID}`, {}, 404, "Unknown object"],
      // Private to Grace: Ada is no member.
      [`/portfolios/${leadership}/items`, {}, 403, "Forbidden"],
      [`/goals/${DEMO_GOAL_GIDS.hiring}`, {}, 403, "Forbidden"],
    ];
    for (const [path, query, status, message] of cases) {
      const answer = await get(path, query);
      expect(answer.status, `${path} ${JSON.stringify(query)}`).toBe(status);
      expect(answer.body.errors?.[0]?.message).toContain(message);
    }
    // What the spec itself states as required is flagged by the contract check too.
    expect(validateRequest({ method: "GET", path: "/portfolios", query: { owner: "me" } })).not.toEqual([]);
    expect(validateRequest({ method: "GET", path: "/time_periods", query: {} })).not.toEqual([]);
    // A service account may list the whole workspace's.
    const all = await get("/portfolios", { workspace: ACME }, SANDBOX_TOKENS.service_account);
    expect(all.status).toBe(200);
    expect(all.body.data).toHaveLength(2);
  });

  it.each([
    ["/portfolios/{portfolio_gid}", `/portfolios/${launches}`],
    ["/portfolios/{portfolio_gid}/items", `/portfolios/${leadership}/items`],
    ["/goals/{goal_gid}", `/goals/${DEMO_GOAL_GIDS.launch}`],
    ["/goals/{goal_gid}/parentGoals", `/goals/${DEMO_GOAL_GIDS.launch}/parentGoals`],
    ["/portfolios", "/portfolios"],
  ])("GET %s answers each opt_field the spec lists", async (template, path) => {
    const fields = optFields(template);
    expect(fields.length).toBeGreaterThan(10);
    const query: Record<string, string> = template === "/portfolios" ? { workspace: ACME, owner: "me" } : {};
    const unanswered: string[] = [];
    for (const field of fields) {
      expect(validateRequest({ method: "GET", path, query: { ...query, opt_fields: field } })).toEqual([]);
      const answer = await get(path, { ...query, opt_fields: field }, SANDBOX_TOKENS.oauth);
      const data = answer.body.data;
      const records = Array.isArray(data) ? data : [data];
      // Items are projects and portfolios: a field of one kind is answered by the records of that kind.
      if (
        answer.status !== 200 ||
        records.length === 0 ||
        !records.some((r) => answered(r, field.split(".")))
      ) {
        unanswered.push(field);
      }
    }
    expect(unanswered).toEqual([]);
  });
});

/** Whether `parts` can be followed in `value`; a null or an empty list on the way counts as answered. */
function answered(value: unknown, parts: string[]): boolean {
  if (parts.length === 0) return value !== undefined;
  if (value === null) return true;
  if (Array.isArray(value)) return value.length === 0 || value.some((v) => answered(v, parts));
  if (typeof value !== "object") return false;
  const [head, ...rest] = parts;
  return answered((value as Record<string, unknown>)[head as string], rest);
}

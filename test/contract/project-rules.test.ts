// The sandbox and Asana's spec agree on the project rules the project tools depend on: each rule the
// sandbox enforces on a project's dates is stated in the spec's words (asana-field-rules.json), the
// sandbox refuses a request breaking it and changes nothing, and accepts the nearest one keeping it;
// enums and unknown fields are refused as Asana refuses them.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { PROJECT_RULES } from "../../src/sandbox/project-model.js";
import { type StartedFakeAsana, startFakeAsana } from "../fake-asana/index.js";
import { validateRequest } from "./spec.js";

const rulesFile = JSON.parse(readFileSync(new URL("./asana-field-rules.json", import.meta.url), "utf8")) as {
  properties: Record<string, { description: string; enum?: unknown[] }>;
};
const prose = (text: string) => text.replace(/\s+/g, " ");
const MARKETING = "1203000000000002";

let s: StartedFakeAsana;
beforeAll(async () => {
  s = await startFakeAsana();
});
afterAll(() => s.close());

async function send(method: string, path: string, data: Record<string, unknown>) {
  const response = await fetch(`${s.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}`, "content-type": "application/json" },
    body: JSON.stringify({ data }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { errors?: Array<{ message: string }> },
  };
}

describe("the spec states every project rule the sandbox enforces", () => {
  for (const rule of Object.values(PROJECT_RULES)) {
    it(rule.id, () => {
      const property = rulesFile.properties[rule.property];
      expect(property).toBeDefined();
      if (rule.quote === null) {
        expect("why" in rule && rule.why).toMatch(/.{40}/);
        return;
      }
      expect(prose(property?.description ?? "")).toContain(prose(rule.quote));
    });
  }

  it("the sandbox's colors are the spec's enum", async () => {
    const { PROJECT_COLORS } = await import("../../src/sandbox/project-model.js");
    const { PROJECT_COLORS: TOOL_COLORS } = await import("../../src/tools/project-common.js");
    expect([...PROJECT_COLORS, null]).toEqual(rulesFile.properties["ProjectBase.color"]?.enum);
    expect(TOOL_COLORS).toEqual(PROJECT_COLORS);
  });
});

type Data = Record<string, unknown>;
const CASES: Array<{ why: string; bad: Data; ok: Data; message: string }> = [
  {
    why: "a start date needs a due date",
    bad: { start_on: "2026-01-01" },
    ok: { start_on: "2026-01-01", due_on: "2026-02-01" },
    message: PROJECT_RULES.startNeedsDue.message,
  },
  {
    why: "unsetting a start date needs a due date too",
    bad: { start_on: null },
    ok: { start_on: null, due_on: null },
    message: PROJECT_RULES.startNeedsDue.message,
  },
  {
    why: "not the same date",
    bad: { start_on: "2026-01-01", due_on: "2026-01-01" },
    ok: { start_on: "2026-01-01", due_on: "2026-01-02" },
    message: PROJECT_RULES.notSameDate.message,
  },
  {
    why: "start before due",
    bad: { start_on: "2026-03-01", due_on: "2026-01-01" },
    ok: { start_on: "2026-01-01", due_on: "2026-03-01" },
    message: PROJECT_RULES.startBeforeDue.message,
  },
  {
    why: "a real date",
    bad: { due_on: "2026-02-30" },
    ok: { due_on: "2026-02-28" },
    message: PROJECT_RULES.dates.message,
  },
  {
    why: "the color enum",
    bad: { color: "teal" },
    ok: { color: "dark-teal" },
    message: "Not a valid enum value",
  },
  {
    why: "the default_view enum",
    bad: { default_view: "gantt" },
    ok: { default_view: "timeline" },
    message: "Not a valid enum value",
  },
  {
    why: "the privacy enum",
    bad: { privacy_setting: "secret" },
    ok: { privacy_setting: "private" },
    message: "Not a valid enum value",
  },
  { why: "no unknown field", bad: { gid: "1" }, ok: { name: "Known" }, message: "Unknown property" },
];

describe("the sandbox refuses what breaks a rule and accepts what keeps it", () => {
  for (const c of CASES) {
    it(`PUT: ${c.why}`, async () => {
      const path = `/projects/${DEMO_PROJECT_GID}`;
      const before = s.fake.project(DEMO_PROJECT_GID);
      const refused = await send("PUT", path, c.bad);
      expect(refused.status).toBe(400);
      expect(refused.body.errors?.[0]?.message).toContain(c.message);
      expect(s.fake.project(DEMO_PROJECT_GID)).toEqual(before);
      const accepted = await send("PUT", path, c.ok);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      expect(validateRequest({ method: "PUT", path, query: {}, body: { data: c.ok } })).toEqual([]);
    });
  }

  it("POST: a create breaking a rule makes nothing", async () => {
    for (const c of CASES.slice(0, 4)) {
      const name = `refused ${c.why}`;
      const refused = await send("POST", `/teams/${MARKETING}/projects`, { name, ...c.bad });
      expect(refused.status).toBe(400);
      expect(s.fake.projectsNamed(name)).toEqual([]);
    }
  });

  it("an organization's project needs a team; a plain workspace's has none", async () => {
    const org = await send("POST", "/workspaces/1202000000000001/projects", { name: "No team" });
    expect(org.body.errors?.[0]?.message).toBe("Missing required `team` field");
    const plain = await send("POST", "/projects", {
      name: "Teamed",
      workspace: "1202000000000002",
      team: MARKETING,
    });
    expect(plain.status).toBe(400);
    expect(s.fake.projectsNamed("No team")).toEqual([]);
    expect(s.fake.projectsNamed("Teamed")).toEqual([]);
  });
});

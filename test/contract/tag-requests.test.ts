// The tag tools' requests checked against Asana's OpenAPI spec, and the sandbox's tag endpoints
// refusing what Asana refuses (and changing nothing when they do).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_TOKENS, SANDBOX_WORKSPACE_GIDS } from "../../src/sandbox/demo-data.js";
import { DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import { TAG_COLORS as SANDBOX_COLORS } from "../../src/sandbox/routes-tags.js";
import { TAG_COLORS } from "../../src/tools/tag-fields.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { validateRequest } from "./spec.js";

const ACME = SANDBOX_WORKSPACE_GIDS.acme;
const LAUNCH = DEMO_TAG_GIDS.launch;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: {
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
      ASANA_TOOLSETS: "tasks,tags",
      ASANA_TIMEOUT_MS: "10000",
    },
  });
});
afterAll(() => h.close());

async function api(method: string, path: string, data: unknown) {
  const res = await fetch(`${h.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}`, "content-type": "application/json" },
    body: JSON.stringify({ data }),
  });
  return { status: res.status, body: (await res.json()) as { errors?: Array<{ message: string }> } };
}

const tagCount = () =>
  ["launch", "blocked", "c", "contract"].reduce((n, name) => n + h.fake.tagsNamed(ACME, name).length, 0);

describe("tag requests", () => {
  it("every request create_tag and update_tag build matches the spec, the read-back included", async () => {
    const start = h.fake.requests.length;
    const calls: Array<[string, Record<string, unknown>]> = [
      ["create_tag", { workspace_gid: ACME, name: "c" }],
      ["create_tag", { workspace_gid: ACME, name: "contract", color: "dark-warm-gray", notes: "n" }],
      ["update_tag", { tag_gid: LAUNCH, name: "launch", color: null, notes: "" }],
      ["update_tag", { tag_gid: LAUNCH, color: "light-teal" }],
    ];
    for (const [name, args] of calls) {
      const out = await h.call(name, args);
      expect(out.isError, `${name}: ${out.text}`).toBe(false);
    }
    h.fake.inject({ method: "POST", path: "/tags", type: "reset-after" });
    const settled = await h.call("create_tag", {
      workspace_gid: ACME,
      name: "contract",
      color: "dark-warm-gray",
      allow_same_name: true,
    });
    expect(settled.body.verified_after_uncertain_failure, settled.text).toBe(true);
    const requests = h.fake.requests.slice(start);
    expect(new Set(requests.map((r) => `${r.method} ${r.path.replace(/\d+/g, "{gid}")}`))).toEqual(
      new Set(["GET /workspaces/{gid}/tags", "POST /tags", "PUT /tags/{gid}"]),
    );
    for (const r of requests) {
      const problems = validateRequest({
        method: r.method,
        path: r.path,
        query: r.query,
        body: r.body ?? undefined,
      });
      expect(problems, `${r.method} ${r.path}`).toEqual([]);
    }
  });

  it("the tools and the sandbox offer exactly the spec's tag colors", () => {
    const subset = JSON.parse(readFileSync(new URL("./asana-oas-subset.json", import.meta.url), "utf8")) as {
      components: {
        schemas: { TagBase: { allOf: Array<{ properties?: { color?: { enum: unknown[] } } }> } };
      };
    };
    const colors = subset.components.schemas.TagBase.allOf.find((s) => s.properties?.color)?.properties?.color
      ?.enum;
    expect(colors?.filter((c) => c !== null)).toEqual([...TAG_COLORS]);
    expect([...SANDBOX_COLORS]).toEqual([...TAG_COLORS]);
    expect(colors).toContain(null);
  });
});

describe("the sandbox's tag endpoints refuse what Asana refuses", () => {
  const cases: Array<{
    what: string;
    method: string;
    path: string;
    data: unknown;
    spec: boolean;
    error: string;
  }> = [
    // The spec's enum and request schemas say these; validateRequest must flag them too.
    {
      what: "a color outside the enum",
      method: "POST",
      path: "/tags",
      data: { workspace: ACME, name: "x", color: "red" },
      spec: true,
      error: "color: Not a valid enum value: red",
    },
    {
      what: "a color outside the enum, on update",
      method: "PUT",
      path: `/tags/${LAUNCH}`,
      data: { color: "blue" },
      spec: true,
      error: "color: Not a valid enum value: blue",
    },
    // Said in the spec's prose only: "Every tag is required to be created in a specific workspace".
    {
      what: "a tag without a workspace",
      method: "POST",
      path: "/tags",
      data: { name: "x" },
      spec: false,
      error: "workspace: Missing input",
    },
    {
      what: "a field tags do not have",
      method: "POST",
      path: "/tags",
      data: { workspace: ACME, name: "x", due_on: "2026-01-01" },
      spec: false,
      error: "due_on: Unknown property",
    },
    // "this cannot be changed once set": TagUpdateRequest has no workspace.
    {
      what: "moving a tag to another workspace",
      method: "PUT",
      path: `/tags/${LAUNCH}`,
      data: { workspace: SANDBOX_WORKSPACE_GIDS.side },
      spec: false,
      error: "workspace: Unknown property",
    },
    {
      what: "a workspace in the body of the workspace's own create",
      method: "POST",
      path: `/workspaces/${ACME}/tags`,
      data: { workspace: ACME, name: "x" },
      spec: false,
      error: "workspace: Unknown property",
    },
  ];

  it.each(cases)("$what: 400, nothing changed", async ({ method, path, data, spec, error }) => {
    if (spec) expect(validateRequest({ method, path, query: {}, body: { data } })).not.toEqual([]);
    const before = tagCount();
    const launch = h.fake.tagsNamed(ACME, "launch");
    const res = await api(method, path, data);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toBe(error);
    expect(tagCount()).toBe(before);
    expect(h.fake.tagsNamed(ACME, "launch")).toEqual(launch);
  });

  it("a task's gid is no tag: updating it is a 404", async () => {
    const task = h.fake.tasksNamed("Prepare the Q3 launch checklist")[0] ?? "";
    expect(task).not.toBe("");
    const res = await api("PUT", `/tags/${task}`, { name: "hijacked" });
    expect(res.status).toBe(404);
    expect(h.fake.task(task)?.name).toBe("Prepare the Q3 launch checklist");
  });

  it("the workspace's own create takes the workspace from the path and answers 201", async () => {
    const res = await api("POST", `/workspaces/${ACME}/tags`, { name: "contract", color: "light-red" });
    expect(res.status).toBe(201);
    expect(
      validateRequest({
        method: "POST",
        path: `/workspaces/${ACME}/tags`,
        query: {},
        body: { data: { name: "contract", color: "light-red" } },
      }),
    ).toEqual([]);
  });
});

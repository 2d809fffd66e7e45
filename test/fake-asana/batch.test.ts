// POST /batch as Asana's spec describes it: at most 10 actions, none refused, every action run
// through the sandbox's own routes (rules, scopes, faults), one {status_code, headers, body} each.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  SANDBOX_TOKENS,
  SANDBOX_USER_GIDS,
} from "../../src/sandbox/demo-data.js";
import { validateRequest } from "../contract/spec.js";
import { type StartedFakeAsana, startFakeAsana } from "./index.js";

let s: StartedFakeAsana;
beforeEach(async () => {
  s = await startFakeAsana();
});
afterEach(() => s.close());

interface Result {
  status_code: number;
  headers: Record<string, string>;
  body: { data?: { gid: string; name?: string }; errors?: Array<{ message: string }> };
}

async function batch(
  actions: unknown,
  options: { valid?: boolean; token?: string; extra?: Record<string, unknown> } = {},
): Promise<{ status: number; results: Result[]; errors?: Array<{ message: string }> }> {
  const body = { data: { actions, ...options.extra } };
  if (options.valid !== false) {
    expect(validateRequest({ method: "POST", path: "/batch", query: {}, body })).toEqual([]);
  }
  const response = await fetch(`${s.baseUrl}/batch`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${options.token ?? SANDBOX_TOKENS.pat}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { data?: Result[]; errors?: Array<{ message: string }> };
  return { status: response.status, results: json.data ?? [], errors: json.errors };
}

const createAction = (name: string) => ({
  relative_path: "/tasks",
  method: "post",
  data: { name, projects: [DEMO_PROJECT_GID] },
  options: { fields: ["name"] },
});

describe("POST /batch", () => {
  it("runs each action through its route: one result per action, in order, with its own status", async () => {
    const out = await batch([
      createAction("Made in a batch"),
      { relative_path: `/tasks/${DEMO_TASK_GID}`, method: "get", options: { fields: ["name"] } },
      { relative_path: `/tasks/${DEMO_TASK_GID}`, method: "put", data: { bogus: 1 } },
      { relative_path: "/tasks/1299999999999999", method: "get" },
      { relative_path: "/nowhere", method: "get" },
    ]);
    expect(out.status).toBe(200);
    expect(out.results.map((r) => r.status_code)).toEqual([201, 200, 400, 404, 404]);
    const made = out.results[0]!;
    expect(made.body.data?.name).toBe("Made in a batch");
    expect(made.headers.location).toBe(`/tasks/${made.body.data?.gid}`);
    expect(s.fake.tasksNamed("Made in a batch")).toEqual([made.body.data?.gid]);
    expect(out.results[1]?.body.data).toMatchObject({
      gid: DEMO_TASK_GID,
      name: "Prepare the Q3 launch checklist",
    });
    expect(out.results[2]?.body.errors?.[0]?.message).toContain("bogus");
  });

  it("refuses what the spec's BatchRequest does not allow, as a whole, running no action", async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => createAction(`Eleven ${i}`));
    const cases: Array<[unknown, string, Record<string, unknown>?]> = [
      [eleven, "at most 10"],
      [[], "at least one"],
      [[{ ...createAction("Upper"), method: "POST" }], "actions[0].method"],
      [[{ ...createAction("Extra"), headers: {} }], "actions[0].headers: Unknown property"],
      [
        [{ ...createAction("Opt"), options: { expand: ["x"] } }],
        "actions[0].options.expand: Unknown property",
      ],
      [[createAction("Beside")], "beside: Unknown property", { beside: 1 }],
      [[{ method: "get" }], "actions[0].relative_path: Missing input"],
    ];
    for (const [actions, message, extra] of cases) {
      const out = await batch(actions, { valid: false, ...(extra ? { extra } : {}) });
      expect(out.status, message).toBe(400);
      expect(out.errors?.[0]?.message, message).toContain(message);
    }
    expect(s.fake.tasksNamed("Eleven 0")).toEqual([]);
    expect(s.fake.tasksNamed("Extra")).toEqual([]);
  });

  it("refuses per action a query in relative_path and a nested batch", async () => {
    const out = await batch([
      { relative_path: `/tasks/${DEMO_TASK_GID}?opt_fields=name`, method: "get" },
      { relative_path: "/batch", method: "post", data: { actions: [createAction("Nested")] } },
      { relative_path: `/tasks/${DEMO_TASK_GID}`, method: "get", data: { opt_fields: "name" } },
    ]);
    expect(out.status).toBe(200);
    expect(out.results.map((r) => r.status_code)).toEqual([400, 400, 400]);
    expect(s.fake.tasksNamed("Nested")).toEqual([]);
  });

  it("checks each action's own OAuth scope", async () => {
    const token = "batch-read-only-token";
    s.fake.addToken({ token, userGid: SANDBOX_USER_GIDS.pat, oauthScopes: ["tasks:read"] });
    const out = await batch(
      [createAction("Scoped out"), { relative_path: `/tasks/${DEMO_TASK_GID}`, method: "get" }],
      { token },
    );
    expect(out.results.map((r) => r.status_code)).toEqual([403, 200]);
    expect(s.fake.tasksNamed("Scoped out")).toEqual([]);
  });

  it("takes faults per action: answered unmade, or made with its answer replaced", async () => {
    s.fake.inject({
      action: true,
      method: "POST",
      path: "/tasks",
      type: "status",
      status: 500,
      applied: true,
    });
    s.fake.inject({ action: true, method: "POST", path: "/tasks", type: "status", status: 503 });
    const out = await batch([createAction("Applied"), createAction("Unmade"), createAction("Clean")]);
    expect(out.results.map((r) => r.status_code)).toEqual([500, 503, 201]);
    expect(s.fake.tasksNamed("Applied")).toHaveLength(1);
    expect(s.fake.tasksNamed("Unmade")).toEqual([]);
    expect(s.fake.tasksNamed("Clean")).toHaveLength(1);
    // An action fault never hits a direct request, nor a direct fault an action.
    expect(() => s.fake.inject({ action: true, type: "reset-after" })).toThrow();
  });
});

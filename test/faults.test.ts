// Every way Asana misbehaves, against a read (list_projects) and a write (create_comment), then
// the main faults against task writes (create_task, update_task, task_links): the agent gets a
// clear result, the server stays up, and the fake's state shows nothing lost or doubled.
import { describe, expect, it } from "vitest";
import { ERROR_TABLE } from "../src/errors.js";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  SANDBOX_TOKENS,
  SANDBOX_WORKSPACE_GIDS,
} from "../src/sandbox/demo-data.js";
import { DEMO_SUBTASK_GIDS } from "../src/sandbox/demo-world.js";
import type { Fault } from "../src/sandbox/fake-asana.js";
import { errorOf, type Harness, startHarness, type ToolOutcome } from "./helpers/harness.js";

/** Each case has its own fake and server, so cases run concurrently (settling a write sleeps). */
async function withHarness(extraEnv: Record<string, string>, test: (h: Harness) => Promise<void>) {
  const h = await startHarness({ env: { ...env, ...extraEnv } });
  try {
    await test(h);
  } finally {
    await h.close();
  }
}

const env = { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot, ASANA_TIMEOUT_MS: "150" };
const READ = { method: "GET", path: "/projects" } as const;
const WRITE = { method: "POST", path: `/tasks/${DEMO_TASK_GID}/stories` } as const;
/** A fault without its target (each table applies it to its own endpoint). */
type FaultBody = Fault extends infer F ? (F extends Fault ? Omit<F, "method" | "path"> : never) : never;

interface Case {
  name: string;
  faults: FaultBody[];
  /** "ok", or the error code the agent must get. */
  expected: "ok" | keyof typeof ERROR_TABLE;
  /** Statuses the fake recorded for the faulted endpoint, in order (0: no answer delivered). */
  statuses?: number[];
  env?: Record<string, string>;
}

const forever = { times: Number.POSITIVE_INFINITY };
/** A page of five projects, as an answer body scripted into a fault. */
const fiveProjectsPage = {
  data: Array.from({ length: 5 }, (_, i) => ({ gid: `90000000000000${i}`, name: `Scripted ${i}` })),
  next_page: null,
};

const readCases: Case[] = [
  {
    name: "429 with Retry-After: waits and succeeds",
    faults: [{ type: "status", status: 429, headers: { "Retry-After": "1" } }],
    expected: "ok",
    statuses: [429, 200],
  },
  {
    name: "a 500/502/503 burst: retried through",
    faults: [
      { type: "status", status: 500 },
      { type: "status", status: 502 },
      { type: "status", status: 503 },
    ],
    expected: "ok",
    statuses: [500, 502, 503, 200],
  },
  {
    name: "503 that does not end",
    faults: [{ type: "status", status: 503, ...forever }],
    expected: "asana_unavailable",
    statuses: [503, 503, 503, 503],
  },
  { name: "reset before the body", faults: [{ type: "reset-before" }], expected: "ok", statuses: [0, 200] },
  { name: "reset after the body", faults: [{ type: "reset-after" }], expected: "ok", statuses: [0, 200] },
  { name: "answer cut halfway", faults: [{ type: "cut-body" }], expected: "ok", statuses: [0, 200] },
  // undici's timers tick about once a second, so "slower" means well over a second here.
  { name: "slower than the timeout once", faults: [{ type: "delay", ms: 3_000 }], expected: "ok" },
  {
    name: "slower than the tool's deadline",
    faults: [{ type: "delay", ms: 3_000, ...forever }],
    expected: "timeout",
    env: { ASANA_TOOL_DEADLINE_MS: "500" },
  },
  { name: "malformed JSON once", faults: [{ type: "bad-json" }], expected: "ok", statuses: [200, 200] },
  {
    // A byte-order mark some proxies add: still JSON, answered on the first request.
    name: "a byte-order mark before the JSON",
    faults: [{ type: "status", status: 200, body: `\uFEFF${JSON.stringify(fiveProjectsPage)}` }],
    expected: "ok",
    statuses: [200],
  },
  { name: "malformed JSON always", faults: [{ type: "bad-json", ...forever }], expected: "bad_response" },
  {
    name: "an HTML error page",
    faults: [{ type: "html", status: 502, ...forever }],
    expected: "asana_unavailable",
  },
  { name: "402 premium only", faults: [{ type: "status", status: 402 }], expected: "payment_required" },
  { name: "403", faults: [{ type: "status", status: 403 }], expected: "forbidden" },
  { name: "404", faults: [{ type: "status", status: 404 }], expected: "not_found" },
  { name: "401", faults: [{ type: "status", status: 401 }], expected: "unauthorized" },
];

const writeCases: Case[] = [
  {
    name: "429 with Retry-After: waits, posts once",
    faults: [{ type: "status", status: 429, headers: { "Retry-After": "1" } }],
    expected: "ok",
    statuses: [429, 201],
  },
  ...[500, 502, 503].map(
    (status): Case => ({
      name: `${status}: not repeated; verified not posted`,
      faults: [{ type: "status", status }],
      expected: "write_not_applied",
      statuses: [status],
    }),
  ),
  {
    name: "reset before the body",
    faults: [{ type: "reset-before" }],
    expected: "write_not_applied",
    statuses: [0],
  },
  { name: "reset after the body", faults: [{ type: "reset-after" }], expected: "ok", statuses: [0] },
  { name: "answer cut halfway", faults: [{ type: "cut-body" }], expected: "ok", statuses: [0] },
  { name: "slower than the timeout", faults: [{ type: "delay", ms: 3_000 }], expected: "ok", statuses: [0] },
  { name: "malformed JSON", faults: [{ type: "bad-json" }], expected: "write_not_applied", statuses: [200] },
  { name: "an HTML error page", faults: [{ type: "html", status: 503 }], expected: "write_not_applied" },
  { name: "402 premium only", faults: [{ type: "status", status: 402 }], expected: "payment_required" },
  { name: "403", faults: [{ type: "status", status: 403 }], expected: "forbidden" },
  { name: "404", faults: [{ type: "status", status: 404 }], expected: "not_found" },
  { name: "401", faults: [{ type: "status", status: 401 }], expected: "unauthorized" },
];

function expectClear(outcome: ToolOutcome, expected: Case["expected"]): void {
  if (expected === "ok") {
    expect(outcome.isError, outcome.text).toBe(false);
    return;
  }
  const error = errorOf(outcome);
  expect(error.code, outcome.text).toBe(expected);
  expect(error.retryable).toBe(ERROR_TABLE[expected].retryable);
  expect(error.message.length).toBeGreaterThan(20);
  expect(error.hint.length).toBeGreaterThan(20);
  expect(outcome.text).not.toMatch(/at .+\.(ts|js):\d+/); // never a stack trace
}

async function expectStillUp(harness: Harness): Promise<void> {
  harness.fake.clearFaults();
  const whoami = await harness.call("whoami");
  expect(whoami.isError).toBe(false);
  const page = await harness.call("list_projects", { workspace_gid: SANDBOX_WORKSPACE_GIDS.acme, limit: 1 });
  expect(page.isError, page.text).toBe(false);
}

describe.concurrent("a read under Asana's faults", () => {
  it.each(readCases)("$name -> $expected", ({ faults, expected, statuses, env }) =>
    withHarness(env ?? {}, async (h) => {
      for (const fault of faults) h.fake.inject({ ...READ, ...fault } as Fault);
      const outcome = await h.call("list_projects", { workspace_gid: SANDBOX_WORKSPACE_GIDS.acme, limit: 5 });
      expectClear(outcome, expected);
      if (expected === "ok") expect(outcome.body.projects).toHaveLength(5);
      const sent = h.fake.requests.filter((r) => r.path === READ.path);
      if (statuses) expect(sent.map((r) => r.status)).toEqual(statuses);
      expect(sent.length).toBeLessThanOrEqual(4); // one try and at most three retries
      await expectStillUp(h);
    }),
  );
});

describe.concurrent("a write under Asana's faults: never lost, never doubled", () => {
  it.each(writeCases)("$name -> $expected", ({ name, faults, expected, statuses, env }) =>
    withHarness(env ?? {}, async (h) => {
      for (const fault of faults) h.fake.inject({ ...WRITE, ...fault } as Fault);
      const text = `fault: ${name}`;
      const outcome = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text });
      expectClear(outcome, expected);
      const posted = () => h.fake.storiesOf(DEMO_TASK_GID).filter((s) => s.text === text);
      // Reported as posted: exactly one comment. Reported as failed: none.
      expect(posted()).toHaveLength(expected === "ok" ? 1 : 0);
      const sent = h.fake.requests.filter((r) => r.method === "POST");
      if (statuses) expect(sent.map((r) => r.status)).toEqual(statuses);
      expect(sent.filter((r) => r.status !== 429).length).toBeLessThanOrEqual(1);
      await expectStillUp(h);
      // The agent's natural next step after a failure is to call again: that posts exactly once.
      if (expected !== "ok" && ERROR_TABLE[expected].retryable) {
        expect((await h.call("create_comment", { task_gid: DEMO_TASK_GID, text })).isError).toBe(false);
        expect(posted()).toHaveLength(1);
      }
    }),
  );
});

describe("a token revoked mid-session", () => {
  it("turns every call into a clear unauthorized error naming the identity, and the server stays up", () =>
    withHarness({}, async (h) => {
      expect((await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "before" })).isError).toBe(
        false,
      );
      h.fake.revokeToken(SANDBOX_TOKENS.bot);
      const error = errorOf(await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "after" }));
      expect(error.code).toBe("unauthorized");
      expect(error.message).toContain("Acme Bot (bot account, ASANA_BOT_PAT)");
      expect(error.hint).toContain("ASANA_BOT_PAT");
      expect(h.fake.storiesOf(DEMO_TASK_GID).filter((s) => s.text === "after")).toHaveLength(0);
      // The reader's token still works.
      await expectStillUp(h);
    }));
});

// ---------------------------------------------------------------------------------------------------------
// Task writes: a create that could double (settled by reading back), and writes whose repetition
// cannot double anything (sent once more after an uncertain failure).
// ---------------------------------------------------------------------------------------------------------

const CREATE = { method: "POST", path: "/tasks" } as const;

const createCases: Case[] = [
  {
    name: "429 with Retry-After: waits, creates once",
    faults: [{ type: "status", status: 429, headers: { "Retry-After": "1" } }],
    expected: "ok",
    statuses: [429, 201],
  },
  ...[500, 503].map(
    (status): Case => ({
      name: `${status}: not repeated; verified not created`,
      faults: [{ type: "status", status }],
      expected: "write_not_applied",
      statuses: [status],
    }),
  ),
  {
    name: "reset before the body",
    faults: [{ type: "reset-before" }],
    expected: "write_not_applied",
    statuses: [0],
  },
  { name: "reset after the body", faults: [{ type: "reset-after" }], expected: "ok", statuses: [0] },
  { name: "answer cut halfway", faults: [{ type: "cut-body" }], expected: "ok", statuses: [0] },
];

describe.concurrent("create_task under Asana's faults: exactly one task or none", () => {
  it.each(createCases)("$name -> $expected", ({ name, faults, expected, statuses }) =>
    withHarness({}, async (h) => {
      for (const fault of faults) h.fake.inject({ ...CREATE, ...fault } as Fault);
      const args = { name: `fault: ${name}`, project_gid: DEMO_PROJECT_GID };
      const outcome = await h.call("create_task", args);
      expectClear(outcome, expected);
      const created = () => h.fake.tasksNamed(args.name);
      expect(created()).toHaveLength(expected === "ok" ? 1 : 0);
      if (expected === "ok") {
        expect((outcome.body.task as { gid: string }).gid).toBe(created()[0]);
        expect(outcome.body.verified_after_uncertain_failure).toBe(statuses?.[0] === 0 ? true : undefined);
      }
      const sent = h.fake.requests.filter((r) => r.method === "POST");
      if (statuses) expect(sent.map((r) => r.status)).toEqual(statuses);
      expect(sent.filter((r) => r.status !== 429).length).toBeLessThanOrEqual(1);
      await expectStillUp(h);
      if (expected !== "ok" && ERROR_TABLE[expected].retryable) {
        expect((await h.call("create_task", args)).isError).toBe(false);
        expect(created()).toHaveLength(1);
      }
    }),
  );
});

/** The same fault on every idempotent write: the second send's answer is the truth. */
const idempotentCases: Case[] = [
  {
    name: "429 with Retry-After",
    faults: [{ type: "status", status: 429, headers: { "Retry-After": "1" } }],
    expected: "ok",
    statuses: [429, 200],
  },
  ...[500, 503].map(
    (status): Case => ({
      name: `${status} once: sent again`,
      faults: [{ type: "status", status }],
      expected: "ok",
      statuses: [status, 200],
    }),
  ),
  { name: "reset before the body", faults: [{ type: "reset-before" }], expected: "ok", statuses: [0, 200] },
  { name: "reset after the body", faults: [{ type: "reset-after" }], expected: "ok", statuses: [0, 200] },
  { name: "answer cut halfway", faults: [{ type: "cut-body" }], expected: "ok", statuses: [0, 200] },
  {
    name: "503 twice: still unknown",
    faults: [{ type: "status", status: 503, times: 2 }],
    expected: "write_unknown",
    statuses: [503, 503],
  },
];

describe.concurrent("update_task under Asana's faults: the task ends as asked", () => {
  it.each(idempotentCases)("$name -> $expected", ({ name, faults, expected, statuses }) =>
    withHarness({}, async (h) => {
      const path = `/tasks/${DEMO_TASK_GID}`;
      for (const fault of faults) h.fake.inject({ method: "PUT", path, ...fault } as Fault);
      const outcome = await h.call("update_task", { task_gid: DEMO_TASK_GID, name: `fault: ${name}` });
      expectClear(outcome, expected);
      const sent = h.fake.requests.filter((r) => r.method === "PUT");
      if (statuses) expect(sent.map((r) => r.status)).toEqual(statuses);
      if (expected === "ok") {
        expect(h.fake.task(DEMO_TASK_GID)?.name).toBe(`fault: ${name}`);
        expect(outcome.body.task).toMatchObject({ gid: DEMO_TASK_GID, name: `fault: ${name}` });
      } else {
        expect(h.fake.task(DEMO_TASK_GID)?.name).toBe("Prepare the Q3 launch checklist");
      }
      await expectStillUp(h);
    }),
  );
});

describe.concurrent("task_links under Asana's faults: a dependency added once, never twice", () => {
  it.each(idempotentCases)("$name -> $expected", ({ faults, expected, statuses }) =>
    withHarness({}, async (h) => {
      const other = DEMO_SUBTASK_GIDS[0];
      const path = `/tasks/${DEMO_TASK_GID}/addDependencies`;
      for (const fault of faults) h.fake.inject({ method: "POST", path, ...fault } as Fault);
      const before = h.fake.task(DEMO_TASK_GID)?.dependencies ?? [];
      const outcome = await h.call("task_links", {
        task_gid: DEMO_TASK_GID,
        action: "add",
        relation: "dependencies",
        gids: [other],
      });
      expectClear(outcome, expected);
      const sent = h.fake.requests.filter((r) => r.path === path);
      if (statuses) expect(sent.map((r) => r.status)).toEqual(statuses);
      const after = h.fake.task(DEMO_TASK_GID)?.dependencies ?? [];
      expect(after.filter((gid) => gid === other)).toHaveLength(expected === "ok" ? 1 : 0);
      expect(after.length).toBe(before.length + (expected === "ok" ? 1 : 0));
      await expectStillUp(h);
    }),
  );
});

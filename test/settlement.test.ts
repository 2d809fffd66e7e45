// Settling an uncertain create on proof, for every create tool (README "Never twice").
import { describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, SANDBOX_TOKENS } from "../src/sandbox/demo-data.js";
import { DEMO_SUBTASK_GIDS } from "../src/sandbox/demo-world.js";
import type { Fault } from "../src/sandbox/fake-asana.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";

const env = { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot, ASANA_TIMEOUT_MS: "150" };
const WRITE = { method: "POST", path: `/tasks/${DEMO_TASK_GID}/stories` } as const;
const forever = { times: Number.POSITIVE_INFINITY };

// Settling an uncertain create: proof, never likeness. For every create tool, an object that looks
// like this call's write but is not (made earlier, by someone else, with another field, already
// given to another call) is never answered as created; one that landed is found despite read lag,
// Asana's clock and Asana's rewriting of rich text.
// ---------------------------------------------------------------------------------------------------------

const ADA_GID = "1201000000000001";

interface CreateKind {
  tool: string;
  /** The POST the tool sends. */
  post: string;
  args: Record<string, unknown>;
  /** The same arguments with one field the call sets changed (none for a section: only its name). */
  differing?: Record<string, unknown>;
  /** The same create through Asana's API, to have another person make an identical one. */
  api?: { path: string; data: Record<string, unknown> };
  /** The gids of the objects in the fake that look like this create's. */
  made: (h: Harness) => string[];
  gidOf: (body: Record<string, unknown>) => string;
}

const gidAt = (key: string) => (body: Record<string, unknown>) => (body[key] as { gid: string }).gid;
const commentText = "settle: the release is ready";
const taskArgs = { name: "settle: write the release notes", notes: "the long version" };

const createKinds: CreateKind[] = [
  {
    tool: "create_comment",
    post: `/tasks/${DEMO_TASK_GID}/stories`,
    args: { task_gid: DEMO_TASK_GID, text: commentText, is_pinned: true },
    differing: { task_gid: DEMO_TASK_GID, text: commentText },
    api: { path: `/tasks/${DEMO_TASK_GID}/stories`, data: { text: commentText, is_pinned: true } },
    made: (h) =>
      h.fake
        .storiesOf(DEMO_TASK_GID)
        .filter((s) => s.text === commentText)
        .map((s) => s.gid),
    gidOf: gidAt("story"),
  },
  {
    tool: "create_task",
    post: "/tasks",
    args: { ...taskArgs, project_gid: DEMO_PROJECT_GID },
    differing: { ...taskArgs, notes: "the short version", project_gid: DEMO_PROJECT_GID },
    api: { path: "/tasks", data: { ...taskArgs, projects: [DEMO_PROJECT_GID] } },
    made: (h) => h.fake.tasksNamed(taskArgs.name),
    gidOf: gidAt("task"),
  },
  {
    tool: "create_task (subtask)",
    post: "/tasks",
    args: { ...taskArgs, parent_gid: DEMO_TASK_GID },
    differing: { ...taskArgs, notes: "the short version", parent_gid: DEMO_TASK_GID },
    api: { path: "/tasks", data: { ...taskArgs, parent: DEMO_TASK_GID } },
    made: (h) => h.fake.tasksNamed(taskArgs.name),
    gidOf: gidAt("task"),
  },
  {
    tool: "create_section",
    post: `/projects/${DEMO_PROJECT_GID}/sections`,
    args: { project_gid: DEMO_PROJECT_GID, name: "settle: Blocked" },
    made: (h) =>
      h.fake
        .sectionsOf(DEMO_PROJECT_GID)
        .filter((s) => s.name === "settle: Blocked")
        .map((s) => s.gid),
    gidOf: gidAt("section"),
  },
  {
    tool: "create_status_update",
    post: "/status_updates",
    args: { project_gid: DEMO_PROJECT_GID, status: "off_track", title: "settle: week 12", text: "slipping" },
    differing: {
      project_gid: DEMO_PROJECT_GID,
      status: "on_track",
      title: "settle: week 12",
      text: "slipping",
    },
    api: {
      path: "/status_updates",
      data: {
        parent: DEMO_PROJECT_GID,
        status_type: "off_track",
        title: "settle: week 12",
        text: "slipping",
      },
    },
    made: (h) =>
      h.fake
        .statusUpdatesOf(DEMO_PROJECT_GID)
        .filter((s) => s.title === "settle: week 12")
        .map((s) => s.gid),
    gidOf: gidAt("status_update"),
  },
];

/**
 * Settling reads back for seconds; a generous per-request timeout keeps a loaded machine out of it.
 * Deletes are settled here; the person's confirmation of them is test/confirm.test.ts's.
 */
const settleEnv = { ASANA_TIMEOUT_MS: "10000", ASANA_CONFIRM: "off" };
const toolOf = (kind: CreateKind) => kind.tool.split(" ")[0] ?? kind.tool;

async function withSettleHarness(options: { resolve?: boolean }, test: (h: Harness) => Promise<void>) {
  const h = await startHarness({ env: { ...env, ...settleEnv }, ...options });
  try {
    await test(h);
  } finally {
    await h.close();
  }
}

/** Makes one through the tool with Asana's clock set `offsetMs` from ours, then sets it right again. */
async function madeAt(h: Harness, kind: CreateKind, args: Record<string, unknown>, offsetMs: number) {
  h.fake.setClockOffset(offsetMs);
  const out = await h.call(toolOf(kind), args);
  h.fake.setClockOffset(0);
  expect(out.isError, out.text).toBe(false);
  return kind.gidOf(out.body);
}

describe.concurrent.each(createKinds)("$tool: an uncertain create is settled on proof", (kind) => {
  const tool = toolOf(kind);
  const lost = (times = 1) => ({ method: "POST", path: kind.post, type: "reset-before", times }) as Fault;
  const landed = (times = 1) => ({ method: "POST", path: kind.post, type: "reset-after", times }) as Fault;

  it("an identical one made a minute earlier is not taken for it: not created, and a retry creates one", () =>
    withSettleHarness({}, async (h) => {
      // Made a minute earlier in Asana's clock, and still out of reads for a moment (read lag), so
      // not even a listing taken just before this call shows it.
      h.fake.setReadLag(1_000);
      const earlier = await madeAt(h, kind, kind.args, -60_000);
      h.fake.inject(lost());
      const error = errorOf(await h.call(tool, kind.args));
      expect(error.code).toBe("write_not_applied");
      expect(kind.made(h)).toEqual([earlier]);
      const retry = await h.call(tool, kind.args);
      expect(retry.isError, retry.text).toBe(false);
      expect(kind.made(h)).toHaveLength(2);
      expect(kind.gidOf(retry.body)).not.toBe(earlier);
    }));

  if (kind.differing) {
    const differing = kind.differing;
    it("one made just after it was sent that differs in a field the call set is not taken for it", () =>
      withSettleHarness({}, async (h) => {
        const other = await madeAt(h, kind, differing, 30_000);
        h.fake.inject(lost());
        const error = errorOf(await h.call(tool, kind.args));
        expect(error.code).toBe("write_not_applied");
        expect(kind.made(h)).toEqual([other]);
      }));
  }

  if (kind.api) {
    const api = kind.api;
    it("/users/me failing while settling: another person's identical one is not taken, the answer is write_unknown", () =>
      withSettleHarness({ resolve: false }, async (h) => {
        const res = await fetch(`${h.baseUrl}${api.path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}`, "content-type": "application/json" },
          body: JSON.stringify({ data: api.data }),
        });
        expect(res.status).toBe(201);
        h.fake.inject({ method: "GET", path: "/users/me", type: "status", status: 503, ...forever });
        h.fake.inject(lost());
        const outcome = await h.call(tool, kind.args);
        const error = errorOf(outcome);
        expect(error.code).toBe("write_unknown");
        expect(error.hint).toContain("read the object back");
        expect(outcome.text).not.toContain(ADA_GID);
        expect(kind.made(h)).toHaveLength(1);
      }));
  }

  it("two identical calls, both uncertain and both made: each is given its own", () =>
    withSettleHarness({}, async (h) => {
      h.fake.inject(landed(2));
      const outs = await Promise.all([h.call(tool, kind.args), h.call(tool, kind.args)]);
      for (const out of outs) expect(out.isError, out.text).toBe(false);
      const gids = outs.map((out) => kind.gidOf(out.body));
      expect(new Set(gids).size).toBe(2);
      expect([...gids].sort()).toEqual([...kind.made(h)].sort());
    }));

  it("two identical calls, both uncertain, one made: only one is told it was created", () =>
    withSettleHarness({}, async (h) => {
      h.fake.inject(landed());
      h.fake.inject(lost());
      const outs = await Promise.all([h.call(tool, kind.args), h.call(tool, kind.args)]);
      const made = kind.made(h);
      expect(made).toHaveLength(1);
      const created = outs.filter((out) => !out.isError);
      expect(created).toHaveLength(1);
      expect(kind.gidOf(created[0]?.body ?? {})).toBe(made[0]);
      const other = outs.find((out) => out.isError);
      expect(other && errorOf(other).code).toBe("write_unknown");
    }));

  it("Asana's read lag: a create that landed is found once it shows, not reported as not made", () =>
    withSettleHarness({}, async (h) => {
      h.fake.setReadLag(3_000);
      h.fake.inject(landed());
      const out = await h.call(tool, kind.args);
      expect(out.isError, out.text).toBe(false);
      expect(out.body.verified_after_uncertain_failure).toBe(true);
      expect([kind.gidOf(out.body)]).toEqual(kind.made(h));
    }));

  it("Asana's clock five minutes behind ours: a create that landed is found", () =>
    withSettleHarness({}, async (h) => {
      h.fake.setClockOffset(-300_000);
      h.fake.inject(landed());
      const out = await h.call(tool, kind.args);
      expect(out.isError, out.text).toBe(false);
      expect([kind.gidOf(out.body)]).toEqual(kind.made(h));
    }));
});

describe.concurrent("create_comment with rich text Asana rewrites", () => {
  it("a comment with an @-mention, a link and an entity that landed is found, not posted twice", () =>
    withSettleHarness({}, async (h) => {
      const html = `<body>Ping <a data-asana-gid="${ADA_GID}"/>:  see <a href="https://example.com/a?b=1&amp;c=2">the notes</a> &amp; sign off</body>`;
      h.fake.inject({ method: "POST", path: WRITE.path, type: "reset-after" });
      const out = await h.call("create_comment", { task_gid: DEMO_TASK_GID, html_text: html });
      expect(out.isError, out.text).toBe(false);
      expect(out.body.verified_after_uncertain_failure).toBe(true);
      const comments = h.fake.storiesOf(DEMO_TASK_GID).filter((s) => s.html_text.includes("sign off"));
      expect(comments).toHaveLength(1);
      expect(comments[0]?.html_text).toContain("@Ada Lovelace</a>"); // Asana rewrote the mention
      expect((out.body.story as { gid: string }).gid).toBe(comments[0]?.gid);
    }));
});

describe.concurrent("delete_task under a reset: deleted only if it existed", () => {
  // ASANA_CONFIRM=off: the delete itself is under test (test/confirm.test.ts tests confirming it).
  it("a gid that never existed is not reported deleted after one connection reset", () =>
    withSettleHarness({}, async (h) => {
      const never = "1299999999999999";
      h.fake.inject({ method: "DELETE", path: `/tasks/${never}`, type: "reset-after" });
      const error = errorOf(await h.call("delete_task", { task_gid: never }));
      expect(error.code).toBe("not_found");
      expect(h.fake.requests.filter((r) => r.method === "DELETE")).toHaveLength(0);
    }));

  it("a task that existed is deleted once, and said so, after a reset", () =>
    withSettleHarness({}, async (h) => {
      const task = DEMO_SUBTASK_GIDS[0];
      h.fake.inject({ method: "DELETE", path: `/tasks/${task}`, type: "reset-after" });
      const out = await h.call("delete_task", { task_gid: task });
      expect(out.isError, out.text).toBe(false);
      expect(h.fake.task(task)).toBeUndefined();
      expect(h.fake.requests.filter((r) => r.method === "DELETE").map((r) => r.status)).toEqual([0, 404]);
    }));
});

import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, SIDE_PROJECT_TASK_GID } from "../../src/sandbox/demo-data.js";
import { DEMO_FIELD_GIDS, DEMO_PRIORITY_OPTIONS, DEMO_SECTION_GIDS } from "../../src/sandbox/demo-world.js";
import type { RecordedRequest } from "../../src/sandbox/fake-asana.js";
import { BATCH_CONFIRM_OVER, batchTasks, MAX_BATCH_ITEMS } from "../../src/tools/batch-tasks.js";
import { errorOf, type Harness } from "../helpers/harness.js";
import {
  ACME,
  BOT,
  BOT_GID,
  expectRefused,
  harnesses,
  PAT_AND_BOT,
  sent,
  UNKNOWN_GID,
  writes,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

/** More than BATCH_CONFIRM_OVER items need a human's yes; these tests exercise the write itself. */
const NO_CONFIRM = { ...PAT_AND_BOT, ASANA_CONFIRM: "off" };

interface Result {
  item: number;
  action: string;
  status: "ok" | "error" | "unknown";
  task?: { gid: string; name: string; url?: string };
  verified_after_uncertain_failure?: true;
  error?: { code: string; message: string; hint?: string };
}
const resultsOf = (body: Record<string, unknown>) => body.results as Result[];

interface Action {
  relative_path: string;
  method: string;
  data: Record<string, unknown>;
  options?: { fields?: string[] };
}
const batches = (h: Harness) => writes(h).filter((r) => r.path === "/batch");
const actionsOf = (r: RecordedRequest) => (r.body as { data: { actions: Action[] } }).data.actions;

const create = (name: string, extra: Record<string, unknown> = {}) => ({
  action: "create",
  name,
  project_gid: DEMO_PROJECT_GID,
  ...extra,
});

describe("batch_tasks", () => {
  it("creates and updates in one batch request: one result per item, in order, as the bot", async () => {
    const h = await hs.start();
    const out = await h.call("batch_tasks", {
      items: [
        create("Batch one", { section_gid: DEMO_SECTION_GIDS.doing, custom_fields: { Priority: "High" } }),
        { action: "update", task_gid: DEMO_TASK_GID, completed: true, due_on: "2025-08-01" },
        create("Batch two", { assignee: "me" }),
        { action: "create", name: "Batch sub", parent_gid: DEMO_TASK_GID },
      ],
    });
    expect(out.isError, out.text).toBe(false);
    const results = resultsOf(out.body);
    expect(results.map((r) => [r.item, r.action, r.status])).toEqual([
      [0, "create", "ok"],
      [1, "update", "ok"],
      [2, "create", "ok"],
      [3, "create", "ok"],
    ]);
    expect(results[1]?.task).toMatchObject({ gid: DEMO_TASK_GID, url: expect.any(String) });
    expect(out.body).toMatchObject({
      counts: { ok: 4, error: 0, unknown: 0 },
      batch_requests: 1,
      acting_as: { gid: BOT_GID, kind: "bot" },
    });
    const one = h.fake.task(results[0]!.task!.gid);
    expect(one).toMatchObject({
      name: "Batch one",
      createdBy: BOT_GID,
      sections: { [DEMO_PROJECT_GID]: DEMO_SECTION_GIDS.doing },
      customFields: { [DEMO_FIELD_GIDS.priority]: DEMO_PRIORITY_OPTIONS.high },
    });
    expect(h.fake.task(results[2]!.task!.gid)?.assignee).toBe("1201000000000001");
    expect(h.fake.task(results[3]!.task!.gid)?.parent).toBe(DEMO_TASK_GID);
    expect(h.fake.task(DEMO_TASK_GID)).toMatchObject({ completed: true, dueOn: "2025-08-01" });
    // One write: the batch, its methods lowercase as the spec's enum has them; the bodies are the
    // single tools' bodies.
    expect(writes(h).map((r) => `${r.method} ${r.path}`)).toEqual(["POST /batch"]);
    const actions = actionsOf(batches(h)[0]!);
    expect(actions.map((a) => `${a.method} ${a.relative_path}`)).toEqual([
      "post /tasks",
      `put /tasks/${DEMO_TASK_GID}`,
      "post /tasks",
      "post /tasks",
    ]);
    expect(actions[3]?.data).toEqual({ name: "Batch sub", parent: DEMO_TASK_GID });
    expect(actions[1]?.data).toEqual({ completed: true, due_on: "2025-08-01" });
  });

  it("sends 25 items as 3 requests of at most 10 actions, in order", async () => {
    const h = await hs.start(NO_CONFIRM);
    const items = Array.from({ length: 25 }, (_, i) => create(`Bulk ${i}`));
    const out = await h.call("batch_tasks", { items });
    expect(out.isError, out.text).toBe(false);
    expect(batches(h).map((r) => actionsOf(r).length)).toEqual([10, 10, 5]);
    const results = resultsOf(out.body);
    expect(results.map((r) => r.item)).toEqual(items.map((_, i) => i));
    expect(results.every((r) => r.status === "ok")).toBe(true);
    expect(results.map((r) => r.task?.name)).toEqual(items.map((i) => i.name));
    for (const i of [0, 12, 24]) expect(h.fake.tasksNamed(`Bulk ${i}`)).toHaveLength(1);
    expect(out.body.batch_requests).toBe(3);
  });

  it("reports each action Asana refused as that item's error, naming the identity, and retries none", async () => {
    const h = await hs.start();
    const out = await h.call("batch_tasks", {
      items: [
        create("Fine"),
        // The bot is not in Side Projects: Asana refuses this action alone.
        { action: "update", task_gid: SIDE_PROJECT_TASK_GID, name: "Not mine" },
        { action: "update", task_gid: UNKNOWN_GID, name: "Nobody" },
      ],
    });
    expect(out.isError, out.text).toBe(false);
    const [fine, side, unknown] = resultsOf(out.body);
    expect(fine?.status).toBe("ok");
    for (const r of [side, unknown]) {
      expect(r?.status).toBe("error");
      expect(r?.error?.message).toContain(`as ${BOT}`);
    }
    expect(side?.error?.code).toMatch(/^(forbidden|not_found)$/);
    expect(unknown?.error?.code).toBe("not_found");
    expect(unknown?.error?.message).toContain(`PUT /tasks/${UNKNOWN_GID}`);
    expect(out.body.counts).toEqual({ ok: 1, error: 2, unknown: 0 });
    // Refused is final: no second batch, no direct PUT.
    expect(writes(h).map((r) => `${r.method} ${r.path}`)).toEqual(["POST /batch"]);
  });

  it("settles a batch applied but whose answer was lost: every create found once, never doubled, the update repeated", async () => {
    const h = await hs.start();
    h.fake.setReadLag(1_000);
    h.fake.inject({ method: "POST", path: "/batch", type: "reset-after" });
    const out = await h.call("batch_tasks", {
      items: [
        create("Lost answer A"),
        { action: "update", task_gid: DEMO_TASK_GID, name: "Renamed in a lost batch" },
        create("Lost answer B", { section_gid: DEMO_SECTION_GIDS.todo }),
        // Two identical creates in one batch: each is given its own task.
        create("Twin"),
        create("Twin"),
      ],
    });
    expect(out.isError, out.text).toBe(false);
    const results = resultsOf(out.body);
    expect(results.map((r) => r.status)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    expect(results.every((r) => r.verified_after_uncertain_failure === true)).toBe(true);
    expect(h.fake.tasksNamed("Lost answer A")).toEqual([results[0]?.task?.gid]);
    expect(h.fake.tasksNamed("Lost answer B")).toEqual([results[2]?.task?.gid]);
    const twins = h.fake.tasksNamed("Twin");
    expect(twins).toHaveLength(2);
    expect(new Set([results[3]?.task?.gid, results[4]?.task?.gid])).toEqual(new Set(twins));
    // The batch was sent once; the update (absolute values) was repeated directly, the creates never.
    expect(writes(h).map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /batch",
      `PUT /tasks/${DEMO_TASK_GID}`,
    ]);
    expect(h.fake.task(DEMO_TASK_GID)?.name).toBe("Renamed in a lost batch");
  });

  it("settles an action answered 500: made → found and reported once; not made → not applied, safe to call again", async () => {
    const h = await hs.start();
    // The first POST /tasks action is carried out but answered 500; the second is answered 500 unmade.
    h.fake.inject({
      action: true,
      method: "POST",
      path: "/tasks",
      type: "status",
      status: 500,
      applied: true,
    });
    h.fake.inject({ action: true, method: "POST", path: "/tasks", type: "status", status: 500 });
    const out = await h.call("batch_tasks", {
      items: [create("Made despite 500"), create("Never made"), create("Plain")],
    });
    expect(out.isError, out.text).toBe(false);
    const [made, never, plain] = resultsOf(out.body);
    expect(made).toMatchObject({ status: "ok", verified_after_uncertain_failure: true });
    expect(h.fake.tasksNamed("Made despite 500")).toEqual([made?.task?.gid]);
    expect(never).toMatchObject({ status: "error", error: { code: "write_not_applied" } });
    expect(h.fake.tasksNamed("Never made")).toEqual([]);
    expect(plain?.status).toBe("ok");
    expect(plain?.verified_after_uncertain_failure).toBeUndefined();
    expect(writes(h).map((r) => r.path)).toEqual(["/batch"]);
  });

  it("says 'unknown' only when a lost create cannot be proven either way", async () => {
    const h = await hs.start();
    h.fake.inject({ method: "POST", path: "/batch", type: "reset-after" });
    // In no project, with no parent and no assignee: nowhere to read it back from.
    const out = await h.call("batch_tasks", {
      items: [{ action: "create", name: "Loose", workspace_gid: ACME }, create("Findable")],
    });
    expect(out.isError, out.text).toBe(false);
    const [loose, findable] = resultsOf(out.body);
    expect(loose).toMatchObject({ status: "unknown", error: { code: "write_unknown" } });
    expect(findable).toMatchObject({ status: "ok", verified_after_uncertain_failure: true });
    expect(out.body.counts).toEqual({ ok: 1, error: 0, unknown: 1 });
  });

  it("stops at a batch Asana refused as a whole: its items are its error, later ones are not sent", async () => {
    const h = await hs.start(NO_CONFIRM);
    h.fake.inject({ method: "POST", path: "/batch", type: "status", status: 403 });
    const out = await h.call("batch_tasks", {
      items: Array.from({ length: 15 }, (_, i) => create(`Refused ${i}`)),
    });
    expect(out.isError, out.text).toBe(false);
    const results = resultsOf(out.body);
    expect(results.slice(0, 10).every((r) => r.status === "error" && r.error?.code === "forbidden")).toBe(
      true,
    );
    expect(results[0]?.error?.message).toContain(`as ${BOT}`);
    expect(results.slice(10).every((r) => r.error?.code === "write_not_applied")).toBe(true);
    expect(results[10]?.error?.message).toContain("Asana refused batch request 1");
    expect(batches(h)).toHaveLength(1);
    expect(h.fake.tasksNamed("Refused 0")).toEqual([]);
  });

  it("stops after a batch in which Asana rate-limited an action: later batches would be refused too", async () => {
    const h = await hs.start(NO_CONFIRM);
    h.fake.inject({ action: true, method: "POST", path: "/tasks", type: "status", status: 429 });
    const out = await h.call("batch_tasks", {
      items: Array.from({ length: 12 }, (_, i) => create(`Limited ${i}`)),
    });
    expect(out.isError, out.text).toBe(false);
    const results = resultsOf(out.body);
    expect(results[0]?.error?.code).toBe("rate_limited");
    expect(results.slice(1, 10).every((r) => r.status === "ok")).toBe(true);
    expect(results.slice(10).every((r) => r.error?.code === "write_not_applied")).toBe(true);
    expect(results[10]?.error?.message).toContain("Asana refused batch request 1");
    expect(batches(h)).toHaveLength(1);
    // Each says what to do next: wait, then send again only what was not applied.
    expect(results[0]?.error?.hint).toMatch(/wait .* and send this item again/);
    expect(results[10]?.error?.hint).toMatch(
      /wait .* then call batch_tasks again with only the items not sent/,
    );
  });

  it("a rate-limited action's Retry-After (in the batch's answer for it) says how long to wait", async () => {
    const h = await hs.start(NO_CONFIRM);
    h.fake.inject({
      action: true,
      method: "POST",
      path: "/tasks",
      type: "status",
      status: 429,
      headers: { "Retry-After": "30" },
      body: { errors: [{ message: "You have made too many requests recently." }] },
    });
    const out = await h.call("batch_tasks", {
      items: Array.from({ length: 11 }, (_, i) => create(`Waiting ${i}`)),
    });
    const results = resultsOf(out.body);
    expect(results[0]?.error?.code).toBe("rate_limited");
    expect(results[0]?.error?.hint).toContain("wait 30 s");
    expect(results[10]?.error?.hint).toContain("wait 30 s");
  });

  it("moves many tasks into a section: one result per item, sent in batches, settled by sending again", async () => {
    const h = await hs.start(NO_CONFIRM);
    const made = await h.call("batch_tasks", {
      items: Array.from({ length: 12 }, (_, i) =>
        create(`To move ${i}`, { section_gid: DEMO_SECTION_GIDS.todo }),
      ),
    });
    const gids = resultsOf(made.body).map((r) => r.task?.gid as string);
    const before = writes(h).length;
    // Two moves are carried out but answered 500: each is sent once more, directly.
    h.fake.inject({
      action: true,
      method: "POST",
      path: `/sections/${DEMO_SECTION_GIDS.done}/addTask`,
      type: "status",
      status: 500,
      applied: true,
      times: 2,
    });
    const out = await h.call("batch_tasks", {
      items: gids.map((task_gid) => ({ action: "move", task_gid, section_gid: DEMO_SECTION_GIDS.done })),
    });
    expect(out.isError, out.text).toBe(false);
    const results = resultsOf(out.body);
    expect(results.map((r) => r.status)).toEqual(gids.map(() => "ok"));
    expect(results[0]).toMatchObject({
      action: "move",
      task: { gid: gids[0] },
      section_gid: DEMO_SECTION_GIDS.done,
    });
    for (const gid of gids) {
      expect(h.fake.task(gid)?.sections[DEMO_PROJECT_GID]).toBe(DEMO_SECTION_GIDS.done);
    }
    const sentNow = writes(h).slice(before);
    expect(sentNow.filter((r) => r.path === "/batch")).toHaveLength(2);
    expect(actionsOf(sentNow[0] as RecordedRequest)[0]).toEqual({
      relative_path: `/sections/${DEMO_SECTION_GIDS.done}/addTask`,
      method: "post",
      data: { task: gids[0] },
    });
    expect(sentNow.filter((r) => r.path.endsWith("/addTask"))).toHaveLength(2);
    expect(results.filter((r) => r.verified_after_uncertain_failure === true).map((r) => r.item)).toEqual([
      0, 1,
    ]);
  });

  it("a move refused (4xx) or rate-limited in its batch is not sent again; one not applied (5xx) is sent once more", async () => {
    const h = await hs.start(NO_CONFIRM);
    const made = await h.call("batch_tasks", {
      items: Array.from({ length: 3 }, (_, i) => create(`Move fault ${i}`)),
    });
    const [a, b, c] = resultsOf(made.body).map((r) => r.task?.gid as string);
    const before = writes(h).length;
    h.fake.inject({
      action: true,
      method: "POST",
      path: `/sections/${DEMO_SECTION_GIDS.doing}/addTask`,
      type: "status",
      status: 429,
    });
    h.fake.inject({
      action: true,
      method: "POST",
      path: `/sections/${DEMO_SECTION_GIDS.done}/addTask`,
      type: "status",
      status: 503,
      applied: false,
    });
    const out = await h.call("batch_tasks", {
      items: [
        { action: "move", task_gid: a, section_gid: DEMO_SECTION_GIDS.doing },
        { action: "move", task_gid: b, section_gid: DEMO_SECTION_GIDS.done },
        // A task's gid where a section's goes: Asana answers 404, and nothing is repeated.
        { action: "move", task_gid: c, section_gid: DEMO_TASK_GID },
        ...Array.from({ length: 8 }, (_, i) => create(`After limit ${i}`)),
      ],
    });
    expect(out.isError, out.text).toBe(false);
    const results = resultsOf(out.body);
    expect(results.slice(0, 3).map((r) => [r.status, r.error?.code])).toEqual([
      ["error", "rate_limited"],
      ["ok", undefined],
      ["error", "not_found"],
    ]);
    expect(results[1]?.verified_after_uncertain_failure).toBe(true);
    expect(h.fake.task(a as string)?.sections[DEMO_PROJECT_GID]).not.toBe(DEMO_SECTION_GIDS.doing);
    expect(h.fake.task(b as string)?.sections[DEMO_PROJECT_GID]).toBe(DEMO_SECTION_GIDS.done);
    const direct = writes(h)
      .slice(before)
      .filter((r) => r.path !== "/batch");
    expect(direct.map((r) => r.path)).toEqual([`/sections/${DEMO_SECTION_GIDS.done}/addTask`]);
    expect(results.slice(3).map((r) => r.status)).toEqual([...Array(7).fill("ok"), "error"]);
  });

  it("previews a move from the sections a task is in to the one named, changing nothing", async () => {
    const h = await hs.start();
    const items = [
      { action: "move", task_gid: DEMO_TASK_GID, section_gid: DEMO_SECTION_GIDS.done },
      ...Array.from({ length: BATCH_CONFIRM_OVER }, (_, i) => create(`Later ${i}`)),
    ];
    const before = h.fake.requests.length;
    const first = await h.call("batch_tasks", { items });
    expect(first.isError, first.text).toBe(false);
    const pending = first.body as { preview: { summary: string; changes: Array<Record<string, unknown>> } };
    expect(pending.preview.summary).toMatch(/^Create 10 tasks and move 1 task as /);
    expect(pending.preview.changes[0]).toMatchObject({
      item: 0,
      action: "move",
      gid: DEMO_TASK_GID,
      name: "Prepare the Q3 launch checklist",
      from: [expect.any(String)],
      to_section: DEMO_SECTION_GIDS.done,
    });
    expect(h.fake.requests.slice(before).every((r) => r.method === "GET")).toBe(true);
  });

  it("refuses bad input anywhere before any request, naming the item", async () => {
    const h = await hs.start();
    const ok = create("ok");
    await expectRefused(h, "batch_tasks", [
      [{ items: [] }, "items"],
      [{ items: Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => ok) }, "items"],
      [
        { items: [ok, { action: "create", name: "nowhere" }] },
        "items.1: give project_gid, parent_gid or workspace_gid",
      ],
      [{ items: [ok, ok, { action: "update", task_gid: DEMO_TASK_GID }] }, "items.2: nothing to change"],
      [
        {
          items: [
            { action: "update", task_gid: DEMO_TASK_GID, start_on: "2025-08-02", due_on: "2025-08-01" },
          ],
        },
        "items.0: start_on",
      ],
      [
        { items: [ok, create("x", { notes: "a", html_notes: "<body>a</body>" })] },
        "items.1: give notes or html_notes",
      ],
      [{ items: [ok, { action: "delete", task_gid: DEMO_TASK_GID }] }, "items.1"],
      [{ items: [{ action: "move", task_gid: DEMO_TASK_GID }] }, "section_gid"],
      [
        {
          items: [
            {
              action: "move",
              task_gid: DEMO_TASK_GID,
              section_gid: DEMO_SECTION_GIDS.done,
              project_gid: DEMO_PROJECT_GID,
            },
          ],
        },
        "project_gid: does not apply",
      ],
      [
        {
          items: [
            { action: "move", task_gid: DEMO_TASK_GID, section_gid: DEMO_SECTION_GIDS.done },
            { action: "move", task_gid: DEMO_TASK_GID, section_gid: DEMO_SECTION_GIDS.doing },
          ],
        },
        `items.1: moves task ${DEMO_TASK_GID}, as items.0 does; move a task once per call`,
      ],
      [
        {
          items: [
            { action: "update", task_gid: DEMO_TASK_GID, name: "one" },
            ok,
            { action: "update", task_gid: `https://app.asana.com/0/0/${DEMO_TASK_GID}`, notes: "two" },
          ],
        },
        `items.2: updates task ${DEMO_TASK_GID}, as items.0 does; put both changes in one item`,
      ],
      [
        {
          items: [
            { action: "update", task_gid: Number(DEMO_TASK_GID), name: "one" },
            { action: "update", task_gid: `00${DEMO_TASK_GID}`, notes: "two" },
          ],
        },
        `items.1: updates task ${DEMO_TASK_GID}, as items.0 does`,
      ],
      [{ items: [ok, { ...ok, bogus: 1 }] }, "bogus"],
      [
        {
          items: [
            ok,
            create("x", { section_gid: DEMO_SECTION_GIDS.todo, project_gid: undefined, workspace_gid: ACME }),
          ],
        },
        "items.1: section_gid needs project_gid",
      ],
    ]);
  });

  it("refuses the whole call when one item's custom field is unknown, after reads only", async () => {
    const h = await hs.start();
    const error = errorOf(
      await h.call("batch_tasks", {
        items: [create("a"), create("b", { custom_fields: { Priority: "Urgent" } })],
      }),
    );
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("items.1: custom_fields:");
    expect(error.message).toContain("Nothing was written");
    expect(sent(h).every((r) => r.method === "GET")).toBe(true);
  });

  it(`asks a human's yes for more than ${BATCH_CONFIRM_OVER} items, previewing each change by GETs only`, async () => {
    const h = await hs.start();
    const confirm = batchTasks.confirm!;
    expect(confirm.needed?.(batchTasks.parse({ items: [create("a")] }))).toBe(false);
    const items = [
      { action: "update", task_gid: DEMO_TASK_GID, name: "New name", completed: true, notes: "12345" },
      create("Fresh", { section_gid: DEMO_SECTION_GIDS.todo }),
      ...Array.from({ length: BATCH_CONFIRM_OVER - 1 }, (_, i) => create(`Many ${i}`)),
    ];
    expect(items.length).toBe(BATCH_CONFIRM_OVER + 1);
    const before = h.fake.requests.length;
    const first = await h.call("batch_tasks", { items });
    expect(first.isError, first.text).toBe(false);
    const pending = first.body as {
      confirmation_required: true;
      preview: { summary: string; changes: Array<Record<string, unknown>> };
      confirmation_token: string;
    };
    expect(pending.confirmation_required).toBe(true);
    expect(pending.preview.summary).toMatch(/^Create 10 tasks and update 1 task as Acme Bot \(bot account/);
    expect(pending.preview.changes[0]).toMatchObject({
      item: 0,
      action: "update",
      gid: DEMO_TASK_GID,
      name: "Prepare the Q3 launch checklist",
      changes: {
        name: { from: "Prepare the Q3 launch checklist", to: "New name" },
        completed: { from: false, to: true },
        notes: { to: "5 characters" },
      },
    });
    expect(pending.preview.changes[1]).toMatchObject({
      item: 1,
      action: "create",
      name: "Fresh",
      where: `project ${DEMO_PROJECT_GID}, section ${DEMO_SECTION_GIDS.todo}`,
    });
    expect(pending.preview.changes).toHaveLength(items.length);
    // The preview read; nothing was written.
    expect(h.fake.requests.slice(before).every((r) => r.method === "GET")).toBe(true);
    expect(h.fake.task(DEMO_TASK_GID)?.name).toBe("Prepare the Q3 launch checklist");
    const done = await h.call("batch_tasks", { items, confirmation_token: pending.confirmation_token });
    expect(done.isError, done.text).toBe(false);
    expect(done.body.counts).toEqual({ ok: items.length, error: 0, unknown: 0 });
    expect(h.fake.task(DEMO_TASK_GID)?.name).toBe("New name");
  });
});

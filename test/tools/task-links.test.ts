import { afterEach, describe, expect, it } from "vitest";
import { DEMO_TASK_GID } from "../../src/sandbox/demo-data.js";
import { DEMO_SUBTASK_GIDS, DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import { ADA_GID, BOT, BOT_GID, expectRefused, harnesses, UNKNOWN_GID, writes } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

const [SUBTASK] = DEMO_SUBTASK_GIDS;

describe("task_links", () => {
  it("says which tags were already added when a later one fails, and a second call completes the set", async () => {
    const h = await hs.start();
    // Faults are taken in order: the first addTag goes through (a zero delay), the second is refused.
    h.fake.inject({ method: "POST", path: `/tasks/${SUBTASK}/addTag`, type: "delay", ms: 0 });
    h.fake.inject({ method: "POST", path: `/tasks/${SUBTASK}/addTag`, type: "status", status: 403 });
    const failed = errorOf(
      await h.call("task_links", {
        task_gid: SUBTASK,
        action: "add",
        relation: "tags",
        gids: [DEMO_TAG_GIDS.launch, DEMO_TAG_GIDS.blocked],
      }),
    );
    expect(failed.code).toBe("forbidden");
    expect(failed.message).toMatch(
      new RegExp(
        `^Tags ${DEMO_TAG_GIDS.launch} were added; tag ${DEMO_TAG_GIDS.blocked} failed: Asana answered 403`,
      ),
    );
    expect(failed.hint).toContain("Calling again with the same gids is safe");
    expect(h.fake.task(SUBTASK)?.tags).toEqual([DEMO_TAG_GIDS.launch]);

    const again = await h.call("task_links", {
      task_gid: SUBTASK,
      action: "add",
      relation: "tags",
      gids: [DEMO_TAG_GIDS.launch, DEMO_TAG_GIDS.blocked],
    });
    expect(again.isError, again.text).toBe(false);
    expect(h.fake.task(SUBTASK)?.tags).toEqual([DEMO_TAG_GIDS.launch, DEMO_TAG_GIDS.blocked]);
  });

  it("adds and removes tags one request each, as the bot", async () => {
    const h = await hs.start();
    const added = await h.call("task_links", {
      task_gid: SUBTASK,
      action: "add",
      relation: "tags",
      gids: [DEMO_TAG_GIDS.launch, DEMO_TAG_GIDS.blocked],
    });
    expect(added.body).toEqual({
      task_gid: SUBTASK,
      done: `added tags ${DEMO_TAG_GIDS.launch}, ${DEMO_TAG_GIDS.blocked}`,
      acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" },
    });
    expect(h.fake.task(SUBTASK)?.tags).toEqual([DEMO_TAG_GIDS.launch, DEMO_TAG_GIDS.blocked]);
    await h.call("task_links", {
      task_gid: SUBTASK,
      action: "remove",
      relation: "tags",
      gids: [DEMO_TAG_GIDS.launch],
    });
    expect(h.fake.task(SUBTASK)?.tags).toEqual([DEMO_TAG_GIDS.blocked]);
    expect(writes(h).map((r) => [r.path, r.body])).toEqual([
      [`/tasks/${SUBTASK}/addTag`, { data: { tag: DEMO_TAG_GIDS.launch } }],
      [`/tasks/${SUBTASK}/addTag`, { data: { tag: DEMO_TAG_GIDS.blocked } }],
      [`/tasks/${SUBTASK}/removeTag`, { data: { tag: DEMO_TAG_GIDS.launch } }],
    ]);
  });

  it("adds and removes dependents and dependencies", async () => {
    const h = await hs.start();
    await h.call("task_links", {
      task_gid: SUBTASK,
      action: "add",
      relation: "dependents",
      gids: [DEMO_TASK_GID],
    });
    expect(h.fake.task(DEMO_TASK_GID)?.dependencies).toContain(SUBTASK);
    await h.call("task_links", {
      task_gid: SUBTASK,
      action: "remove",
      relation: "dependents",
      gids: [DEMO_TASK_GID],
    });
    expect(h.fake.task(DEMO_TASK_GID)?.dependencies).not.toContain(SUBTASK);
    const [blocker] = h.fake.task(DEMO_TASK_GID)?.dependencies ?? [];
    await h.call("task_links", {
      task_gid: SUBTASK,
      action: "add",
      relation: "dependencies",
      gids: [blocker],
    });
    expect(h.fake.task(SUBTASK)?.dependencies).toEqual([blocker]);
    expect(writes(h).map((r) => r.path)).toEqual([
      `/tasks/${SUBTASK}/addDependents`,
      `/tasks/${SUBTASK}/removeDependents`,
      `/tasks/${SUBTASK}/addDependencies`,
    ]);
  });

  it('adds followers by gid or "me", which is the person even though the bot writes', async () => {
    const h = await hs.start();
    const out = await h.call("task_links", {
      task_gid: SUBTASK,
      action: "add",
      relation: "followers",
      gids: ["me", ADA_GID],
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.done).toBe(`added followers ${ADA_GID} (${ADA_GID} is Ada Lovelace)`);
    expect(h.fake.task(SUBTASK)?.followers).toContain(ADA_GID);
    expect(h.fake.task(SUBTASK)?.followers).not.toContain(BOT_GID);
    expect(writes(h)[0]?.body).toEqual({ data: { followers: [ADA_GID] } });
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "task_links", [
      [{ task_gid: SUBTASK, action: "add", relation: "tags", gids: ["me"] }, "gids.0: must be an Asana gid"],
      [
        { task_gid: SUBTASK, action: "add", relation: "dependencies", gids: ["a@b.c"] },
        "gids.0: must be an Asana gid",
      ],
      [{ task_gid: SUBTASK, action: "add", relation: "tags", gids: [] }, "gids"],
      [{ task_gid: SUBTASK, action: "toggle", relation: "tags", gids: ["1"] }, "action"],
      [{ task_gid: SUBTASK, action: "add", relation: "projects", gids: ["1"] }, "relation"],
    ]);
  });

  it("names the acting identity when the task is unknown", async () => {
    const h = await hs.start();
    const error = errorOf(
      await h.call("task_links", {
        task_gid: UNKNOWN_GID,
        action: "add",
        relation: "followers",
        gids: ["me"],
      }),
    );
    expect(error.code).toBe("not_found");
    expect(error.message).toContain(BOT);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { SIDE_PROJECT_TASK_GID } from "../../src/sandbox/demo-data.js";
import { DEMO_SUBTASK_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import {
  BOT,
  BOT_GID,
  BOT_ONLY,
  expectRefused,
  harnesses,
  PAT_AND_BOT,
  UNKNOWN_GID,
  writes,
} from "../helpers/tools.js";

/** These tests are of the delete itself; test/confirm.test.ts tests the person's confirmation of it. */
const CONFIRM_OFF = { ...PAT_AND_BOT, ASANA_CONFIRM: "off" };

const hs = harnesses();
afterEach(() => hs.closeAll());

const [SUBTASK] = DEMO_SUBTASK_GIDS;

describe("delete_task", () => {
  it("deletes a task, as the bot", async () => {
    const h = await hs.start(CONFIRM_OFF);
    const out = await h.call("delete_task", { task_gid: SUBTASK });
    expect(out.body).toEqual({
      deleted: SUBTASK,
      acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" },
    });
    expect(h.fake.task(SUBTASK)).toBeUndefined();
    expect(writes(h).map((r) => [r.method, r.path, r.userGid])).toEqual([
      ["DELETE", `/tasks/${SUBTASK}`, BOT_GID],
    ]);
  });

  it("settles an uncertain delete by sending it again: a 404 then means it was deleted", async () => {
    const h = await hs.start(CONFIRM_OFF);
    h.fake.inject({ method: "DELETE", type: "reset-after" });
    const out = await h.call("delete_task", { task_gid: SUBTASK });
    expect(out.isError, out.text).toBe(false);
    expect(h.fake.task(SUBTASK)).toBeUndefined();
    expect(writes(h).map((r) => r.status)).toEqual([0, 404]);
  });

  it("names the acting identity when a task is unknown or forbidden", async () => {
    const h = await hs.start({ ...BOT_ONLY, ASANA_CONFIRM: "off" });
    const missing = errorOf(await h.call("delete_task", { task_gid: UNKNOWN_GID }));
    expect(missing.code).toBe("not_found");
    expect(missing.message).toContain(BOT);
    const forbidden = errorOf(await h.call("delete_task", { task_gid: SIDE_PROJECT_TASK_GID }));
    expect(forbidden.code).toBe("forbidden");
    expect(forbidden.message).toContain(BOT);
    expect(h.fake.task(SIDE_PROJECT_TASK_GID)).toBeDefined();
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start(CONFIRM_OFF);
    await expectRefused(h, "delete_task", [
      [{}, "task_gid"],
      [{ task_gid: "*" }, "task_gid: must be an Asana gid"],
      [{ task_gid: SUBTASK, force: true }, 'unknown argument "force"'],
    ]);
  });
});

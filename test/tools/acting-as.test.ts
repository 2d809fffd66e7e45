// acting_as names the Asana user from the first write on: a write that arrives while the start-up
// `GET /users/me` is still in flight waits for that answer instead of naming only the variable.
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_TASK_GID } from "../../src/sandbox/demo-data.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { BOT_GID, BOT_ONLY } from "../helpers/tools.js";

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

async function slowStart(): Promise<{ h: Harness; started: Promise<void> }> {
  const h = await startHarness({ env: BOT_ONLY, resolve: false });
  open.push(h);
  h.fake.inject({ method: "GET", path: "/users/me", type: "delay", ms: 400 });
  // The server's start-up resolution, not awaited: the write below arrives while it is in flight.
  const started = h.resolveIdentities();
  return { h, started };
}

const usersMe = (h: Harness) => h.fake.requests.filter((r) => r.path === "/users/me");

describe("acting_as on the first write after start-up", () => {
  it("update_task waits for the /users/me in flight and names the bot with its gid", async () => {
    const { h, started } = await slowStart();
    const out = await h.call("update_task", { task_gid: DEMO_TASK_GID, completed: true });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.acting_as).toEqual({ gid: BOT_GID, name: "Acme Bot", kind: "bot" });
    await started;
    // The answer the start-up asked for, shared: no second request.
    expect(usersMe(h)).toHaveLength(1);
  });

  it("create_comment and move_task name the bot too", async () => {
    const { h, started } = await slowStart();
    const [moved, commented] = await Promise.all([
      h.call("move_task", { task_gid: DEMO_TASK_GID, action: "set_parent", parent_gid: null }),
      h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "first words" }),
    ]);
    expect(moved.isError, moved.text).toBe(false);
    expect(commented.isError, commented.text).toBe(false);
    expect(moved.body.acting_as).toEqual({ gid: BOT_GID, name: "Acme Bot", kind: "bot" });
    expect(commented.body.acting_as).toEqual({ gid: BOT_GID, name: "Acme Bot", kind: "bot" });
    await started;
    expect(usersMe(h)).toHaveLength(1);
  });
});

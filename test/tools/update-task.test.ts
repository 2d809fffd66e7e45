import { afterEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SIDE_PROJECT_TASK_GID,
} from "../../src/sandbox/demo-data.js";
import { DEMO_FIELD_GIDS, DEMO_PRIORITY_OPTIONS, DEMO_SUBTASK_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import {
  ACME,
  ADA_GID,
  BOT,
  BOT_GID,
  BOT_ONLY,
  expectRefused,
  harnesses,
  sent,
  UNKNOWN_GID,
  writes,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

describe("update_task", () => {
  it("completes a task and sets a custom field by name, as the bot", async () => {
    const h = await hs.start();
    const out = await h.call("update_task", {
      task_gid: DEMO_TASK_GID,
      completed: true,
      due_on: "2025-08-01",
      custom_fields: { Priority: "medium" },
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({
      task: { gid: DEMO_TASK_GID, done: true, due: "2025-08-01" },
      acting_as: { gid: BOT_GID, kind: "bot" },
    });
    expect(h.fake.task(DEMO_TASK_GID)).toMatchObject({
      completed: true,
      dueOn: "2025-08-01",
      customFields: { [DEMO_FIELD_GIDS.priority]: DEMO_PRIORITY_OPTIONS.medium },
    });
    expect(writes(h).map((r) => [r.method, r.path, r.userGid])).toEqual([
      ["PUT", `/tasks/${DEMO_TASK_GID}`, BOT_GID],
    ]);
  });

  it("echoes each field it changed with its new value as Asana answered the PUT, and nothing else", async () => {
    const h = await hs.start();
    const out = await h.call("update_task", {
      task_gid: DEMO_TASK_GID,
      name: "Launch v2",
      notes: "Ship it.",
      assignee: "me",
      due_at: "2025-08-01T10:00:00Z",
      completed: false,
      custom_fields: { Priority: "low", "Estimate (h)": 2.5, "Owner note": null },
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.changed).toEqual({
      name: "Launch v2",
      notes_length: 8,
      assignee: { gid: ADA_GID, name: "Ada Lovelace" },
      due_at: "2025-08-01T10:00:00.000Z",
      completed: false,
      // By name; a number field as a number (Asana displays it as the text "2.5"); a cleared one null.
      custom_fields: { Priority: "Low", "Estimate (h)": 2.5, "Owner note": null },
    });
    // One PUT that asked for what the echo needs; no read after it.
    const put = sent(h).findIndex((r) => r.method === "PUT");
    expect(
      sent(h)
        .slice(put)
        .map((r) => r.method),
    ).toEqual(["PUT"]);
    expect(sent(h)[put]?.query.opt_fields?.split(",")).toEqual(
      expect.arrayContaining(["notes", "custom_fields.name", "custom_fields.number_value"]),
    );
  });

  it("echoes only what it changed: a custom field alone shows that field, unset fields as null", async () => {
    const h = await hs.start();
    const out = await h.call("update_task", {
      task_gid: DEMO_TASK_GID,
      custom_fields: { "Estimate (h)": 4 },
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.changed).toEqual({ custom_fields: { "Estimate (h)": 4 } });
    const cleared = await h.call("update_task", { task_gid: DEMO_TASK_GID, due_on: null, assignee: null });
    expect(cleared.body.changed).toEqual({ due_on: null, assignee: null });
  });

  it("unassigns with null, and repeats the PUT after an uncertain failure", async () => {
    const h = await hs.start();
    h.fake.inject({ method: "PUT", type: "reset-after" });
    const out = await h.call("update_task", { task_gid: DEMO_SUBTASK_GIDS[0], assignee: null });
    expect(out.isError, out.text).toBe(false);
    expect(h.fake.task(DEMO_SUBTASK_GIDS[0])?.assignee).toBeNull();
    expect(writes(h)).toHaveLength(2);
    expect(writes(h)[1]?.body).toEqual({ data: { assignee: null } });
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "update_task", [
      [{ task_gid: DEMO_TASK_GID }, "nothing to change"],
      [{ task_gid: DEMO_TASK_GID, notes: "a", html_notes: "<body>a</body>" }, "not both"],
      [{ task_gid: DEMO_TASK_GID, name: "" }, "name"],
      [{ task_gid: DEMO_TASK_GID, start_on: "tomorrow" }, "start_on: must be YYYY-MM-DD"],
      [{ task_gid: DEMO_TASK_GID, workspace_gid: "1" }, 'unknown argument "workspace_gid"'],
    ]);
  });

  it("refuses an unknown custom field or option before any write, listing the valid ones", async () => {
    const h = await hs.start();
    const bad = errorOf(
      await h.call("update_task", { task_gid: DEMO_TASK_GID, custom_fields: { Priority: "Urgent" } }),
    );
    expect(bad.code).toBe("invalid_input");
    expect(bad.message).toContain("High, Medium, Low");
    const unknown = errorOf(
      await h.call("update_task", { task_gid: DEMO_TASK_GID, custom_fields: { Color: "x" } }),
    );
    expect(unknown.message).toContain("Priority");
    const wrongType = errorOf(
      await h.call("update_task", { task_gid: DEMO_TASK_GID, custom_fields: { "Estimate (h)": "many" } }),
    );
    expect(wrongType.message).toContain("Estimate (h) is a number field");
    expect(writes(h)).toEqual([]);
  });

  it("refuses a field name two of the task's fields share, asking for the gid; the gid then works", async () => {
    const data = demoData();
    const second = "1209000000000099";
    data.world?.customFields?.push({ gid: second, name: "priority", workspace: ACME, type: "text" });
    data.world?.projectFields?.push({ project: DEMO_PROJECT_GID, field: second });
    const h = await hs.start(undefined, data);
    const ambiguous = errorOf(
      await h.call("update_task", { task_gid: DEMO_TASK_GID, custom_fields: { Priority: "High" } }),
    );
    expect(ambiguous.code).toBe("invalid_input");
    expect(ambiguous.message).toContain(`gids ${DEMO_FIELD_GIDS.priority}, ${second}`);
    expect(writes(h)).toEqual([]);
    const out = await h.call("update_task", {
      task_gid: DEMO_TASK_GID,
      custom_fields: { [DEMO_FIELD_GIDS.priority]: "High" },
    });
    expect(out.isError, out.text).toBe(false);
    expect(writes(h)).toHaveLength(1);
  });

  it("names the acting identity when a task is unknown or forbidden", async () => {
    const h = await hs.start(BOT_ONLY);
    const missing = errorOf(await h.call("update_task", { task_gid: UNKNOWN_GID, completed: true }));
    expect(missing.code).toBe("not_found");
    expect(missing.message).toContain(BOT);
    const forbidden = errorOf(
      await h.call("update_task", { task_gid: SIDE_PROJECT_TASK_GID, completed: true }),
    );
    expect(forbidden.code).toBe("forbidden");
    expect(forbidden.message).toContain(BOT);
    expect(h.fake.task(SIDE_PROJECT_TASK_GID)?.completed).toBe(false);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, SIDE_PROJECT_TASK_GID } from "../../src/sandbox/demo-data.js";
import { DEMO_ATTACHMENT_GID } from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import {
  ADA,
  ADA_GID,
  BOT,
  BOT_ONLY,
  expectRefused,
  harnesses,
  sent,
  UNKNOWN_GID,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

describe("get_task", () => {
  it("shows one task with sections, custom fields by name, relations and attachments", async () => {
    const h = await hs.start();
    const { body, isError, text } = await h.call("get_task", { task_gid: DEMO_TASK_GID });
    expect(isError, text).toBe(false);
    const stored = h.fake.task(DEMO_TASK_GID);
    expect(body.task).toMatchObject({
      gid: DEMO_TASK_GID,
      name: "Prepare the Q3 launch checklist",
      notes: stored?.notes,
      projects: [{ gid: DEMO_PROJECT_GID, section: { name: "In progress" } }],
      subtasks: 2,
      tags: [{ name: "launch" }],
      custom_fields: { Priority: "High", "Estimate (h)": 6 },
      attachments: [{ gid: DEMO_ATTACHMENT_GID, name: "launch-checklist.pdf" }],
      depends_on: stored?.dependencies,
    });
    expect(body.task).not.toHaveProperty("html_notes");
    expect(sent(h).map((r) => [r.path, r.query.parent, r.userGid])).toEqual([
      [`/tasks/${DEMO_TASK_GID}`, undefined, ADA_GID],
      ["/attachments", DEMO_TASK_GID, ADA_GID],
    ]);
  });

  it("gives the notes as HTML when asked", async () => {
    const h = await hs.start();
    const { body } = await h.call("get_task", { task_gid: DEMO_TASK_GID, html: true });
    expect(body.task).toMatchObject({ html_notes: expect.stringMatching(/^<body>[\s\S]*<\/body>$/) });
    expect(body.task).not.toHaveProperty("notes");
  });

  it("names the identity when a task is unknown or forbidden", async () => {
    const h = await hs.start();
    const missing = errorOf(await h.call("get_task", { task_gid: UNKNOWN_GID }));
    expect(missing.code).toBe("not_found");
    expect(missing.message).toContain(ADA);

    const bot = await hs.start(BOT_ONLY);
    const forbidden = errorOf(await bot.call("get_task", { task_gid: SIDE_PROJECT_TASK_GID }));
    expect(forbidden.code).toBe("forbidden");
    expect(forbidden.message).toContain(BOT);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "get_task", [
      [{}, "task_gid"],
      [{ task_gid: "../users/me" }, "task_gid: must be an Asana gid"],
      [{ task_gid: DEMO_TASK_GID, html: "yes" }, "html"],
    ]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SIDE_PROJECT_TASK_GID,
} from "../../src/sandbox/demo-data.js";
import {
  DEMO_FIELD_GIDS,
  DEMO_PRIORITY_OPTIONS,
  DEMO_SECTION_GIDS,
  DEMO_TAG_GIDS,
} from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import {
  ACME,
  ADA_GID,
  BOT,
  BOT_GID,
  BOT_ONLY,
  expectRefused,
  harnesses,
  PAT_AND_BOT,
  sent,
  writes,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

const named = (h: Awaited<ReturnType<typeof hs.start>>, name: string) =>
  writes(h).filter((r) => r.path === "/tasks" && (r.body as { data: { name: string } }).data.name === name);

describe("create_task", () => {
  it('creates a task in a section with custom fields by name, as the bot, assigned to "me": the person', async () => {
    const h = await hs.start();
    const out = await h.call("create_task", {
      name: "Book the launch room",
      project_gid: DEMO_PROJECT_GID,
      section_gid: DEMO_SECTION_GIDS.todo,
      assignee: "me",
      due_on: "2025-07-20",
      html_notes: "<body>Room for <strong>20</strong></body>",
      custom_fields: { priority: "low", "Estimate (h)": 2 },
      tag_gids: [DEMO_TAG_GIDS.launch],
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({
      task: {
        name: "Book the launch room",
        assignee: { gid: ADA_GID, name: "Ada Lovelace" },
        due: "2025-07-20",
        url: expect.any(String),
        // The fields it set, by name; the number as a number.
        custom_fields: { Priority: "Low", "Estimate (h)": 2 },
      },
      acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" },
    });
    const gid = (out.body.task as { gid: string }).gid;
    expect(h.fake.task(gid)).toMatchObject({
      sections: { [DEMO_PROJECT_GID]: DEMO_SECTION_GIDS.todo },
      customFields: { [DEMO_FIELD_GIDS.priority]: DEMO_PRIORITY_OPTIONS.low, [DEMO_FIELD_GIDS.estimate]: 2 },
      tags: [DEMO_TAG_GIDS.launch],
      createdBy: BOT_GID,
      assignee: ADA_GID,
      notes: "Room for 20",
    });
    expect(writes(h)).toHaveLength(1);
  });

  it("creates a subtask under its parent", async () => {
    const h = await hs.start();
    const out = await h.call("create_task", { name: "Check the projector", parent_gid: DEMO_TASK_GID });
    expect(out.isError, out.text).toBe(false);
    const gid = (out.body.task as { gid: string }).gid;
    expect(h.fake.task(gid)).toMatchObject({ name: "Check the projector", parent: DEMO_TASK_GID });
    // The result names the parent, from the POST's own answer.
    expect(out.body.task).toMatchObject({
      parent: { gid: DEMO_TASK_GID, name: "Prepare the Q3 launch checklist" },
    });
    expect(sent(h).map((r) => r.method)).toEqual(["POST"]);
    expect(writes(h)[0]?.body).toEqual({ data: { name: "Check the projector", parent: DEMO_TASK_GID } });
  });

  it("settles an uncertain create by reading back: one task, reported as created", async () => {
    const h = await hs.start();
    h.fake.inject({ method: "POST", path: "/tasks", type: "reset-after" });
    const out = await h.call("create_task", { name: "Uncertain task", project_gid: DEMO_PROJECT_GID });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.verified_after_uncertain_failure).toBe(true);
    expect(named(h, "Uncertain task")).toHaveLength(1);
    const gid = (out.body.task as { gid: string }).gid;
    expect(h.fake.task(gid)?.name).toBe("Uncertain task");
  });

  it("leaves a create uncertain, not 'not applied', when the project is too long to read back", async () => {
    const data = demoData();
    for (let i = 0; i < 2_000; i++) {
      const gid = `12058${String(i).padStart(11, "0")}`;
      data.tasks?.push({ gid, name: `Ticket ${i}`, workspace: ACME, projects: [DEMO_PROJECT_GID] });
    }
    const h = await hs.start(PAT_AND_BOT, data);
    h.fake.inject({ method: "POST", path: "/tasks", type: "reset-after" });
    const error = errorOf(
      await h.call("create_task", { name: "Last ticket", project_gid: DEMO_PROJECT_GID }),
    );
    expect(error.code).toBe("write_unknown");
    expect(error.message).toContain("more than 2000");
    expect(named(h, "Last ticket")).toHaveLength(1);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "create_task", [
      [{ name: "x" }, "give project_gid, parent_gid or workspace_gid"],
      [{ name: "  ", project_gid: DEMO_PROJECT_GID }, "name"],
      [
        { name: "x", section_gid: DEMO_SECTION_GIDS.todo, workspace_gid: ACME },
        "section_gid needs project_gid",
      ],
      [{ name: "x", project_gid: DEMO_PROJECT_GID, notes: "a", html_notes: "<body>a</body>" }, "not both"],
      [
        { name: "x", project_gid: DEMO_PROJECT_GID, due_on: "2025-07-01", due_at: "2025-07-01T10:00:00Z" },
        "not both",
      ],
      [
        { name: "x", project_gid: DEMO_PROJECT_GID, due_at: "2025-07-01 10:00" },
        "due_at: must be an ISO date-time",
      ],
      [
        { name: "x", project_gid: DEMO_PROJECT_GID, html_notes: "plain" },
        "html_notes: must be wrapped in <body>",
      ],
      [
        { name: "x", parent_gid: DEMO_TASK_GID, custom_fields: { Priority: "High" } },
        "the task is in no project",
      ],
    ]);
  });

  it("refuses an unknown custom field option before writing, listing the valid ones", async () => {
    const h = await hs.start();
    const error = errorOf(
      await h.call("create_task", {
        name: "x",
        project_gid: DEMO_PROJECT_GID,
        custom_fields: { Priority: "Urgent" },
      }),
    );
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("High, Medium, Low");
    expect(writes(h)).toEqual([]);
  });

  it("turns Asana's 400 on bad rich text into a clear input error", async () => {
    const h = await hs.start();
    const error = errorOf(
      await h.call("create_task", {
        name: "x",
        project_gid: DEMO_PROJECT_GID,
        html_notes: "<body><h1>x</h1></body>",
      }),
    );
    expect(error.code).toBe("invalid_rich_text");
    expect(error.hint).toContain("<body>");
  });

  it("names the acting identity when Asana forbids the project", async () => {
    const h = await hs.start(BOT_ONLY);
    const sideProject = h.fake.task(SIDE_PROJECT_TASK_GID)?.projects[0] ?? "";
    const error = errorOf(await h.call("create_task", { name: "x", project_gid: sideProject }));
    expect(error.code).toBe("forbidden");
    expect(error.message).toContain(BOT);
    expect(named(h, "x").map((r) => r.status)).toEqual([403]);
  });
});

describe("create_task settles on every field it set", () => {
  const full = {
    name: "Settle every field",
    project_gid: DEMO_PROJECT_GID,
    section_gid: DEMO_SECTION_GIDS.todo,
    notes: "all of it",
    assignee: "ada@sandbox.example",
    followers: ["grace@sandbox.example"],
    tag_gids: [DEMO_TAG_GIDS.launch],
    due_on: "2030-01-31",
  };

  it("finds a task that landed with an assignee and a follower by email, a section and a tag", async () => {
    const h = await hs.start();
    h.fake.inject({ method: "POST", path: "/tasks", type: "reset-after" });
    const out = await h.call("create_task", full);
    expect(out.isError, out.text).toBe(false);
    expect(out.body.verified_after_uncertain_failure).toBe(true);
    expect(h.fake.tasksNamed(full.name)).toEqual([(out.body.task as { gid: string }).gid]);
  });

  it("does not take a task made just after the call that differs only in its assignee", async () => {
    const h = await hs.start();
    h.fake.setClockOffset(30_000);
    const other = await h.call("create_task", {
      ...full,
      custom_fields: { priority: "high", "Estimate (h)": 2 },
    });
    h.fake.setClockOffset(0);
    expect(other.isError, other.text).toBe(false);
    h.fake.inject({ method: "POST", path: "/tasks", type: "reset-before" });
    const error = errorOf(await h.call("create_task", full));
    expect(error.code).toBe("write_not_applied");
    expect(h.fake.tasksNamed(full.name)).toHaveLength(1);
  });

  it("never says 'not created' of a landed task with custom fields", async () => {
    // Found when the custom fields' values can be compared; write_unknown when they cannot (the
    // sandbox answers nested custom field values without the field's gid).
    const h = await hs.start();
    h.fake.inject({ method: "POST", path: "/tasks", type: "reset-after" });
    const args = { ...full, name: "Settle custom fields", custom_fields: { priority: "low" } };
    const out = await h.call("create_task", args);
    const made = h.fake.tasksNamed(args.name);
    expect(made).toHaveLength(1);
    if (out.isError) expect(errorOf(out).code).toBe("write_unknown");
    else expect((out.body.task as { gid: string }).gid).toBe(made[0]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, demoData } from "../../src/sandbox/demo-data.js";
import { DEMO_SECTION_GIDS, DEMO_SUBTASK_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import { ACME, BOT, BOT_GID, expectRefused, harnesses, sent, UNKNOWN_GID, writes } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

/** An Acme Corp project other than the demo project. */
const OTHER = demoData().projects?.find((p) => p.workspace === ACME && p.gid !== DEMO_PROJECT_GID);
const OTHER_PROJECT = OTHER?.gid ?? "";
const OTHER_NAME = OTHER?.name ?? "";

describe("move_task", () => {
  it("moves a task to another section of its project, as the bot", async () => {
    const h = await hs.start();
    const out = await h.call("move_task", {
      task_gid: DEMO_TASK_GID,
      action: "to_section",
      section_gid: DEMO_SECTION_GIDS.done,
    });
    expect(out.body).toEqual({
      task_gid: DEMO_TASK_GID,
      done: `moved to section "Done" (${DEMO_SECTION_GIDS.done}) in project "Q3 Product Launch" (${DEMO_PROJECT_GID}); any other project it is in keeps it`,
      section: { gid: DEMO_SECTION_GIDS.done, name: "Done" },
      project: { gid: DEMO_PROJECT_GID, name: "Q3 Product Launch" },
      acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" },
    });
    // addTask answers with nothing: one read of the section names it (and its project).
    expect(sent(h).filter((r) => r.path === `/sections/${DEMO_SECTION_GIDS.done}`)).toHaveLength(1);
    expect(h.fake.task(DEMO_TASK_GID)?.sections[DEMO_PROJECT_GID]).toBe(DEMO_SECTION_GIDS.done);
    expect(writes(h).map((r) => [r.path, r.body, r.userGid])).toEqual([
      [`/sections/${DEMO_SECTION_GIDS.done}/addTask`, { data: { task: DEMO_TASK_GID } }, BOT_GID],
    ]);
  });

  it("names the section from get_project's answer moments ago, with no read of its own", async () => {
    const h = await hs.start();
    await h.call("get_project", { project_gid: DEMO_PROJECT_GID });
    const before = h.fake.requests.length;
    const out = await h.call("move_task", {
      task_gid: DEMO_TASK_GID,
      action: "to_section",
      section_gid: DEMO_SECTION_GIDS.todo,
    });
    expect(out.body).toMatchObject({
      section: { gid: DEMO_SECTION_GIDS.todo, name: "To do" },
      project: { gid: DEMO_PROJECT_GID, name: "Q3 Product Launch" },
    });
    expect(h.fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /sections/${DEMO_SECTION_GIDS.todo}/addTask`,
    ]);
  });

  it("adds a task to a project and removes it again", async () => {
    const h = await hs.start();
    const added = await h.call("move_task", {
      task_gid: DEMO_TASK_GID,
      action: "add_to_project",
      project_gid: OTHER_PROJECT,
    });
    expect(added.isError, added.text).toBe(false);
    expect(h.fake.task(DEMO_TASK_GID)?.projects).toEqual([DEMO_PROJECT_GID, OTHER_PROJECT]);
    const removed = await h.call("move_task", {
      task_gid: DEMO_TASK_GID,
      action: "remove_from_project",
      project_gid: OTHER_PROJECT,
    });
    expect(added.body.project).toEqual({ gid: OTHER_PROJECT, name: OTHER_NAME });
    expect(removed.body.done).toBe(`removed from project "${OTHER_NAME}" (${OTHER_PROJECT})`);
    expect(removed.body.project).toEqual({ gid: OTHER_PROJECT, name: OTHER_NAME });
    expect(h.fake.task(DEMO_TASK_GID)?.projects).toEqual([DEMO_PROJECT_GID]);
  });

  it("makes a subtask top-level and back, repeating an uncertain move once", async () => {
    const h = await hs.start();
    const subtask = DEMO_SUBTASK_GIDS[1];
    const freed = await h.call("move_task", { task_gid: subtask, action: "set_parent", parent_gid: null });
    expect(freed.body.done).toBe("no longer a subtask");
    expect(freed.body.parent).toBeNull();
    expect(h.fake.task(subtask)?.parent).toBeNull();
    h.fake.inject({ method: "POST", type: "reset-after" });
    const back = await h.call("move_task", {
      task_gid: subtask,
      action: "set_parent",
      parent_gid: DEMO_TASK_GID,
    });
    expect(back.isError, back.text).toBe(false);
    // Named from setParent's own answer: no read after the write.
    expect(back.body.parent).toEqual({ gid: DEMO_TASK_GID, name: "Prepare the Q3 launch checklist" });
    expect(back.body.done).toBe(`now a subtask of "Prepare the Q3 launch checklist" (${DEMO_TASK_GID})`);
    expect(sent(h).filter((r) => r.method === "GET" && r.path.startsWith("/tasks/"))).toHaveLength(0);
    expect(h.fake.task(subtask)?.parent).toBe(DEMO_TASK_GID);
    expect(writes(h).map((r) => r.body)).toEqual([
      { data: { parent: null } },
      { data: { parent: DEMO_TASK_GID } },
      { data: { parent: DEMO_TASK_GID } },
    ]);
  });

  it("refuses an action without what it needs before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "move_task", [
      [{ task_gid: DEMO_TASK_GID, action: "to_section" }, "action to_section needs section_gid"],
      [{ task_gid: DEMO_TASK_GID, action: "add_to_project" }, "action add_to_project needs project_gid"],
      [{ task_gid: DEMO_TASK_GID, action: "remove_from_project" }, "needs project_gid"],
      [{ task_gid: DEMO_TASK_GID, action: "set_parent" }, "action set_parent needs parent_gid"],
      [{ task_gid: DEMO_TASK_GID, action: "archive" }, "action"],
    ]);
  });

  it("a move that landed is reported done even when reading the section's name fails", async () => {
    const h = await hs.start();
    h.fake.inject({
      method: "GET",
      path: `/sections/${DEMO_SECTION_GIDS.done}`,
      type: "status",
      status: 500,
      times: 10,
    });
    const out = await h.call("move_task", {
      task_gid: DEMO_TASK_GID,
      action: "to_section",
      section_gid: DEMO_SECTION_GIDS.done,
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.section).toEqual({ gid: DEMO_SECTION_GIDS.done, name: null });
    expect(out.body.done).toBe(
      `moved to section ${DEMO_SECTION_GIDS.done}; any other project it is in keeps it`,
    );
    expect(writes(h)).toHaveLength(1);
  });

  it("names the acting identity when the section is unknown", async () => {
    const h = await hs.start();
    const error = errorOf(
      await h.call("move_task", { task_gid: DEMO_TASK_GID, action: "to_section", section_gid: UNKNOWN_GID }),
    );
    expect(error.code).toBe("not_found");
    expect(error.message).toContain(BOT);
    expect(h.fake.task(DEMO_TASK_GID)?.sections[DEMO_PROJECT_GID]).toBe(DEMO_SECTION_GIDS.doing);
  });
});

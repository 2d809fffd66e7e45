import { afterEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SANDBOX_WORKSPACE_GIDS,
  SIDE_PROJECT_TASK_GID,
} from "../../src/sandbox/demo-data.js";
import { DEMO_SECTION_GIDS, DEMO_SUBTASK_GIDS, DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import {
  ACME,
  ADA,
  ADA_GID,
  ADA_WRITES,
  BOT,
  BOT_ONLY,
  expectRefused,
  harnesses,
  sent,
  UNKNOWN_GID,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

describe("list_tasks", () => {
  it("lists a section's tasks", async () => {
    const h = await hs.start();
    const doing = await h.call("list_tasks", { section_gid: DEMO_SECTION_GIDS.doing });
    expect(doing.isError, doing.text).toBe(false);
    expect(doing.body).toEqual({
      tasks: [
        {
          gid: DEMO_TASK_GID,
          name: "Prepare the Q3 launch checklist",
          assignee: "Ada Lovelace",
          due: "2025-07-15",
        },
      ],
      next_cursor: null,
    });
    expect(sent(h)).toMatchObject([
      { method: "GET", path: "/tasks", query: { section: DEMO_SECTION_GIDS.doing }, userGid: ADA_GID },
    ]);
  });

  it("pages a project's tasks with cursors, each page different", async () => {
    const h = await hs.start();
    const first = await h.call("list_tasks", { project_gid: DEMO_PROJECT_GID, limit: 1 });
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await h.call("list_tasks", {
      project_gid: DEMO_PROJECT_GID,
      limit: 1,
      cursor: first.body.next_cursor,
    });
    expect(second.isError, second.text).toBe(false);
    expect(second.body.tasks).toHaveLength(1);
    expect(second.body.tasks).not.toEqual(first.body.tasks);
    expect(sent(h)[1]?.query.offset).toEqual(expect.any(String));
  });

  it("refuses a cursor from another listing before any request", async () => {
    const h = await hs.start();
    const first = await h.call("list_tasks", { project_gid: DEMO_PROJECT_GID, limit: 1 });
    await expectRefused(h, "list_tasks", [
      [
        { project_gid: DEMO_PROJECT_GID, limit: 1, incomplete_only: true, cursor: first.body.next_cursor },
        "belongs to a listing with other arguments",
      ],
      [{ project_gid: DEMO_PROJECT_GID, cursor: "abc" }, "cursor: not a next_cursor"],
    ]);
  });

  it("lists subtasks, and only incomplete tasks when asked", async () => {
    const h = await hs.start();
    const subtasks = await h.call("list_tasks", { parent_gid: DEMO_TASK_GID });
    expect((subtasks.body.tasks as Array<{ gid: string }>).map((t) => t.gid)).toEqual([...DEMO_SUBTASK_GIDS]);
    const open = await h.call("list_tasks", {
      project_gid: DEMO_PROJECT_GID,
      incomplete_only: true,
      limit: 100,
    });
    const tasks = open.body.tasks as Array<{ gid: string; done?: true }>;
    expect(tasks.length).toBeGreaterThan(0);
    for (const t of tasks) expect(h.fake.task(t.gid)?.completed, t.gid).toBe(false);
    expect(sent(h).at(-1)?.query.completed_since).toEqual(expect.any(String));
  });

  it("lists a tag's tasks on every plan, and only incomplete ones when asked", async () => {
    const h = await hs.start(ADA_WRITES);
    const tagged = await h.call("list_tasks", { tag_gid: DEMO_TAG_GIDS.launch });
    expect(tagged.isError, tagged.text).toBe(false);
    expect((tagged.body.tasks as Array<{ gid: string }>).map((t) => t.gid)).toEqual([DEMO_TASK_GID]);
    expect(sent(h).at(-1)?.path).toBe(`/tags/${DEMO_TAG_GIDS.launch}/tasks`);
    // Asana's tag listing takes no completed_since: a done task is left out here instead.
    const done = await h.call("create_task", {
      name: "Done and tagged",
      project_gid: DEMO_PROJECT_GID,
      tag_gids: [DEMO_TAG_GIDS.launch],
    });
    const doneGid = (done.body.task as { gid: string }).gid;
    await h.call("update_task", { task_gid: doneGid, completed: true });
    const all = await h.call("list_tasks", { tag_gid: DEMO_TAG_GIDS.launch });
    expect((all.body.tasks as Array<{ gid: string }>).map((t) => t.gid)).toContain(doneGid);
    const open = await h.call("list_tasks", { tag_gid: DEMO_TAG_GIDS.launch, incomplete_only: true });
    expect((open.body.tasks as Array<{ gid: string }>).map((t) => t.gid)).toEqual([DEMO_TASK_GID]);
    expect(sent(h).at(-1)?.query.completed_since).toBeUndefined();
  });

  it("reads on past a page of only completed tasks with incomplete_only, rather than answer it empty", async () => {
    const h = await hs.start(ADA_WRITES);
    // The tag's first task is done; the open one is on a later page of Asana's listing.
    await h.call("update_task", { task_gid: DEMO_TASK_GID, completed: true });
    const made = await h.call("create_task", {
      name: "Open and tagged",
      project_gid: DEMO_PROJECT_GID,
      tag_gids: [DEMO_TAG_GIDS.launch],
    });
    const openGid = (made.body.task as { gid: string }).gid;
    const open = await h.call("list_tasks", {
      tag_gid: DEMO_TAG_GIDS.launch,
      incomplete_only: true,
      limit: 1,
    });
    expect(open.isError, open.text).toBe(false);
    expect((open.body.tasks as Array<{ gid: string }>).map((t) => t.gid)).toEqual([openGid]);
    expect(sent(h).filter((r) => r.path === `/tags/${DEMO_TAG_GIDS.launch}/tasks`)).toHaveLength(2);
    // Its cursor carries on after the page read last.
    if (open.body.next_cursor !== null) {
      const next = await h.call("list_tasks", {
        tag_gid: DEMO_TAG_GIDS.launch,
        incomplete_only: true,
        limit: 1,
        cursor: open.body.next_cursor,
      });
      expect((next.body.tasks as Array<{ gid: string }>).map((t) => t.gid)).not.toContain(openGid);
    }
  });

  it("refuses a tag of a workspace ASANA_WORKSPACES leaves out, and a tag's link (which reads as a project's)", async () => {
    const data = demoData();
    const side = "1208000000000099";
    data.world?.tags?.push({ gid: side, name: "side", workspace: SANDBOX_WORKSPACE_GIDS.side, color: null });
    const h = await hs.start({ ...ADA_WRITES, ASANA_WORKSPACES: ACME }, data);
    const error = errorOf(await h.call("list_tasks", { tag_gid: side }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain(`tag ${side} is in workspace ${SANDBOX_WORKSPACE_GIDS.side}`);
    expect(sent(h).filter((r) => r.path.endsWith("/tasks"))).toEqual([]);
    await expectRefused(h, "list_tasks", [
      [{ tag_gid: `https://app.asana.com/0/${DEMO_TAG_GIDS.launch}/list` }, "tag_gid"],
    ]);
  });

  it("refuses a tag's tasks under ASANA_PROJECTS: a tag spans its workspace", async () => {
    const h = await hs.start({ ...ADA_WRITES, ASANA_PROJECTS: DEMO_PROJECT_GID });
    const error = errorOf(await h.call("list_tasks", { tag_gid: DEMO_TAG_GIDS.launch }));
    expect(error.code).toBe("policy_denied");
    expect(sent(h).filter((r) => r.path.endsWith("/tasks"))).toEqual([]);
  });

  it("lists an assignee's tasks in the given workspace", async () => {
    const h = await hs.start();
    const mine = await h.call("list_tasks", { assignee: "me", workspace_gid: ACME, limit: 100 });
    expect(mine.isError, mine.text).toBe(false);
    expect(mine.body.tasks).toContainEqual(expect.objectContaining({ gid: DEMO_TASK_GID }));
    for (const t of mine.body.tasks as Array<{ gid: string }>) {
      expect(h.fake.task(t.gid)?.assignee, t.gid).toBe(ADA_GID);
    }
    // "me" is sent as the person's gid (Ada, who reads here too).
    expect(sent(h)[0]?.query).toMatchObject({ assignee: ADA_GID, workspace: ACME });
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "list_tasks", [
      [{}, "give exactly one of project_gid, section_gid, tag_gid, assignee"],
      [{ tag_gid: DEMO_TAG_GIDS.launch, project_gid: DEMO_PROJECT_GID }, "give exactly one of"],
      [{ tag_gid: "launch" }, "tag_gid"],
      [{ project_gid: DEMO_PROJECT_GID, section_gid: DEMO_SECTION_GIDS.doing }, "give exactly one of"],
      [{ assignee: "me" }, "workspace_gid is required: Ada Lovelace sees 2 workspaces"],
      [{ project_gid: DEMO_PROJECT_GID, limit: 101 }, "limit: must be at most 100"],
      [{ parent_gid: "x" }, "parent_gid: must be an Asana gid"],
    ]);
  });

  it("names the identity when a project is unknown or forbidden", async () => {
    const h = await hs.start();
    const missing = errorOf(await h.call("list_tasks", { project_gid: UNKNOWN_GID }));
    expect(missing.code).toBe("not_found");
    expect(missing.message).toContain(ADA);

    const bot = await hs.start(BOT_ONLY);
    const sideProject = bot.fake.task(SIDE_PROJECT_TASK_GID)?.projects[0] ?? "";
    const forbidden = errorOf(await bot.call("list_tasks", { project_gid: sideProject }));
    expect(forbidden.code).toBe("forbidden");
    expect(forbidden.message).toContain(BOT);
  });
});

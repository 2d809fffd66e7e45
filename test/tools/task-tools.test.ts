// The task tools through the real MCP client against the fake Asana: what the agent sees, and
// what Asana (the fake) recorded and now holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  SANDBOX_TOKENS,
  SANDBOX_WORKSPACE_GIDS,
} from "../../src/sandbox/demo-data.js";
import {
  DEMO_ATTACHMENT_GID,
  DEMO_FIELD_GIDS,
  DEMO_PRIORITY_OPTIONS,
  DEMO_SECTION_GIDS,
  DEMO_TAG_GIDS,
} from "../../src/sandbox/demo-world.js";
import { errorOf, type Harness, startHarness } from "../helpers/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot } });
});
afterAll(() => h.close());

const ACME = SANDBOX_WORKSPACE_GIDS.acme;
const posts = (path: string) => h.fake.requests.filter((r) => r.method !== "GET" && r.path === path);

describe("tools/list", () => {
  it("stays within 25 tools and 12,000 characters", async () => {
    const { tools } = await h.client.listTools();
    expect(tools.length).toBeLessThanOrEqual(25);
    expect(JSON.stringify(tools).length).toBeLessThanOrEqual(12_000);
    for (const t of tools.filter((t) => !["whoami", "oidc_userinfo"].includes(t.name))) {
      expect(t.description, t.name).toMatch(/(Reads as|by|as) (Ada Lovelace|Acme Bot)/);
    }
  });
});

describe("reading tasks", () => {
  it("searches a paid workspace and explains the 402 on a free one", async () => {
    const found = await h.call("search_tasks", { workspace_gid: ACME, text: "launch checklist" });
    expect(found.isError, found.text).toBe(false);
    expect(found.body.tasks).toContainEqual(expect.objectContaining({ gid: DEMO_TASK_GID }));
    const free = errorOf(
      await h.call("search_tasks", { workspace_gid: SANDBOX_WORKSPACE_GIDS.side, text: "book" }),
    );
    expect(free.code).toBe("payment_required");
    expect(free.hint).toContain("list_tasks");
  });

  it("lists a section's tasks and pages with cursors", async () => {
    const doing = await h.call("list_tasks", { section_gid: DEMO_SECTION_GIDS.doing });
    expect(doing.body.tasks).toEqual([
      expect.objectContaining({ gid: DEMO_TASK_GID, assignee: "Ada Lovelace" }),
    ]);
    const first = await h.call("list_tasks", { project_gid: DEMO_PROJECT_GID, limit: 1 });
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await h.call("list_tasks", {
      project_gid: DEMO_PROJECT_GID,
      limit: 1,
      cursor: first.body.next_cursor,
    });
    expect(second.body.tasks).not.toEqual(first.body.tasks);
    const subtasks = await h.call("list_tasks", { parent_gid: DEMO_TASK_GID });
    expect(subtasks.body.tasks).toHaveLength(2);
    expect(errorOf(await h.call("list_tasks", {})).message).toContain("exactly one of");
  });

  it("shows one task with sections, custom fields by name, relations and attachments", async () => {
    const { body, isError, text } = await h.call("get_task", { task_gid: DEMO_TASK_GID });
    expect(isError, text).toBe(false);
    expect(body.task).toMatchObject({
      name: "Prepare the Q3 launch checklist",
      projects: [{ gid: DEMO_PROJECT_GID, section: { name: "In progress" } }],
      subtasks: 2,
      tags: [{ name: "launch" }],
      custom_fields: { Priority: "High", "Estimate (h)": "6.0" },
      attachments: [{ gid: DEMO_ATTACHMENT_GID, name: "launch-checklist.pdf" }],
      depends_on: [expect.any(String)],
    });
    const file = await h.call("get_attachment", { attachment_gid: DEMO_ATTACHMENT_GID });
    expect(file.body.attachment).toMatchObject({
      name: "launch-checklist.pdf",
      download_url: expect.any(String),
    });
    const comments = await h.call("list_comments", { task_gid: DEMO_TASK_GID });
    expect((comments.body.comments as unknown[]).length).toBe(2);
  });

  it("shows a project and the workspace's people", async () => {
    const p = await h.call("get_project", { project_gid: DEMO_PROJECT_GID });
    expect(p.body.project).toMatchObject({
      sections: [{ name: "To do" }, { name: "In progress" }, { name: "Done" }],
      custom_fields: expect.arrayContaining([
        expect.objectContaining({ name: "Priority", options: ["High", "Medium", "Low"] }),
      ]),
      status_updates: [expect.objectContaining({ status: "on_track" })],
    });
    const users = await h.call("list_workspace", { of: "users", workspace_gid: ACME });
    expect(users.body.items).toContainEqual(expect.objectContaining({ name: "Acme Bot" }));
    const tags = await h.call("list_workspace", { of: "tags", workspace_gid: ACME });
    expect(tags.body.items).toContainEqual({ gid: DEMO_TAG_GIDS.blocked, name: "blocked" });
  });
});

describe("changing tasks", () => {
  it("creates a task in a section with custom fields by name, as the bot", async () => {
    const out = await h.call("create_task", {
      name: "Book the launch room",
      project_gid: DEMO_PROJECT_GID,
      section_gid: DEMO_SECTION_GIDS.todo,
      assignee: "me",
      due_on: "2025-07-20",
      html_notes: "<body>Room for <strong>20</strong></body>",
      custom_fields: { priority: "low", "Estimate (h)": 2 },
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({
      task: { name: "Book the launch room", assignee: "Acme Bot" },
      acting_as: { name: "Acme Bot", kind: "bot" },
    });
    const gid = (out.body.task as { gid: string }).gid;
    const stored = h.fake.task(gid);
    expect(stored).toMatchObject({
      sections: { [DEMO_PROJECT_GID]: DEMO_SECTION_GIDS.todo },
      customFields: { [DEMO_FIELD_GIDS.priority]: DEMO_PRIORITY_OPTIONS.low, [DEMO_FIELD_GIDS.estimate]: 2 },
      createdBy: "1201000000000002",
      notes: "Room for 20",
    });
    expect(posts("/tasks")).toHaveLength(1);
  });

  it("refuses an unknown field or option before any write, listing the valid ones", async () => {
    const before = h.fake.requests.filter((r) => r.method !== "GET").length;
    const bad = errorOf(
      await h.call("update_task", { task_gid: DEMO_TASK_GID, custom_fields: { Priority: "Urgent" } }),
    );
    expect(bad.code).toBe("invalid_input");
    expect(bad.message).toContain("High, Medium, Low");
    const unknown = errorOf(
      await h.call("update_task", { task_gid: DEMO_TASK_GID, custom_fields: { Color: "x" } }),
    );
    expect(unknown.message).toContain("Priority");
    expect(h.fake.requests.filter((r) => r.method !== "GET").length).toBe(before);
  });

  it("settles an uncertain create by reading back: one task", async () => {
    h.fake.inject({ method: "POST", path: "/tasks", type: "reset-after" });
    const out = await h.call("create_task", { name: "Uncertain task", project_gid: DEMO_PROJECT_GID });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.verified_after_uncertain_failure).toBe(true);
    const all = await h.call("list_tasks", { project_gid: DEMO_PROJECT_GID, limit: 100 });
    expect(
      (all.body.tasks as Array<{ name: string }>).filter((t) => t.name === "Uncertain task"),
    ).toHaveLength(1);
  });

  it("updates, completes, moves, links and deletes", async () => {
    const made = await h.call("create_task", { name: "Temp", project_gid: DEMO_PROJECT_GID });
    const gid = (made.body.task as { gid: string }).gid;
    h.fake.inject({ method: "PUT", type: "reset-after" });
    const upd = await h.call("update_task", {
      task_gid: gid,
      completed: true,
      custom_fields: { Priority: "High" },
    });
    expect(upd.isError, upd.text).toBe(false);
    expect(h.fake.task(gid)).toMatchObject({
      completed: true,
      customFields: { [DEMO_FIELD_GIDS.priority]: DEMO_PRIORITY_OPTIONS.high },
    });

    expect(
      (
        await h.call("move_task", {
          task_gid: gid,
          action: "to_section",
          section_gid: DEMO_SECTION_GIDS.done,
        })
      ).isError,
    ).toBe(false);
    expect(h.fake.task(gid)?.sections[DEMO_PROJECT_GID]).toBe(DEMO_SECTION_GIDS.done);
    await h.call("move_task", { task_gid: gid, action: "set_parent", parent_gid: DEMO_TASK_GID });
    expect(h.fake.task(gid)?.parent).toBe(DEMO_TASK_GID);

    await h.call("task_links", {
      task_gid: gid,
      action: "add",
      relation: "tags",
      gids: [DEMO_TAG_GIDS.blocked],
    });
    await h.call("task_links", {
      task_gid: gid,
      action: "add",
      relation: "dependents",
      gids: [DEMO_TASK_GID],
    });
    expect(h.fake.task(gid)?.tags).toEqual([DEMO_TAG_GIDS.blocked]);
    expect(h.fake.task(DEMO_TASK_GID)?.dependencies).toContain(gid);
    await h.call("task_links", {
      task_gid: gid,
      action: "remove",
      relation: "dependents",
      gids: [DEMO_TASK_GID],
    });
    expect(h.fake.task(DEMO_TASK_GID)?.dependencies).not.toContain(gid);

    h.fake.inject({ method: "DELETE", type: "reset-after" });
    const del = await h.call("delete_task", { task_gid: gid });
    expect(del.body).toMatchObject({ deleted: gid, acting_as: { kind: "bot" } });
    expect(h.fake.task(gid)).toBeUndefined();
  });

  it("creates sections and status updates once", async () => {
    h.fake.inject({ method: "POST", path: `/projects/${DEMO_PROJECT_GID}/sections`, type: "reset-after" });
    const s = await h.call("create_section", { project_gid: DEMO_PROJECT_GID, name: "Blocked" });
    expect(s.body).toMatchObject({ section: { name: "Blocked" }, verified_after_uncertain_failure: true });
    expect(posts(`/projects/${DEMO_PROJECT_GID}/sections`)).toHaveLength(1);
    const st = await h.call("create_status_update", {
      project_gid: DEMO_PROJECT_GID,
      status: "at_risk",
      title: "Week 2",
      text: "Room not booked.",
    });
    expect(st.body).toMatchObject({ status_update: { status: "at_risk" }, acting_as: { name: "Acme Bot" } });
  });
});

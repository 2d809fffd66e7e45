// Every request the task tools build, checked against Asana's OpenAPI spec.
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  SANDBOX_TOKENS,
  SANDBOX_WORKSPACE_GIDS,
} from "../../src/sandbox/demo-data.js";
import { DEMO_ATTACHMENT_GID, DEMO_SECTION_GIDS, DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { validateRequest } from "./spec.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot } });
});
afterAll(() => h.close());

it("task tool requests match Asana's OpenAPI spec", async () => {
  const ws = SANDBOX_WORKSPACE_GIDS.acme;
  const calls: Array<[string, Record<string, unknown>]> = [
    [
      "search_tasks",
      {
        workspace_gid: ws,
        text: "launch",
        assignee: "me",
        completed: false,
        due_before: "2026-01-01",
      },
    ],
    ["list_tasks", { project_gid: DEMO_PROJECT_GID, incomplete_only: true }],
    ["list_tasks", { assignee: "me", workspace_gid: ws }],
    ["list_tasks", { parent_gid: DEMO_TASK_GID }],
    ["list_tasks", { tag_gid: DEMO_TAG_GIDS.launch, limit: 10 }],
    ["get_task", { task_gid: DEMO_TASK_GID }],
    ["list_comments", { task_gid: DEMO_TASK_GID }],
    ["get_attachment", { attachment_gid: DEMO_ATTACHMENT_GID }],
    ["list_attachments", { task_gid: DEMO_TASK_GID, limit: 5 }],
    ["list_attachments", { project_gid: DEMO_PROJECT_GID }],
    ["get_project", { project_gid: DEMO_PROJECT_GID }],
    ["list_workspace", { of: "users", workspace_gid: ws }],
    ["list_workspace", { of: "teams", workspace_gid: ws }],
    ["list_workspace", { of: "tags", workspace_gid: ws }],
    ["list_workspace", { of: "agents", workspace_gid: ws }],
    [
      "create_task",
      {
        name: "c",
        project_gid: DEMO_PROJECT_GID,
        section_gid: DEMO_SECTION_GIDS.todo,
        custom_fields: { Priority: "Low" },
        tag_gids: [DEMO_TAG_GIDS.launch],
        followers: ["me"],
        due_at: "2025-07-01T10:00:00Z",
        start_on: "2025-06-30",
      },
    ],
    ["create_task", { name: "sub", parent_gid: DEMO_TASK_GID, notes: "n" }],
    [
      "update_task",
      { task_gid: DEMO_TASK_GID, completed: false, custom_fields: { "Owner note": "x" }, assignee: null },
    ],
    ["move_task", { task_gid: DEMO_TASK_GID, action: "to_section", section_gid: DEMO_SECTION_GIDS.doing }],
    [
      "move_task",
      {
        task_gid: DEMO_TASK_GID,
        action: "add_to_project",
        project_gid: DEMO_PROJECT_GID,
        section_gid: DEMO_SECTION_GIDS.doing,
      },
    ],
    ["task_links", { task_gid: DEMO_TASK_GID, action: "add", relation: "followers", gids: ["me"] }],
    [
      "task_links",
      {
        task_gid: DEMO_TASK_GID,
        action: "remove",
        relation: "dependencies",
        gids: [DEMO_TASK_GID.replace(/1$/, "3")],
      },
    ],
    [
      "task_links",
      { task_gid: DEMO_TASK_GID, action: "add", relation: "tags", gids: [DEMO_TAG_GIDS.blocked] },
    ],
    ["create_section", { project_gid: DEMO_PROJECT_GID, name: "s" }],
    ["create_status_update", { project_gid: DEMO_PROJECT_GID, status: "on_track", title: "t", text: "x" }],
  ];
  for (const [name, args] of calls) {
    const out = await h.call(name, args);
    expect(out.isError, `${name}: ${out.text}`).toBe(false);
  }
  const made = await h.call("create_task", { name: "gone", project_gid: DEMO_PROJECT_GID });
  await h.call("move_task", {
    task_gid: (made.body.task as { gid: string }).gid,
    action: "remove_from_project",
    project_gid: DEMO_PROJECT_GID,
  });
  await h.call("move_task", {
    task_gid: (made.body.task as { gid: string }).gid,
    action: "set_parent",
    parent_gid: DEMO_TASK_GID,
  });
  await h.call("delete_task", { task_gid: (made.body.task as { gid: string }).gid });
  for (const r of h.fake.requests) {
    const problems = validateRequest({
      method: r.method,
      path: r.path,
      query: r.query,
      body: r.body ?? undefined,
    });
    expect(problems, `${r.method} ${r.path}`).toEqual([]);
  }
});

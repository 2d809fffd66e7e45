// batch_tasks' requests against Asana's spec: the POST /batch body (createBatchRequest) and each
// action inside it as the request it stands for, against its own operation (createTask, updateTask, addTaskForSection).
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { DEMO_SECTION_GIDS, DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { findOperation, validateRequest } from "./spec.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot, ASANA_CONFIRM: "off" },
  });
});
afterAll(() => h.close());

interface Action {
  relative_path: string;
  method: string;
  data?: Record<string, unknown>;
  options?: { fields?: string[]; limit?: number; offset?: string };
}

it("batch_tasks sends a createBatchRequest whose every action is a request its own operation allows", async () => {
  const out = await h.call("batch_tasks", {
    items: [
      {
        action: "create",
        name: "c",
        project_gid: DEMO_PROJECT_GID,
        section_gid: DEMO_SECTION_GIDS.todo,
        custom_fields: { Priority: "Low" },
        tag_gids: [DEMO_TAG_GIDS.launch],
        followers: ["me"],
        due_at: "2025-07-01T10:00:00Z",
        start_on: "2025-06-30",
        html_notes: "<body>Hi <strong>there</strong></body>",
      },
      { action: "create", name: "sub", parent_gid: DEMO_TASK_GID, notes: "n", assignee: "me" },
      {
        action: "update",
        task_gid: DEMO_TASK_GID,
        completed: false,
        custom_fields: { "Owner note": "x" },
        assignee: null,
        due_on: "2025-09-01",
      },
      { action: "move", task_gid: DEMO_TASK_GID, section_gid: DEMO_SECTION_GIDS.done },
      ...Array.from({ length: 9 }, (_, i) => ({
        action: "create",
        name: `more ${i}`,
        project_gid: DEMO_PROJECT_GID,
      })),
    ],
  });
  expect(out.isError, out.text).toBe(false);
  const batches = h.fake.requests.filter((r) => r.path === "/batch");
  expect(batches).toHaveLength(2);
  let actions = 0;
  for (const r of h.fake.requests) {
    expect(
      validateRequest({ method: r.method, path: r.path, query: r.query, body: r.body ?? undefined }),
      `${r.method} ${r.path}`,
    ).toEqual([]);
    if (r.path !== "/batch") continue;
    for (const action of (r.body as { data: { actions: Action[] } }).data.actions) {
      actions++;
      const method = action.method.toUpperCase();
      expect(action.method, "the spec's enum is lowercase").toBe(action.method.toLowerCase());
      const query: Record<string, string> = {};
      if (action.options?.fields) query.opt_fields = action.options.fields.join(",");
      const inner = {
        method,
        path: action.relative_path,
        query,
        ...(method === "GET" ? {} : { body: { data: action.data } }),
      };
      expect(
        findOperation(inner.method, inner.path)?.operationId,
        `${method} ${action.relative_path}`,
      ).toMatch(/^(createTask|updateTask|addTaskForSection)$/);
      expect(validateRequest(inner), `${method} ${action.relative_path}`).toEqual([]);
    }
  }
  expect(actions).toBe(13);
});

import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID } from "../../src/sandbox/demo-data.js";
import { DEMO_SECTION_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import { ACME, ADA, ADA_GID, BOT_ONLY, expectRefused, harnesses, SIDE, sent } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

describe("search_tasks", () => {
  it("finds tasks by text in a paid workspace, reading as the read identity", async () => {
    const h = await hs.start();
    const found = await h.call("search_tasks", { workspace_gid: ACME, text: "launch checklist" });
    expect(found.isError, found.text).toBe(false);
    expect(found.body).toEqual({
      tasks: [
        {
          gid: DEMO_TASK_GID,
          name: "Prepare the Q3 launch checklist",
          assignee: "Ada Lovelace",
          due: "2025-07-15",
        },
      ],
      more: false,
    });
    expect(sent(h).map((r) => [r.method, r.path, r.query.text, r.userGid])).toEqual([
      ["GET", `/workspaces/${ACME}/tasks/search`, "launch checklist", ADA_GID],
    ]);
  });

  it("passes its filters to Asana and says when there is more", async () => {
    const h = await hs.start();
    const found = await h.call("search_tasks", {
      workspace_gid: ACME,
      project_gid: DEMO_PROJECT_GID,
      section_gid: DEMO_SECTION_GIDS.todo,
      completed: false,
      limit: 1,
    });
    expect(found.isError, found.text).toBe(false);
    expect(found.body.tasks).toHaveLength(1);
    expect(found.body.more).toBe(true);
    const [request] = sent(h);
    expect(request?.query).toMatchObject({
      "projects.any": DEMO_PROJECT_GID,
      "sections.any": DEMO_SECTION_GIDS.todo,
      completed: "false",
    });
    const [task] = found.body.tasks as Array<{ gid: string }>;
    const stored = h.fake.task(task?.gid ?? "");
    expect(stored?.completed).toBe(false);
    expect(stored?.sections[DEMO_PROJECT_GID]).toBe(DEMO_SECTION_GIDS.todo);
  });

  it("uses the identity's only workspace when none is given", async () => {
    const h = await hs.start(BOT_ONLY);
    const found = await h.call("search_tasks", { text: "launch checklist" });
    expect(found.isError, found.text).toBe(false);
    expect(sent(h).map((r) => r.path)).toEqual([`/workspaces/${ACME}/tasks/search`]);
  });

  it("explains the 402 on a free workspace and points to list_tasks", async () => {
    const h = await hs.start();
    const error = errorOf(await h.call("search_tasks", { workspace_gid: SIDE, text: "book" }));
    expect(error.code).toBe("payment_required");
    expect(error.message).toContain(`workspace ${SIDE} is on the free plan`);
    expect(error.message).toContain(`Asana answered 402 to GET /workspaces/${SIDE}/tasks/search as ${ADA}`);
    expect(error.hint).toContain("list_tasks");
    expect(sent(h).map((r) => r.status)).toEqual([402]);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "search_tasks", [
      [{ text: "x" }, "workspace_gid is required: Ada Lovelace sees 2 workspaces"],
      [{ workspace_gid: ACME, due_before: "2025/07/01" }, "due_before: must be YYYY-MM-DD"],
      [{ workspace_gid: ACME, limit: 0 }, "limit: must be at least 1"],
      [{ workspace_gid: ACME, assignee: "Ada" }, 'must be a user gid, an email or "me"'],
      [{ workspace_gid: "acme" }, "workspace_gid: must be an Asana gid"],
      [{ workspace_gid: ACME, sort_by: "name" }, "sort_by"],
      [{ workspace_gid: ACME, query: "x" }, 'unknown argument "query"'],
    ]);
  });
});

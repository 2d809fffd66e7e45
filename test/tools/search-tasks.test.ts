import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, demoData, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { DEMO_SECTION_GIDS } from "../../src/sandbox/demo-world.js";
import type { FakeData, FakeTaskSeed } from "../../src/sandbox/fake-asana.js";
import { startFakeAsana } from "../fake-asana/index.js";
import { errorOf, type Harness } from "../helpers/harness.js";
import { ACME, ADA, ADA_GID, BOT_ONLY, expectRefused, harnesses, SIDE, sent } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

/**
 * Whether the sandbox answers search's created_at.before, which paging relies on. The paging tests
 * run where it does and are reported skipped where it does not (the fake had no such filter yet).
 */
async function sandboxFiltersCreatedBefore(): Promise<boolean> {
  const started = await startFakeAsana();
  try {
    const url = `${started.baseUrl}/workspaces/${ACME}/tasks/search?created_at.before=2000-01-01T00:00:00.000Z`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${SANDBOX_TOKENS.bot}` } });
    const { data } = (await response.json()) as { data: unknown[] };
    return data.length === 0;
  } finally {
    await started.close();
  }
}
const paging = await sandboxFiltersCreatedBefore();

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
          projects: [{ gid: DEMO_PROJECT_GID, name: "Q3 Product Launch" }],
        },
      ],
      next_cursor: null,
    });
    expect(sent(h).map((r) => [r.method, r.path, r.query.text, r.userGid])).toEqual([
      ["GET", `/workspaces/${ACME}/tasks/search`, "launch checklist", ADA_GID],
    ]);
    // Newest first, the order search pages in; one over the page to see whether more follow.
    expect(sent(h)[0]?.query).toMatchObject({ sort_by: "created_at", sort_ascending: "false", limit: "26" });
    expect(sent(h)[0]?.query["created_at.before"]).toBeUndefined();
  });

  it("passes its filters to Asana and gives a next_cursor when there is more", async () => {
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
    expect(found.body.next_cursor).toEqual(expect.any(String));
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
    // Asana's sentence ends the message with one full stop, not two.
    expect(error.message).toMatch(/premium users\.$/);
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
      [{ workspace_gid: ACME, sort_by: "modified_at" }, 'unknown argument "sort_by"'],
      [{ workspace_gid: ACME, cursor: "not a cursor!" }, "cursor"],
      [{ workspace_gid: ACME, query: "x" }, 'unknown argument "query"'],
    ]);
  });

  it.skipIf(!paging)(
    "pages with next_cursor through more than Asana's 100, each task once, newest first",
    async () => {
      // 150 matching tasks, created in threes within one millisecond, so that pages end inside a group.
      const h = await hs.start(undefined, withPagingTasks(150, 3));
      const seen = await pageThrough(h, { workspace_gid: ACME, text: "paging probe", limit: 10 });
      expect(seen).toHaveLength(150);
      expect(new Set(seen).size).toBe(150);
      expect(new Set(seen)).toEqual(new Set(pagingGids(150)));
      const created = seen.map((gid) => h.fake.task(gid)?.createdAt ?? "");
      expect(created).toEqual([...created].sort().reverse());
      // Each next page asked Asana for tasks created before a bound, not for an offset.
      const searches = sent(h);
      expect(searches.slice(1).every((r) => r.query["created_at.before"] && !r.query.offset)).toBe(true);
    },
  );

  it.skipIf(!paging)(
    "pages at Asana's limit of 100 a page without losing tasks created in one millisecond",
    async () => {
      const h = await hs.start(undefined, withPagingTasks(230, 7));
      const seen = await pageThrough(h, { workspace_gid: ACME, text: "paging probe", limit: 100 });
      expect(seen).toHaveLength(230);
      expect(new Set(seen)).toEqual(new Set(pagingGids(230)));
    },
  );

  it("refuses a next_cursor from another search", async () => {
    const h = await hs.start(undefined, withPagingTasks(30, 1));
    const first = await h.call("search_tasks", { workspace_gid: ACME, text: "paging probe", limit: 5 });
    const cursor = first.body.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const before = sent(h).length;
    const error = errorOf(
      await h.call("search_tasks", { workspace_gid: ACME, text: "other", limit: 5, cursor }),
    );
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("other arguments");
    expect(sent(h).length).toBe(before);
  });
});

const pagingGids = (count: number) =>
  Array.from({ length: count }, (_, i) => `12077${String(i).padStart(11, "0")}`);

/** The demo data plus `count` tasks named "Paging probe N", `tie` at a time created in one millisecond. */
function withPagingTasks(count: number, tie: number): FakeData {
  const data = demoData();
  const base = Date.parse("2025-03-01T09:00:00.000Z");
  const extra: FakeTaskSeed[] = pagingGids(count).map((gid, i) => ({
    gid,
    name: `Paging probe ${i}`,
    workspace: ACME,
    projects: [DEMO_PROJECT_GID],
    createdAt: new Date(base + Math.floor(i / tie) * 60_000).toISOString(),
  }));
  return { ...data, tasks: [...(data.tasks ?? []), ...extra] };
}

async function pageThrough(h: Harness, args: Record<string, unknown>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const outcome = await h.call("search_tasks", { ...args, ...(cursor ? { cursor } : {}) });
    expect(outcome.isError, outcome.text).toBe(false);
    const tasks = outcome.body.tasks as Array<{ gid: string; projects?: Array<{ gid: string }> }>;
    for (const task of tasks) {
      expect(task.projects?.map((p) => p.gid)).toEqual([DEMO_PROJECT_GID]);
      seen.push(task.gid);
    }
    cursor = outcome.body.next_cursor as string | null;
    if (!cursor) return seen;
  }
  throw new Error("search_tasks did not reach its last page in 50 pages");
}

import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, demoData } from "../../src/sandbox/demo-data.js";
import { DEMO_PORTFOLIO_GIDS, DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf, type Harness } from "../helpers/harness.js";
import {
  ACME,
  ADA_GID,
  BOT,
  BOT_GID,
  BOT_ONLY,
  expectRefused,
  harnesses,
  PAT_AND_BOT,
  SIDE,
  sent,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

interface Result {
  gid: string;
  name: string;
  archived?: true;
  done?: true;
  projects?: Array<{ gid: string; name: string }>;
  email?: string;
}

async function find(h: Harness, args: Record<string, unknown>): Promise<Result[]> {
  const outcome = await h.call("find", args);
  expect(outcome.isError, outcome.text).toBe(false);
  return outcome.body.results as Result[];
}

const typeaheads = (h: Harness) => sent(h).filter((r) => r.path.endsWith("/typeahead"));

/** A project other than the demo one whose name has "Q3" in it (a "Q3 Planning" project). */
function otherQ3Project(): string {
  const project = (demoData().projects ?? []).find(
    (p) => p.workspace === ACME && p.gid !== DEMO_PROJECT_GID && p.name.includes("Q3"),
  );
  if (!project) throw new Error("demo data has no second Q3 project");
  return project.gid;
}

describe("find", () => {
  it("finds a project by part of its name in one request, in the identity's only workspace", async () => {
    const h = await hs.start(BOT_ONLY);
    const outcome = await h.call("find", { type: "project", query: "Q3 Product" });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.body.workspace_gid).toBe(ACME);
    expect(outcome.body.results).toContainEqual({ gid: DEMO_PROJECT_GID, name: "Q3 Product Launch" });
    // One Asana request, to the workspace's typeahead, asking only for what the result shows.
    expect(sent(h).map((r) => [r.method, r.path, r.userGid])).toEqual([
      ["GET", `/workspaces/${ACME}/typeahead`, BOT_GID],
    ]);
    expect(sent(h)[0]?.query).toMatchObject({
      resource_type: "project",
      query: "Q3 Product",
      count: "10",
      opt_fields: "name,archived",
    });
  });

  it("finds tasks with their projects, users with their email, tags and portfolios", async () => {
    const h = await hs.start();
    const tasks = await find(h, { type: "task", query: "launch checklist", workspace_gid: ACME });
    expect(tasks).toContainEqual({
      gid: DEMO_TASK_GID,
      name: "Prepare the Q3 launch checklist",
      projects: [{ gid: DEMO_PROJECT_GID, name: "Q3 Product Launch" }],
    });
    const users = await find(h, { type: "user", query: "Ada", workspace_gid: ACME });
    expect(users).toContainEqual({ gid: ADA_GID, name: "Ada Lovelace", email: "ada@sandbox.example" });
    const tags = await find(h, { type: "tag", query: "launch", workspace_gid: ACME, limit: 5 });
    expect(tags).toContainEqual({ gid: DEMO_TAG_GIDS.launch, name: "launch" });
    const portfolios = await find(h, { type: "portfolio", query: "product launches", workspace_gid: ACME });
    expect(portfolios).toEqual([{ gid: DEMO_PORTFOLIO_GIDS.launches, name: "Product launches 2025" }]);
    // Read as the read identity (Ada), never the bot that writes.
    expect(typeaheads(h).map((r) => [r.query.resource_type, r.query.opt_fields, r.userGid])).toEqual([
      ["task", "name,completed,projects.name", ADA_GID],
      ["user", "name,email", ADA_GID],
      ["tag", "name", ADA_GID],
      ["portfolio", "name", ADA_GID],
    ]);
    expect(typeaheads(h)[2]?.query.count).toBe("5");
  });

  it("marks archived projects and completed tasks", async () => {
    const h = await hs.start(BOT_ONLY);
    const archived = (demoData().projects ?? []).find((p) => p.archived && p.workspace === ACME);
    expect(archived).toBeDefined();
    const found = await find(h, { type: "project", query: archived!.name, limit: 100 });
    expect(found).toContainEqual({ gid: archived!.gid, name: archived!.name, archived: true });
    const done = [...(demoData().tasks ?? [])].find((t) => t.completed && t.workspace === ACME);
    expect(done).toBeDefined();
    const tasks = await find(h, { type: "task", query: done!.name, limit: 100 });
    expect(tasks.find((t) => t.gid === done!.gid)?.done).toBe(true);
  });

  it("keeps to ASANA_PROJECTS: no project or task outside it appears, even among a task's projects", async () => {
    const other = otherQ3Project();
    // Without the allow-list the same query finds a Q3 project that is not the demo one.
    const open = await hs.start(BOT_ONLY);
    const unfiltered = await find(open, { type: "project", query: "Q3", limit: 100 });
    expect(unfiltered.some((p) => p.gid !== DEMO_PROJECT_GID)).toBe(true);

    const data = demoData();
    data.tasks = [
      ...(data.tasks ?? []),
      { gid: "1207800000000001", name: "Probe shared", workspace: ACME, projects: [DEMO_PROJECT_GID, other] },
      { gid: "1207800000000002", name: "Probe hidden", workspace: ACME, projects: [other] },
      { gid: "1207800000000003", name: "Probe loose", workspace: ACME, projects: [] },
    ];
    const h = await hs.start({ ...BOT_ONLY, ASANA_PROJECTS: DEMO_PROJECT_GID }, data);
    const projects = await find(h, { type: "project", query: "Q3", limit: 100 });
    expect(projects.map((p) => p.gid)).toEqual([DEMO_PROJECT_GID]);
    expect(projects.map((p) => p.gid)).not.toContain(other);

    // The shared task shows, but not its other project; the task only in the other project, and
    // the one in no project, do not show at all.
    expect(await find(h, { type: "task", query: "Probe", limit: 100 })).toEqual([
      {
        gid: "1207800000000001",
        name: "Probe shared",
        projects: [{ gid: DEMO_PROJECT_GID, name: "Q3 Product Launch" }],
        outside_projects: "and 1 project outside this server's allow-list",
      },
    ]);
    const tasks = await find(h, { type: "task", query: "a", limit: 100 });
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      expect(h.fake.task(task.gid)?.projects, task.name).toContain(DEMO_PROJECT_GID);
      expect(task.projects?.map((p) => p.gid)).toEqual([DEMO_PROJECT_GID]);
    }
    // Asked for as many as typeahead gives, so that filtering still fills the page.
    expect(typeaheads(h).map((r) => r.query.count)).toEqual(["100", "100", "100"]);
  });

  it("does not list users, tags or portfolios under ASANA_PROJECTS, before any request", async () => {
    const h = await hs.start({ ...BOT_ONLY, ASANA_PROJECTS: DEMO_PROJECT_GID });
    const before = h.fake.requests.length;
    for (const type of ["user", "tag", "portfolio"]) {
      const error = errorOf(await h.call("find", { type, query: "a" }));
      expect(error.code, type).toBe("policy_denied");
      expect(error.message).toContain("ASANA_PROJECTS");
    }
    expect(h.fake.requests.length).toBe(before);
  });

  it("keeps to ASANA_WORKSPACES: refuses another workspace and defaults to the allowed one", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_WORKSPACES: SIDE });
    const before = h.fake.requests.length;
    const error = errorOf(await h.call("find", { type: "project", query: "Q3", workspace_gid: ACME }));
    expect(error.code).toBe("policy_denied");
    expect(h.fake.requests.length).toBe(before);
    const outcome = await h.call("find", { type: "project", query: "book" });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.body.workspace_gid).toBe(SIDE);
    expect(typeaheads(h).map((r) => r.path)).toEqual([`/workspaces/${SIDE}/typeahead`]);
  });

  it("asks for workspace_gid when the identity sees several, and refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "find", [
      [{ type: "project", query: "x" }, "workspace_gid is required: Ada Lovelace sees 2 workspaces"],
      [{ type: "team", query: "x", workspace_gid: ACME }, "type"],
      [{ query: "x", workspace_gid: ACME }, "type"],
      [{ type: "task", workspace_gid: ACME }, "query"],
      [{ type: "task", query: "", workspace_gid: ACME }, "query: must not be empty"],
      [{ type: "task", query: "x".repeat(201), workspace_gid: ACME }, "query"],
      [{ type: "task", query: "x", workspace_gid: "acme" }, "workspace_gid: must be an Asana gid"],
      [{ type: "task", query: "x", workspace_gid: ACME, limit: 101 }, "limit: must be at most 100"],
      [{ type: "task", query: "x", workspace_gid: ACME, cursor: "abc" }, 'unknown argument "cursor"'],
    ]);
  });

  it("reports Asana's failures naming the identity", async () => {
    const h = await hs.start(BOT_ONLY);
    for (const [status, code] of [
      [403, "forbidden"],
      [404, "not_found"],
    ] as const) {
      h.fake.inject({ path: `/workspaces/${ACME}/typeahead`, type: "status", status });
      const error = errorOf(await h.call("find", { type: "project", query: "Q3" }));
      expect(error.code).toBe(code);
      expect(error.message).toContain(BOT);
      expect(error.hint.length).toBeGreaterThan(20);
    }
  });
});

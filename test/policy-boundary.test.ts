// The allow-lists as a boundary, attacked: both lists at once, a task that is also in an outside
// project, calls that change a second object (a current parent, a removed link), and bad input
// that must not cost a policy lookup. Each attack here broke the server before it was held.
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, demoData } from "../src/sandbox/demo-data.js";
import { DEMO_FIELD_GIDS, DEMO_PRIORITY_OPTIONS } from "../src/sandbox/demo-world.js";
import { validateRequest } from "./contract/spec.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";
import { ACME, ADA_WRITES, SIDE } from "./helpers/tools.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const adaWrites = ADA_WRITES;
const onlyDemo = { ...adaWrites, ASANA_PROJECTS: DEMO_PROJECT_GID };

const base = demoData();
/** An Acme project other than the demo project: outside ASANA_PROJECTS=DEMO_PROJECT_GID. */
const OUTSIDE = (() => {
  const project = base.projects?.find((p) => p.workspace === ACME && p.gid !== DEMO_PROJECT_GID);
  const task = base.tasks?.find((t) => t.projects?.includes(project?.gid ?? "") && t.workspace === ACME);
  if (!project || !task) throw new Error("demo data has no second Acme project with a task");
  return { project: project.gid, name: project.name, task: task.gid };
})();
const SIDE_PROJECT = base.projects?.find((p) => p.workspace === SIDE)?.gid ?? "";
const DEMO_SECOND_TASK =
  base.tasks?.find((t) => t.gid !== DEMO_TASK_GID && t.projects?.includes(DEMO_PROJECT_GID))?.gid ?? "";

const SECRET_FIELD = "1209000000000099";
/**
 * The demo task is also in the outside project, which carries a field of its own ("Secret budget",
 * options Hush and Quiet) set on the task; the task is a subtask of a task of the outside project,
 * and depends on it.
 */
function multiHomed() {
  const data = demoData();
  const demo = data.tasks?.find((t) => t.gid === DEMO_TASK_GID);
  demo?.projects?.push(OUTSIDE.project);
  const world = data.world ?? {};
  world.customFields?.push({
    gid: SECRET_FIELD,
    name: "Secret budget",
    workspace: ACME,
    type: "enum",
    options: [
      { gid: "1210000000000098", name: "Hush" },
      { gid: "1210000000000099", name: "Quiet" },
    ],
  });
  world.projectFields?.push({ project: OUTSIDE.project, field: SECRET_FIELD });
  world.values?.push({ task: DEMO_TASK_GID, field: SECRET_FIELD, value: "1210000000000098" });
  world.subtasks?.push({ task: DEMO_TASK_GID, parent: OUTSIDE.task });
  world.dependencies?.push({ task: DEMO_TASK_GID, dependsOn: OUTSIDE.task });
  data.stories?.push({
    gid: "1206000000000999",
    task: DEMO_TASK_GID,
    createdBy: data.users[0]?.gid ?? "",
    text: `added to ${OUTSIDE.name}`,
    type: "system",
  });
  return data;
}

/** Every request the server sent, the policy's and the results' own reads included, is one Asana documents. */
function expectSpecValid(harness: Harness) {
  for (const r of harness.fake.requests) {
    expect(
      validateRequest({ method: r.method, path: r.path, query: r.query }),
      `${r.method} ${r.path}`,
    ).toEqual([]);
  }
}

const nonGets = (harness: Harness) => harness.fake.requests.filter((r) => r.method !== "GET");
const touched = (harness: Harness, gid: string) => harness.fake.requests.filter((r) => r.path.includes(gid));

describe("both allow-lists hold together", () => {
  const both = {
    ...adaWrites,
    ASANA_WORKSPACES: ACME,
    ASANA_PROJECTS: `${DEMO_PROJECT_GID},${SIDE_PROJECT}`,
  };

  it.each([
    ["get_project", { project_gid: SIDE_PROJECT }],
    ["list_tasks", { project_gid: SIDE_PROJECT }],
    ["search_tasks", { workspace_gid: ACME, project_gid: SIDE_PROJECT }],
    ["create_task", { name: "Sneaked in", project_gid: SIDE_PROJECT }],
    ["create_section", { project_gid: SIDE_PROJECT, name: "Sneaked in" }],
    [
      "create_status_update",
      { project_gid: SIDE_PROJECT, status: "on_track", title: "Hi", text: "Sneaked." },
    ],
  ])("%s on a listed project in an unlisted workspace is refused", async (name, args) => {
    h = await startHarness({ env: both });
    const error = errorOf(await h.call(name, args));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(
      `project ${SIDE_PROJECT} is in workspace ${SIDE}, which ASANA_WORKSPACES does not allow.`,
    );
    expect(nonGets(h)).toEqual([]);
    // One lookup of the project's workspace, nothing else of it.
    expect(touched(h, SIDE_PROJECT).map((r) => `${r.path}?${r.query.opt_fields}`)).toEqual([
      `/projects/${SIDE_PROJECT}?workspace`,
    ]);
  });

  it("a listed project in an allowed workspace still acts", async () => {
    h = await startHarness({ env: both });
    const outcome = await h.call("create_section", { project_gid: DEMO_PROJECT_GID, name: "Fine" });
    expect(outcome.isError, outcome.text).toBe(false);
  });
});

describe("a task in an allowed and an outside project", () => {
  it("get_task shows only the allowed project and its fields, and says how many it leaves out", async () => {
    h = await startHarness({ env: onlyDemo, data: multiHomed() });
    const outcome = await h.call("get_task", { task_gid: DEMO_TASK_GID });
    expect(outcome.isError, outcome.text).toBe(false);
    const task = outcome.body.task as Record<string, unknown>;
    expect((task.projects as Array<{ gid: string }>).map((p) => p.gid)).toEqual([DEMO_PROJECT_GID]);
    expect(task.outside_projects).toBe("and 1 project outside this server's allow-list");
    expect(task.custom_fields).toEqual({ Priority: "High", "Estimate (h)": 6 });
    // The outside parent is named by gid only.
    expect(task.parent).toEqual({ gid: OUTSIDE.task, name: "" });
    for (const secret of [OUTSIDE.name, "Secret budget", "Hush", OUTSIDE.project])
      expect(outcome.text).not.toContain(secret);
    expect(touched(h, `/projects/${OUTSIDE.project}`)).toEqual([]);
    expectSpecValid(h);
  });

  it("list_comments leaves out activity that can name an outside project, and shows the rest", async () => {
    const data = multiHomed();
    // A task now inside the allow-list only, whose history names the outside project and task.
    for (const [gid, task, text, resourceSubtype] of [
      ["1206000000000997", DEMO_SECOND_TASK, `removed from ${OUTSIDE.name}`, "removed_from_project"],
      ["1206000000000996", DEMO_SECOND_TASK, `added dependency ${OUTSIDE.task}`, "dependency_added"],
      ["1206000000000995", DEMO_SECOND_TASK, "Ada completed this task", "marked_complete"],
    ] as const) {
      data.stories?.push({
        gid,
        task,
        createdBy: data.users[0]?.gid ?? "",
        text,
        type: "system",
        resourceSubtype,
      });
    }
    h = await startHarness({ env: onlyDemo, data });
    for (const task_gid of [DEMO_TASK_GID, DEMO_SECOND_TASK]) {
      const outcome = await h.call("list_comments", { task_gid, include_activity: true });
      expect(outcome.isError, outcome.text).toBe(false);
      expect(outcome.text).not.toContain(OUTSIDE.name);
      expect(outcome.text).not.toContain(OUTSIDE.task);
      expect(outcome.body.activity_withheld).toMatch(/^\d+ activit(y|ies) left out: under ASANA_PROJECTS/);
    }
    const first = await h.call("list_comments", { task_gid: DEMO_TASK_GID, include_activity: true });
    expect((first.body.comments as unknown[]).length).toBeGreaterThan(0);
    const inside = await h.call("list_comments", { task_gid: DEMO_SECOND_TASK, include_activity: true });
    expect(inside.text).toContain("Ada completed this task");
    // Without ASANA_PROJECTS (a workspace holds all of a task's projects) every activity shows.
    await h.close();
    h = await startHarness({ env: { ...adaWrites, ASANA_WORKSPACES: ACME }, data });
    const all = await h.call("list_comments", { task_gid: DEMO_SECOND_TASK, include_activity: true });
    expect(all.text).toContain(`removed from ${OUTSIDE.name}`);
    expect(all.body.activity_withheld).toBeUndefined();
  });

  it("update_task cannot set, or learn, an outside project's field, by name or by gid", async () => {
    h = await startHarness({ env: onlyDemo, data: multiHomed() });
    for (const key of ["Secret budget", SECRET_FIELD]) {
      const error = errorOf(
        await h.call("update_task", { task_gid: DEMO_TASK_GID, custom_fields: { [key]: "Quiet" } }),
      );
      expect(error.code).toBe("invalid_input");
      expect(error.message).toBe(
        `custom_fields: no field "${key}" on this task's projects; fields: Priority, Estimate (h), Owner note (fields of projects outside this server's allow-list cannot be set).`,
      );
    }
    expect(nonGets(h)).toEqual([]);
    expect(h.fake.task(DEMO_TASK_GID)?.customFields[SECRET_FIELD]).toBe("1210000000000098");
    // An allowed field still resolves, from the allowed project's settings alone.
    const ok = await h.call("update_task", { task_gid: DEMO_TASK_GID, custom_fields: { Priority: "Low" } });
    expect(ok.isError, ok.text).toBe(false);
    expect(h.fake.task(DEMO_TASK_GID)?.customFields[DEMO_FIELD_GIDS.priority]).toBe(
      DEMO_PRIORITY_OPTIONS.low,
    );
    expect(touched(h, `/projects/${OUTSIDE.project}`)).toEqual([]);
  });

  it("a refusal does not name the outside projects a task is in", async () => {
    h = await startHarness({ env: onlyDemo });
    const error = errorOf(await h.call("get_task", { task_gid: OUTSIDE.task }));
    expect(error.message).toBe(
      `task ${OUTSIDE.task} is in no project ASANA_PROJECTS allows (${DEMO_PROJECT_GID}).`,
    );
    expect(error.message).not.toContain(OUTSIDE.project);
  });
});

describe("a call that changes a second object checks it too", () => {
  it("move_task detaching from, or re-parenting away from, an outside parent is refused", async () => {
    h = await startHarness({ env: onlyDemo, data: multiHomed() });
    for (const parent_gid of [null, DEMO_SECOND_TASK]) {
      const error = errorOf(
        await h.call("move_task", { task_gid: DEMO_TASK_GID, action: "set_parent", parent_gid }),
      );
      expect(error.code).toBe("policy_denied");
      expect(error.message).toBe(
        `task ${DEMO_TASK_GID}'s current parent ${OUTSIDE.task} is in no project ASANA_PROJECTS allows (${DEMO_PROJECT_GID}).`,
      );
    }
    expect(nonGets(h)).toEqual([]);
    expect(h.fake.task(DEMO_TASK_GID)?.parent).toBe(OUTSIDE.task);
    // The task names its parent; the parent is read once; the new parent is never reached.
    const lookups = h.fake.requests.filter((r) => r.path.startsWith("/tasks/"));
    expect(lookups.map((r) => `${r.path}?${r.query.opt_fields}`)).toEqual([
      `/tasks/${DEMO_TASK_GID}?workspace,projects,parent`,
      `/tasks/${OUTSIDE.task}?workspace,projects`,
      `/tasks/${DEMO_TASK_GID}?workspace,projects,parent`,
      `/tasks/${OUTSIDE.task}?workspace,projects`,
    ]);
    expectSpecValid(h);
  });

  it("move_task re-parenting a task whose parent is inside acts", async () => {
    h = await startHarness({ env: onlyDemo });
    const outcome = await h.call("move_task", {
      task_gid: DEMO_TASK_GID,
      action: "set_parent",
      parent_gid: DEMO_SECOND_TASK,
    });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(h.fake.task(DEMO_TASK_GID)?.parent).toBe(DEMO_SECOND_TASK);
  });

  it("task_links removing a dependency on an outside task is refused", async () => {
    h = await startHarness({ env: onlyDemo, data: multiHomed() });
    const error = errorOf(
      await h.call("task_links", {
        task_gid: DEMO_TASK_GID,
        action: "remove",
        relation: "dependencies",
        gids: [OUTSIDE.task],
      }),
    );
    expect(error.code).toBe("policy_denied");
    expect(nonGets(h)).toEqual([]);
    expect(h.fake.task(DEMO_TASK_GID)?.dependencies).toContain(OUTSIDE.task);
  });

  it("create_task into an allowed project with a section of an outside project is refused", async () => {
    const data = demoData();
    data.world?.sections?.push({ gid: "1207000000000098", name: "Outside", project: OUTSIDE.project });
    h = await startHarness({ env: onlyDemo, data });
    const error = errorOf(
      await h.call("create_task", {
        name: "Misfiled",
        project_gid: DEMO_PROJECT_GID,
        section_gid: "1207000000000098",
      }),
    );
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(
      `section 1207000000000098 is in project ${OUTSIDE.project}, which is not in ASANA_PROJECTS.`,
    );
    expect(nonGets(h)).toEqual([]);
  });
});

describe("bad input costs no request, with an allow-list set", () => {
  const BAD: Array<[string, Record<string, unknown>, string]> = [
    [
      "task_links",
      { task_gid: DEMO_TASK_GID, action: "add", relation: "dependencies", gids: ["me"] },
      "gids.0: must be an Asana gid",
    ],
    [
      "task_links",
      { task_gid: DEMO_TASK_GID, action: "remove", relation: "dependents", gids: ["ada@acme.com"] },
      "gids.0: must be an Asana gid",
    ],
    [
      "task_links",
      { task_gid: DEMO_TASK_GID, action: "add", relation: "dependencies", gids: ["../../users@me"] },
      "gids.0: must be an Asana gid",
    ],
    [
      "task_links",
      { task_gid: DEMO_TASK_GID, action: "add", relation: "tags", gids: ["me"] },
      "gids.0: must be an Asana gid",
    ],
    ["move_task", { task_gid: DEMO_TASK_GID, action: "to_section" }, "action to_section needs section_gid"],
    ["move_task", { task_gid: DEMO_TASK_GID, action: "set_parent" }, "action set_parent needs parent_gid"],
    ["update_task", { task_gid: DEMO_TASK_GID }, "nothing to change: give at least one field"],
    [
      "update_task",
      { task_gid: DEMO_TASK_GID, notes: "a", html_notes: "<body>a</body>" },
      "give notes or html_notes, not both.",
    ],
    [
      "create_task",
      { name: "x", project_gid: DEMO_PROJECT_GID, due_on: "2026-01-01", due_at: "2026-01-01T10:00:00Z" },
      "give due_on or due_at, not both.",
    ],
    [
      "create_task",
      { name: "x", section_gid: "1207000000000001", workspace_gid: ACME },
      "section_gid needs project_gid.",
    ],
    [
      "create_task",
      { name: "Nowhere" },
      "give project_gid, parent_gid or workspace_gid: a task must live somewhere.",
    ],
  ];

  it.each([
    ["ASANA_PROJECTS", { ASANA_PROJECTS: DEMO_PROJECT_GID }],
    ["ASANA_WORKSPACES", { ASANA_WORKSPACES: ACME }],
    ["no allow-list", {}],
  ])("under %s each is invalid_input, before any request", async (_rule, env) => {
    h = await startHarness({ env: { ...adaWrites, ...env } });
    const before = h.fake.requests.length;
    for (const [name, args, message] of BAD) {
      const error = errorOf(await h.call(name, args));
      expect(error.code, `${name} ${JSON.stringify(args)}`).toBe("invalid_input");
      expect(error.message, name).toContain(message);
    }
    expect(h.fake.requests.length).toBe(before);
  });
});

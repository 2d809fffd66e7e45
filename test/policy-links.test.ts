// The allow-lists as a boundary, attacked through what a task links to: tags and people (which
// span a workspace), subtasks and dependencies in outside projects, the projects a listing names,
// and a delete that reaches every project a task is in. Each attack here broke the server before
// it was held.
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, demoData, SANDBOX_TOKENS } from "../src/sandbox/demo-data.js";
import { DEMO_TAG_GIDS } from "../src/sandbox/demo-world.js";
import type { FakeData } from "../src/sandbox/fake-asana.js";
import { validateRequest } from "./contract/spec.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";
import { ACME, ADA_WRITES, SIDE } from "./helpers/tools.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const adaWrites = ADA_WRITES;

const base = demoData();
/** An Acme project other than the demo project: outside ASANA_PROJECTS=DEMO_PROJECT_GID. */
const OUTSIDE = (() => {
  const project = base.projects?.find((p) => p.workspace === ACME && p.gid !== DEMO_PROJECT_GID);
  const task = base.tasks?.find((t) => t.projects?.includes(project?.gid ?? "") && t.workspace === ACME);
  if (!project || !task) throw new Error("demo data has no second Acme project with a task");
  return { project: project.gid, name: project.name, task: task.gid, taskName: task.name };
})();
const DEMO_SECOND_TASK =
  base.tasks?.find((t) => t.gid !== DEMO_TASK_GID && t.projects?.includes(DEMO_PROJECT_GID))?.gid ?? "";

/** Each way of drawing the boundary around the demo task (Acme, demo project). */
const RULES: Array<[string, Record<string, string>]> = [
  ["ASANA_WORKSPACES", { ...adaWrites, ASANA_WORKSPACES: ACME }],
  ["ASANA_PROJECTS", { ...adaWrites, ASANA_PROJECTS: DEMO_PROJECT_GID }],
  ["both", { ...adaWrites, ASANA_WORKSPACES: ACME, ASANA_PROJECTS: DEMO_PROJECT_GID }],
];

const SIDE_TAG = "1208000000000099";
const EVE = { gid: "1201000000000099", email: "eve@elsewhere.example" };

/** A tag of the Side workspace, and Eve, who is a member of Side only (which Ada shares). */
function withOutsiders(): FakeData {
  const data = demoData();
  data.world?.tags?.push({ gid: SIDE_TAG, name: "side secret", workspace: SIDE });
  data.users.push({ gid: EVE.gid, name: "Eve Outsider", email: EVE.email, workspaces: [SIDE] });
  return data;
}

/** The demo task is also in the outside project, and depends on a task of it. */
function multiHomed(): FakeData {
  const data = demoData();
  data.tasks?.find((t) => t.gid === DEMO_TASK_GID)?.projects?.push(OUTSIDE.project);
  data.world?.dependencies?.push({ task: DEMO_TASK_GID, dependsOn: OUTSIDE.task });
  return data;
}

const nonGets = (harness: Harness) => harness.fake.requests.filter((r) => r.method !== "GET");
const lookups = (harness: Harness, prefix: string) =>
  harness.fake.requests
    .filter((r) => r.method === "GET" && r.path.startsWith(prefix))
    .map((r) => `${r.path}?${r.query.opt_fields}`);

/** The policy's membership lookups (the resolver's /users/me reads are not among them). */
const memberships = (harness: Harness) =>
  lookups(harness, "/users/").filter((l) => l.endsWith("?workspaces"));

function expectSpecValid(harness: Harness) {
  for (const r of harness.fake.requests) {
    expect(
      validateRequest({ method: r.method, path: r.path, query: r.query }),
      `${r.method} ${r.path}`,
    ).toEqual([]);
  }
}

describe("tags are checked by workspace", () => {
  it.each(RULES)("under %s a tag of another workspace is neither added nor removed", async (_, env) => {
    h = await startHarness({ env, data: withOutsiders() });
    for (const action of ["add", "remove"]) {
      const error = errorOf(
        await h.call("task_links", { task_gid: DEMO_TASK_GID, action, relation: "tags", gids: [SIDE_TAG] }),
      );
      expect(error.code).toBe("policy_denied");
      expect(error.message).toBe(
        `tag ${SIDE_TAG} is in workspace ${SIDE}, not in workspace ${ACME} that this call touches.`,
      );
    }
    const created = errorOf(
      await h.call("create_task", {
        name: "Tagged away",
        project_gid: DEMO_PROJECT_GID,
        tag_gids: [SIDE_TAG],
      }),
    );
    expect(created.code).toBe("policy_denied");
    expect(nonGets(h)).toEqual([]);
    expect(h.fake.task(DEMO_TASK_GID)?.tags).not.toContain(SIDE_TAG);
    expect(lookups(h, "/tags/")).toEqual(Array(3).fill(`/tags/${SIDE_TAG}?workspace`));
    expectSpecValid(h);
  });

  it("a tag of the task's workspace is added, after one lookup", async () => {
    h = await startHarness({ env: RULES[2]![1], data: withOutsiders() });
    const outcome = await h.call("task_links", {
      task_gid: DEMO_TASK_GID,
      action: "add",
      relation: "tags",
      gids: [DEMO_TAG_GIDS.blocked],
    });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(h.fake.task(DEMO_TASK_GID)?.tags).toContain(DEMO_TAG_GIDS.blocked);
    expect(lookups(h, "/tags/")).toEqual([`/tags/${DEMO_TAG_GIDS.blocked}?workspace`]);
  });

  it("without an allow-list no tag is looked up", async () => {
    h = await startHarness({ env: adaWrites, data: withOutsiders() });
    const outcome = await h.call("task_links", {
      task_gid: DEMO_TASK_GID,
      action: "add",
      relation: "tags",
      gids: [DEMO_TAG_GIDS.blocked],
    });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(lookups(h, "/tags/")).toEqual([]);
  });
});

describe("followers and assignees must be members of the task's workspace", () => {
  it.each(RULES)("under %s an outsider, by email or gid, or an unknown email is refused", async (_, env) => {
    h = await startHarness({ env, data: withOutsiders() });
    for (const user of [EVE.email, EVE.gid, "nobody@elsewhere.example"]) {
      const error = errorOf(
        await h.call("task_links", {
          task_gid: DEMO_TASK_GID,
          action: "add",
          relation: "followers",
          gids: [user],
        }),
      );
      expect(error.code, user).toBe("policy_denied");
      expect(error.message).toBe(
        `user ${user} is not a member of workspace ${ACME}, which this call touches.`,
      );
    }
    for (const [name, args] of [
      ["create_task", { name: "Shared away", project_gid: DEMO_PROJECT_GID, followers: [EVE.email] }],
      ["create_task", { name: "Shared away", parent_gid: DEMO_TASK_GID, assignee: EVE.gid }],
      ["update_task", { task_gid: DEMO_TASK_GID, assignee: EVE.email }],
    ] as const) {
      const error = errorOf(await h.call(name, args));
      expect(error.code, name).toBe("policy_denied");
    }
    expect(nonGets(h)).toEqual([]);
    expect(h.fake.task(DEMO_TASK_GID)?.followers).not.toContain(EVE.gid);
    expectSpecValid(h);
  });

  it("a member of the workspace is added; me and removals cost no lookup", async () => {
    h = await startHarness({ env: RULES[2]![1], data: withOutsiders() });
    const grace = "grace@sandbox.example";
    const outcome = await h.call("task_links", {
      task_gid: DEMO_TASK_GID,
      action: "add",
      relation: "followers",
      gids: [grace, "me"],
    });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(memberships(h)).toEqual([`/users/${encodeURIComponent(grace)}?workspaces`]);
    const removed = await h.call("task_links", {
      task_gid: DEMO_TASK_GID,
      action: "remove",
      relation: "followers",
      gids: [EVE.email],
    });
    expect(removed.isError, removed.text).toBe(false);
    expect(memberships(h)).toEqual([`/users/${encodeURIComponent(grace)}?workspaces`]);
  });
});

describe("what a task links to in outside projects stays unnamed", () => {
  it("list_tasks of a parent leaves out subtasks that sit in outside projects, and counts them", async () => {
    const data = demoData();
    data.world?.subtasks?.push({ task: OUTSIDE.task, parent: DEMO_TASK_GID });
    h = await startHarness({ env: RULES[1]![1], data });
    const outcome = await h.call("list_tasks", { parent_gid: DEMO_TASK_GID });
    expect(outcome.isError, outcome.text).toBe(false);
    const gids = (outcome.body.tasks as Array<{ gid: string }>).map((t) => t.gid);
    expect(gids).not.toContain(OUTSIDE.task);
    // The subtasks in no project live under the allowed parent alone: they stay.
    expect(gids.length).toBe(2);
    expect(outcome.body.outside_subtasks).toBe("and 1 subtask in projects outside this server's allow-list");
    expect(outcome.text).not.toContain(OUTSIDE.taskName);
    expectSpecValid(h);
  });

  it("get_task names only dependencies inside the allow-list, and counts the others", async () => {
    h = await startHarness({ env: RULES[1]![1], data: multiHomed() });
    const outcome = await h.call("get_task", { task_gid: DEMO_TASK_GID });
    expect(outcome.isError, outcome.text).toBe(false);
    const task = outcome.body.task as Record<string, unknown>;
    expect(outcome.text).not.toContain(OUTSIDE.task);
    expect(task.depends_on).toEqual([DEMO_SECOND_TASK]);
    expect(task.outside_links).toBe(
      "and 1 dependency or dependent in projects outside this server's allow-list",
    );
    expectSpecValid(h);
  });

  it("search_tasks names only the allowed projects of each task, like get_task and find", async () => {
    h = await startHarness({ env: RULES[1]![1], data: multiHomed() });
    const outcome = await h.call("search_tasks", { workspace_gid: ACME, project_gid: DEMO_PROJECT_GID });
    expect(outcome.isError, outcome.text).toBe(false);
    const demo = (outcome.body.tasks as Array<Record<string, unknown>>).find((t) => t.gid === DEMO_TASK_GID);
    expect(demo?.projects).toEqual([{ gid: DEMO_PROJECT_GID, name: expect.any(String) }]);
    expect(demo?.outside_projects).toBe("and 1 project outside this server's allow-list");
    expect(outcome.text).not.toContain(OUTSIDE.project);
    expect(outcome.text).not.toContain(OUTSIDE.name);
    const name = base.tasks?.find((t) => t.gid === DEMO_TASK_GID)?.name ?? "";
    const found = await h.call("find", { type: "task", query: name, workspace_gid: ACME });
    expect(found.isError, found.text).toBe(false);
    const hit = (found.body.results as Array<Record<string, unknown>>).find((t) => t.gid === DEMO_TASK_GID);
    expect(hit?.projects).toEqual(demo?.projects);
    expect(hit?.outside_projects).toBe(demo?.outside_projects);
  });
});

describe("delete_task reaches every project a task is in", () => {
  it("a task also in an outside project is not deleted, and the refusal says what to do", async () => {
    h = await startHarness({ env: RULES[1]![1], data: multiHomed() });
    const outcome = await h.call("delete_task", { task_gid: DEMO_TASK_GID });
    const error = errorOf(outcome);
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(
      `task ${DEMO_TASK_GID} is also in 1 project outside ASANA_PROJECTS, and deleting it would delete it there too.`,
    );
    expect(error.hint).toContain("move_task with action remove_from_project");
    expect(outcome.text).not.toContain(OUTSIDE.project);
    expect(nonGets(h)).toEqual([]);
    expect(h.fake.task(DEMO_TASK_GID)).toBeDefined();
    // A task of allowed projects only is deleted.
    const fine = await h.call("delete_task", { task_gid: DEMO_SECOND_TASK });
    expect(fine.isError, fine.text).toBe(false);
  });
});

describe("rich text mentions name what they mention", () => {
  const SIDE_TASK = base.tasks?.find((t) => t.workspace === SIDE)?.gid ?? "";
  const mention = (gid: string) => `<body>See <a data-asana-gid="${gid}"/></body>`;
  /** The gid as decimal character references, which Asana decodes like any attribute value. */
  const encoded = (gid: string) => [...gid].map((c) => `&#${c.charCodeAt(0)};`).join("");

  it.each(RULES)(
    "under %s a mention of an outside task, project or person is refused before the write",
    async (rule, env) => {
      h = await startHarness({ env, data: withOutsiders() });
      // Under ASANA_WORKSPACES alone every Acme task is inside: the Side task is the outside one.
      const outsideTask = rule === "ASANA_WORKSPACES" ? SIDE_TASK : OUTSIDE.task;
      const attempts: Array<[string, Record<string, unknown>]> = [
        ["create_comment", { task_gid: DEMO_TASK_GID, html_text: mention(outsideTask) }],
        ["create_comment", { task_gid: DEMO_TASK_GID, html_text: mention(encoded(outsideTask)) }],
        ["create_comment", { task_gid: DEMO_TASK_GID, html_text: mention(EVE.gid) }],
        ["update_task", { task_gid: DEMO_TASK_GID, html_notes: mention(outsideTask) }],
        ["create_task", { name: "Linked", project_gid: DEMO_PROJECT_GID, html_notes: mention(outsideTask) }],
      ];
      if (rule !== "ASANA_WORKSPACES") {
        attempts.push([
          "create_comment",
          {
            task_gid: DEMO_TASK_GID,
            html_text: `<body><a data-asana-gid="${DEMO_TASK_GID}" data-asana-project="${OUTSIDE.project}"/></body>`,
          },
        ]);
      }
      for (const [name, args] of attempts) {
        const outcome = await h.call(name, args);
        expect(errorOf(outcome).code, `${name} ${JSON.stringify(args)}`).toBe("policy_denied");
        expect(outcome.text).not.toContain(OUTSIDE.taskName);
      }
      expect(nonGets(h)).toEqual([]);
    },
  );

  it("a mention of a member of the workspace, or of an allowed task, is posted", async () => {
    h = await startHarness({ env: RULES[2]![1], data: withOutsiders() });
    const grace = "1201000000000004";
    const outcome = await h.call("create_comment", {
      task_gid: DEMO_TASK_GID,
      html_text: `<body><a data-asana-gid="${grace}"/> see <a data-asana-gid="${DEMO_SECOND_TASK}"/></body>`,
    });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(nonGets(h).length).toBe(1);
  });
});

describe("attacks that hold", () => {
  it("a task link whose project is allowed but whose task is not is judged by the task", async () => {
    h = await startHarness({ env: RULES[1]![1] });
    const error = errorOf(
      await h.call("get_task", { task_gid: `https://app.asana.com/0/${DEMO_PROJECT_GID}/${OUTSIDE.task}` }),
    );
    expect(error.code).toBe("policy_denied");
    expect(lookups(h, "/tasks/")).toEqual([`/tasks/${OUTSIDE.task}?workspace,projects,parent`]);
  });

  it("move_task into an allowed project with a section of an outside project is refused", async () => {
    const data = demoData();
    data.world?.sections?.push({ gid: "1207000000000098", name: "Outside", project: OUTSIDE.project });
    h = await startHarness({ env: RULES[1]![1], data });
    const error = errorOf(
      await h.call("move_task", {
        task_gid: DEMO_SECOND_TASK,
        action: "add_to_project",
        project_gid: DEMO_PROJECT_GID,
        section_gid: "1207000000000098",
      }),
    );
    expect(error.code).toBe("policy_denied");
    expect(nonGets(h)).toEqual([]);
  });

  it("a cursor of one task's comments does not page another task's", async () => {
    const data = demoData();
    for (let i = 0; i < 3; i++) {
      data.stories?.push({
        gid: `120600000000098${i}`,
        task: DEMO_TASK_GID,
        createdBy: data.users[0]?.gid ?? "",
        text: `note ${i}`,
      });
    }
    h = await startHarness({ env: RULES[1]![1], data });
    const first = await h.call("list_comments", { task_gid: DEMO_TASK_GID, limit: 1 });
    const cursor = first.body.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const error = errorOf(await h.call("list_comments", { task_gid: OUTSIDE.task, cursor }));
    // Refused by the policy before the cursor is even read.
    expect(error.code).toBe("policy_denied");
    const other = errorOf(await h.call("list_comments", { task_gid: DEMO_SECOND_TASK, cursor }));
    expect(other.code).toBe("invalid_input");
  });
});

describe("delete_task takes the task's subtasks with it", () => {
  it("a task with a subtask in an outside project is not deleted; one whose subtasks are inside is", async () => {
    const data = demoData();
    data.world?.subtasks?.push({ task: OUTSIDE.task, parent: DEMO_SECOND_TASK });
    h = await startHarness({ env: RULES[1]![1], data });
    const error = errorOf(await h.call("delete_task", { task_gid: DEMO_SECOND_TASK }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(
      `task ${DEMO_SECOND_TASK}'s subtask ${OUTSIDE.task} is in a project outside ASANA_PROJECTS, and deleting the task would delete it too.`,
    );
    expect(nonGets(h)).toEqual([]);
    // The demo task's subtasks are in no project: they live under it alone, and go with it.
    const fine = await h.call("delete_task", { task_gid: DEMO_TASK_GID });
    expect(fine.isError, fine.text).toBe(false);
    expect(lookups(h, `/tasks/${DEMO_TASK_GID}/subtasks`)).toEqual([
      `/tasks/${DEMO_TASK_GID}/subtasks?projects,num_subtasks`,
    ]);
    expectSpecValid(h);
  });
});

describe('"me" and subtasks in no project, as the boundary sees them', () => {
  it('"me" is checked like any user: a person outside the workspace a bot writes in is refused', async () => {
    const data = demoData();
    const ada = data.users.find((u) => u.gid === "1201000000000001");
    if (ada) ada.workspaces = [SIDE];
    h = await startHarness({
      env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot, ASANA_WORKSPACES: ACME },
      data,
    });
    const error = errorOf(
      await h.call("create_task", { project_gid: DEMO_PROJECT_GID, name: "for me", assignee: "me" }),
    );
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain('"me" (user 1201000000000001) is not a member of workspace');
    expect(nonGets(h)).toEqual([]);
  });

  it("a subtask in no project lives under its allowed parent: it can be made, listed, read and changed", async () => {
    h = await startHarness({ env: RULES[1]![1] });
    const made = await h.call("create_task", { parent_gid: DEMO_TASK_GID, name: "under the demo task" });
    expect(made.isError, made.text).toBe(false);
    const gid = (made.body.task as { gid: string }).gid;
    const read = await h.call("get_task", { task_gid: gid });
    expect(read.isError, read.text).toBe(false);
    const changed = await h.call("update_task", { task_gid: gid, due_on: "2027-01-15" });
    expect(changed.isError, changed.text).toBe(false);
    // Under an outside parent the same is refused.
    const outside = errorOf(await h.call("create_task", { parent_gid: OUTSIDE.task, name: "nope" }));
    expect(outside.code).toBe("policy_denied");
  });
});

describe("references in rich text that are not written data-asana-gid", () => {
  it("an inline image's data-gid naming an outside object is checked like a mention", async () => {
    h = await startHarness({ env: RULES[1]![1] });
    const error = errorOf(
      await h.call("update_task", {
        task_gid: DEMO_TASK_GID,
        html_notes: `<body>see <img data-gid="${OUTSIDE.task}"/></body>`,
      }),
    );
    expect(error.code).toBe("policy_denied");
    expect(nonGets(h)).toEqual([]);
  });
});

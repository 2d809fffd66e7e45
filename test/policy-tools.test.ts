// The allow-lists against every tool: each declares its scope and is tried inside and outside, and
// the task tools' own edges (links, deletes, comments, custom fields) hold under them.
import { afterEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SIDE_PROJECT_TASK_GID,
} from "../src/sandbox/demo-data.js";
import { DEMO_ATTACHMENT_GID, DEMO_SECTION_GIDS, DEMO_TAG_GIDS } from "../src/sandbox/demo-world.js";
import { ALL_TOOLS } from "../src/tools/index.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";
import { ACME, ADA_GID, ADA_WRITES, OTHER_ACME_TASK, PAT_AND_BOT, SIDE } from "./helpers/tools.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

// ---------------------------------------------------------------------------------------------------------
// The task tools under the allow-lists
// ---------------------------------------------------------------------------------------------------------

/** A task of the demo project other than the demo task (for links and deletes inside the allowed set). */
const demoProjectTask = (() => {
  const task = demoData().tasks?.find(
    (t) => t.gid !== DEMO_TASK_GID && t.projects?.includes(DEMO_PROJECT_GID),
  );
  if (!task) throw new Error("demo data has no second task in the demo project");
  return task.gid;
})();
/** A section outside the demo project, in the project of OTHER_ACME_TASK. */
const ELSEWHERE_SECTION = "1207000000000099";
function dataWithSectionElsewhere() {
  const data = demoData();
  data.world?.sections?.push({
    gid: ELSEWHERE_SECTION,
    name: "Elsewhere",
    project: OTHER_ACME_TASK.projects[0] ?? "",
  });
  return data;
}
const nonGets = (harness: Harness) => harness.fake.requests.filter((r) => r.method !== "GET");

/** A comment of Ada's (the writer here) on the demo task, for the comment tools to edit and delete. */
const ADAS_DEMO_COMMENT = "1206990000000001";
function dataWithAdasComment() {
  const data = demoData();
  data.stories?.push({ gid: ADAS_DEMO_COMMENT, task: DEMO_TASK_GID, createdBy: ADA_GID, text: "Mine." });
  return data;
}

/** One call per tool, each touching only the demo project (or its workspace, Acme). */
const CALLS: Array<[string, Record<string, unknown>]> = [
  ["get_project", { project_gid: DEMO_PROJECT_GID }],
  ["list_workspace", { of: "tags", workspace_gid: ACME }],
  ["search_tasks", { workspace_gid: ACME, project_gid: DEMO_PROJECT_GID, text: "launch" }],
  ["list_tasks", { project_gid: DEMO_PROJECT_GID }],
  ["get_task", { task_gid: DEMO_TASK_GID }],
  ["list_comments", { task_gid: DEMO_TASK_GID }],
  ["get_attachment", { attachment_gid: DEMO_ATTACHMENT_GID }],
  ["list_attachments", { task_gid: DEMO_TASK_GID }],
  ["create_task", { name: "Inside", project_gid: DEMO_PROJECT_GID }],
  ["update_task", { task_gid: DEMO_TASK_GID, name: "Renamed inside" }],
  ["move_task", { task_gid: DEMO_TASK_GID, action: "to_section", section_gid: DEMO_SECTION_GIDS.done }],
  ["task_links", { task_gid: DEMO_TASK_GID, action: "add", relation: "dependents", gids: [demoProjectTask] }],
  ["create_comment", { task_gid: DEMO_TASK_GID, text: "inside" }],
  ["create_section", { project_gid: DEMO_PROJECT_GID, name: "Inside" }],
  ["create_status_update", { project_gid: DEMO_PROJECT_GID, status: "on_track", title: "In", text: "Fine." }],
  ["upload_attachment", { task_gid: DEMO_TASK_GID, url: "https://example.com/inside" }],
  [
    "batch_tasks",
    {
      items: [
        { action: "create", name: "Inside batch", project_gid: DEMO_PROJECT_GID },
        { action: "update", task_gid: DEMO_TASK_GID, notes: "inside" },
      ],
    },
  ],
  ["delete_task", { task_gid: demoProjectTask }],
  ["update_comment", { story_gid: ADAS_DEMO_COMMENT, text: "Edited inside" }],
  ["delete_comment", { story_gid: ADAS_DEMO_COMMENT }],
  ["create_tag", { workspace_gid: ACME, name: "Inside" }],
  ["update_tag", { tag_gid: DEMO_TAG_GIDS.launch, notes: "inside" }],
  ["update_project", { project_gid: DEMO_PROJECT_GID, notes: "Inside." }],
  ["project_members", { project_gid: DEMO_PROJECT_GID, action: "add", users: ["me"] }],
  ["list_project_members", { project_gid: DEMO_PROJECT_GID }],
  ["update_section", { section_gid: DEMO_SECTION_GIDS.todo, name: "Inside" }],
];
/** Workspace-wide objects and listings: a project list cannot hold them, so ASANA_PROJECTS refuses them. */
const WORKSPACE_WIDE: Record<string, string> = {
  list_workspace: `list_workspace works across workspace ${ACME}`,
  create_tag: `create_tag works across workspace ${ACME}`,
  update_tag: `tag ${DEMO_TAG_GIDS.launch} spans its workspace`,
};
/** Tools that touch no Asana object the allow-lists speak of; everything else must declare a scope. */
const UNSCOPED = ["whoami", "oidc_userinfo", "enable_toolset"];

describe("every tool under the allow-lists", () => {
  it("declares a scope, unless it touches no workspace object; and is tested below", () => {
    const scoped = ALL_TOOLS.filter((t) => !UNSCOPED.includes(t.name));
    for (const tool of scoped) expect(tool.scope, tool.name).toBeTypeOf("function");
    // find keeps its own results within the allow-lists: tested in test/tools/find.test.ts; the
    // portfolio and goal tools in test/tools/{list,get}-{portfolio(s),goal(s)}.test.ts;
    // create_project (which ASANA_PROJECTS refuses outright) and delete_section (which needs an empty
    // section) in test/tools/create-project.test.ts and delete-section.test.ts.
    const portfolios = ["list_portfolios", "get_portfolio", "list_goals", "get_goal"];
    const tested = [
      ...CALLS.map(([name]) => name),
      "list_projects",
      "find",
      ...portfolios,
      "create_project",
      "delete_section",
    ];
    expect(scoped.map((t) => t.name).sort()).toEqual(tested.sort());
  });

  it.each([
    ["ASANA_PROJECTS", { ASANA_PROJECTS: DEMO_PROJECT_GID }],
    ["ASANA_WORKSPACES", { ASANA_WORKSPACES: ACME }],
  ])("%s allowing the demo project: each call acts", async (rule, env) => {
    // ASANA_CONFIRM=off: deletes must act here, not stop at their confirmation preview.
    h = await startHarness({
      env: { ...ADA_WRITES, ...env, ASANA_CONFIRM: "off" },
      data: dataWithAdasComment(),
    });
    for (const [name, args] of CALLS) {
      const outcome = await h.call(name, args);
      // Workspace-wide listings cannot be kept to a project list: refused, naming the rule.
      const wide = WORKSPACE_WIDE[name];
      if (rule === "ASANA_PROJECTS" && wide !== undefined) {
        expect(errorOf(outcome).message).toMatch(new RegExp(`^${wide}`));
        expect(errorOf(outcome).message).toContain(
          `ASANA_PROJECTS limits this server to projects ${DEMO_PROJECT_GID}.`,
        );
      } else expect(outcome.isError, `${name}: ${outcome.text}`).toBe(false);
    }
  });

  it.each([
    ["ASANA_PROJECTS", { ASANA_PROJECTS: OTHER_ACME_TASK.projects[0] ?? "" }],
    ["ASANA_WORKSPACES", { ASANA_WORKSPACES: SIDE }],
  ])(
    "%s allowing elsewhere only: each call is refused naming the rule, and nothing is written",
    async (rule, env) => {
      h = await startHarness({ env: { ...ADA_WRITES, ...env }, data: dataWithAdasComment() });
      const before = demoData().tasks?.length;
      for (const [name, args] of CALLS) {
        const error = errorOf(await h.call(name, args));
        expect(error.code, name).toBe("policy_denied");
        expect(error.message, name).toContain(rule);
      }
      expect(nonGets(h)).toEqual([]);
      expect(h.fake.task(DEMO_TASK_GID)?.name).toBe("Prepare the Q3 launch checklist");
      expect(h.fake.task(demoProjectTask)).toBeDefined();
      expect(before).toBeGreaterThan(0);
    },
  );
});

describe("the task tools under the allow-lists", () => {
  it("get_task and update_task on a task in another workspace: refused after one lookup", async () => {
    h = await startHarness({ env: { ...ADA_WRITES, ASANA_WORKSPACES: ACME } });
    for (const [name, args] of [
      ["get_task", { task_gid: SIDE_PROJECT_TASK_GID }],
      ["update_task", { task_gid: SIDE_PROJECT_TASK_GID, completed: true }],
    ] as const) {
      const before = h.fake.requests.length;
      const error = errorOf(await h.call(name, args));
      expect(error.code).toBe("policy_denied");
      expect(error.message).toBe(
        `task ${SIDE_PROJECT_TASK_GID} is in workspace ${SIDE}, which ASANA_WORKSPACES does not allow.`,
      );
      const sent = h.fake.requests.slice(before);
      expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /tasks/${SIDE_PROJECT_TASK_GID}`]);
    }
    expect(h.fake.task(SIDE_PROJECT_TASK_GID)?.completed).toBe(false);
  });

  it("update_task on a task in none of the allowed projects: refused after one lookup", async () => {
    h = await startHarness({ env: { ...PAT_AND_BOT, ASANA_PROJECTS: DEMO_PROJECT_GID } });
    const error = errorOf(await h.call("update_task", { task_gid: OTHER_ACME_TASK.gid, name: "Not mine" }));
    expect(error.message).toBe(
      `task ${OTHER_ACME_TASK.gid} is in no project ASANA_PROJECTS allows (${DEMO_PROJECT_GID}).`,
    );
    expect(h.fake.requests.filter((r) => r.path === `/tasks/${OTHER_ACME_TASK.gid}`)).toHaveLength(1);
    expect(nonGets(h)).toEqual([]);
  });

  it("list_tasks by a section is checked through the section's project", async () => {
    h = await startHarness({
      env: { ...PAT_AND_BOT, ASANA_PROJECTS: DEMO_PROJECT_GID },
      data: dataWithSectionElsewhere(),
    });
    const inside = await h.call("list_tasks", { section_gid: DEMO_SECTION_GIDS.doing });
    expect(inside.isError, inside.text).toBe(false);
    expect(inside.body.tasks).toEqual([expect.objectContaining({ gid: DEMO_TASK_GID })]);
    const error = errorOf(await h.call("list_tasks", { section_gid: ELSEWHERE_SECTION }));
    expect(error.message).toBe(
      `section ${ELSEWHERE_SECTION} is in project ${OTHER_ACME_TASK.projects[0]}, which is not in ASANA_PROJECTS.`,
    );
    // One section lookup, no listing of the refused section.
    expect(h.fake.requests.filter((r) => r.path.includes(ELSEWHERE_SECTION)).map((r) => r.path)).toEqual([
      `/sections/${ELSEWHERE_SECTION}`,
    ]);
  });

  it("search_tasks and list_workspace under ASANA_PROJECTS: within an allowed project, or refused", async () => {
    h = await startHarness({ env: { ...PAT_AND_BOT, ASANA_PROJECTS: DEMO_PROJECT_GID } });
    const before = h.fake.requests.length;
    expect(errorOf(await h.call("search_tasks", { workspace_gid: ACME, text: "launch" })).message).toBe(
      `search_tasks works across workspace ${ACME}, and ASANA_PROJECTS limits this server to projects ${DEMO_PROJECT_GID}.`,
    );
    expect(errorOf(await h.call("search_tasks", { text: "launch" })).message).toBe(
      "search_tasks was called without a workspace, project or task to check against ASANA_PROJECTS.",
    );
    expect(errorOf(await h.call("list_workspace", { of: "users" })).code).toBe("policy_denied");
    expect(h.fake.requests.length).toBe(before);
    const found = await h.call("search_tasks", {
      workspace_gid: ACME,
      project_gid: DEMO_PROJECT_GID,
      text: "launch",
    });
    expect(found.isError, found.text).toBe(false);
    const search = h.fake.requests.find((r) => r.path.endsWith("/tasks/search"));
    expect(search?.query["projects.any"]).toBe(DEMO_PROJECT_GID);
  });

  it("move_task checks the destination too: section, project or new parent outside is refused", async () => {
    h = await startHarness({
      env: { ...PAT_AND_BOT, ASANA_PROJECTS: DEMO_PROJECT_GID },
      data: dataWithSectionElsewhere(),
    });
    const elsewhere = OTHER_ACME_TASK.projects[0] ?? "";
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { action: "to_section", section_gid: ELSEWHERE_SECTION },
        `section ${ELSEWHERE_SECTION} is in project ${elsewhere}, which is not in ASANA_PROJECTS.`,
      ],
      [
        { action: "add_to_project", project_gid: elsewhere },
        `project ${elsewhere} is not in ASANA_PROJECTS.`,
      ],
      [
        { action: "set_parent", parent_gid: OTHER_ACME_TASK.gid },
        `task ${OTHER_ACME_TASK.gid} is in no project ASANA_PROJECTS allows (${DEMO_PROJECT_GID}).`,
      ],
    ];
    for (const [args, message] of cases) {
      const error = errorOf(await h.call("move_task", { task_gid: DEMO_TASK_GID, ...args }));
      expect(error.code).toBe("policy_denied");
      expect(error.message).toBe(message);
    }
    expect(nonGets(h)).toEqual([]);
    expect(h.fake.task(DEMO_TASK_GID)).toMatchObject({ projects: [DEMO_PROJECT_GID], parent: null });
    const inside = await h.call("move_task", {
      task_gid: DEMO_TASK_GID,
      action: "to_section",
      section_gid: DEMO_SECTION_GIDS.done,
    });
    expect(inside.isError, inside.text).toBe(false);
    expect(h.fake.task(DEMO_TASK_GID)?.sections[DEMO_PROJECT_GID]).toBe(DEMO_SECTION_GIDS.done);
  });

  it("move_task under ASANA_WORKSPACES: a project in another workspace is refused after one lookup", async () => {
    h = await startHarness({ env: { ...ADA_WRITES, ASANA_WORKSPACES: ACME } });
    const sideProject = demoData().projects?.find((p) => p.workspace === SIDE)?.gid ?? "";
    const error = errorOf(
      await h.call("move_task", {
        task_gid: DEMO_TASK_GID,
        action: "add_to_project",
        project_gid: sideProject,
      }),
    );
    expect(error.message).toBe(
      `project ${sideProject} is in workspace ${SIDE}, which ASANA_WORKSPACES does not allow.`,
    );
    expect(h.fake.requests.filter((r) => r.path === `/projects/${sideProject}`)).toHaveLength(1);
    expect(nonGets(h)).toEqual([]);
  });

  it("task_links to a task outside the allowed projects is refused, and that task is left alone", async () => {
    h = await startHarness({ env: { ...PAT_AND_BOT, ASANA_PROJECTS: DEMO_PROJECT_GID } });
    const error = errorOf(
      await h.call("task_links", {
        task_gid: DEMO_TASK_GID,
        action: "add",
        relation: "dependents",
        gids: [OTHER_ACME_TASK.gid],
      }),
    );
    expect(error.message).toBe(
      `task ${OTHER_ACME_TASK.gid} is in no project ASANA_PROJECTS allows (${DEMO_PROJECT_GID}).`,
    );
    expect(nonGets(h)).toEqual([]);
    expect(h.fake.task(OTHER_ACME_TASK.gid)?.dependencies).not.toContain(DEMO_TASK_GID);
    // Followers are people, not tasks: no further lookup.
    const followed = await h.call("task_links", {
      task_gid: DEMO_TASK_GID,
      action: "add",
      relation: "followers",
      gids: ["me"],
    });
    expect(followed.isError, followed.text).toBe(false);
  });

  it("get_attachment is checked through the task it is attached to", async () => {
    h = await startHarness({ env: { ...PAT_AND_BOT, ASANA_PROJECTS: OTHER_ACME_TASK.projects[0] ?? "" } });
    const error = errorOf(await h.call("get_attachment", { attachment_gid: DEMO_ATTACHMENT_GID }));
    expect(error.message).toBe(
      `attachment ${DEMO_ATTACHMENT_GID} is on task ${DEMO_TASK_GID}, which is in no project ASANA_PROJECTS allows (${OTHER_ACME_TASK.projects[0]}).`,
    );
    const lookups = h.fake.requests.map((r) => `${r.method} ${r.path}?${r.query.opt_fields}`);
    expect(lookups.filter((l) => !l.startsWith("GET /users/me"))).toEqual([
      `GET /attachments/${DEMO_ATTACHMENT_GID}?parent`,
      `GET /tasks/${DEMO_TASK_GID}?workspace,projects,parent`,
    ]);
  });
});

// batch_tasks under the allow-lists: every item is checked, and one outside refuses the whole call before any write.
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, demoData } from "../../src/sandbox/demo-data.js";
import { DEMO_SECTION_GIDS } from "../../src/sandbox/demo-world.js";
import { BATCH_CONFIRM_OVER } from "../../src/tools/batch-tasks.js";
import { errorOf } from "../helpers/harness.js";
import { ACME, ADA_WRITES, harnesses, writes } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

const create = (name: string, extra: Record<string, unknown> = {}) => ({
  action: "create",
  name,
  project_gid: DEMO_PROJECT_GID,
  ...extra,
});

describe("batch_tasks under the allow-lists", () => {
  const base = demoData();
  const outside = (() => {
    const project = base.projects?.find((p) => p.workspace === ACME && p.gid !== DEMO_PROJECT_GID);
    const task = base.tasks?.find((t) => t.projects?.includes(project?.gid ?? "") && t.workspace === ACME);
    if (!project || !task) throw new Error("demo data has no second Acme project with a task");
    return { project: project.gid, task: task.gid };
  })();
  /** A second task of the demo project: one call updates a task once. */
  const inside = base.tasks?.find(
    (t) => t.projects?.includes(DEMO_PROJECT_GID) && t.gid !== DEMO_TASK_GID,
  )?.gid;
  const OUTSIDE_SECTION = "1207000000000098";
  const onlyDemo = { ...ADA_WRITES, ASANA_PROJECTS: DEMO_PROJECT_GID, ASANA_CONFIRM: "off" };
  const start = () => {
    const data = demoData();
    data.world?.sections?.push({ gid: OUTSIDE_SECTION, name: "Outside", project: outside.project });
    return hs.start(onlyDemo, data);
  };

  const attacks: Array<[string, Record<string, unknown>, string]> = [
    [
      "an update of an outside task",
      { action: "update", task_gid: outside.task, name: "x" },
      `item 3: task ${outside.task} is in no project ASANA_PROJECTS allows`,
    ],
    [
      "a subtask of an outside parent",
      { action: "create", name: "x", parent_gid: outside.task },
      `item 3: task ${outside.task} is in no project ASANA_PROJECTS allows`,
    ],
    [
      "a create in an outside section of an allowed project's call",
      create("x", { section_gid: OUTSIDE_SECTION }),
      `item 3: section ${OUTSIDE_SECTION} is in project ${outside.project}, which is not in ASANA_PROJECTS`,
    ],
    [
      "a create in an outside project",
      { action: "create", name: "x", project_gid: outside.project },
      `item 3: project ${outside.project} is not in ASANA_PROJECTS`,
    ],
    [
      "a move into an outside section",
      { action: "move", task_gid: inside, section_gid: OUTSIDE_SECTION },
      `item 3: section ${OUTSIDE_SECTION} is in project ${outside.project}, which is not in ASANA_PROJECTS`,
    ],
    [
      "a move of an outside task",
      { action: "move", task_gid: outside.task, section_gid: DEMO_SECTION_GIDS.done },
      `item 3: task ${outside.task} is in no project ASANA_PROJECTS allows`,
    ],
    [
      "a mention of an outside task",
      {
        action: "update",
        task_gid: inside,
        html_notes: `<body>see <a data-asana-gid="${outside.task}"></a></body>`,
      },
      `item 3: rich text mentions task ${outside.task}`,
    ],
  ];

  for (const [what, attack, message] of attacks) {
    it(`refuses the whole call for ${what} among allowed items, before any write`, async () => {
      const h = await start();
      const items = [
        create("allowed 0"),
        { action: "update", task_gid: DEMO_TASK_GID, name: "allowed 1" },
        create("allowed 2"),
        attack,
        ...Array.from({ length: 8 }, (_, i) => create(`allowed ${4 + i}`)),
      ];
      const error = errorOf(await h.call("batch_tasks", { items }));
      expect(error.code).toBe("policy_denied");
      expect(error.message).toContain(message);
      expect(writes(h)).toEqual([]);
      expect(h.fake.tasksNamed("allowed 0")).toEqual([]);
    });
  }

  it("previews a move without naming the sections of a task's outside projects", async () => {
    const data = demoData();
    data.world?.sections?.push({ gid: OUTSIDE_SECTION, name: "Outside plans", project: outside.project });
    data.tasks?.find((t) => t.gid === DEMO_TASK_GID)?.projects?.push(outside.project);
    data.world?.taskSections?.push({
      task: DEMO_TASK_GID,
      project: outside.project,
      section: OUTSIDE_SECTION,
    });
    const h = await hs.start({ ...onlyDemo, ASANA_CONFIRM: "destructive" }, data);
    const items = [
      { action: "move", task_gid: DEMO_TASK_GID, section_gid: DEMO_SECTION_GIDS.done },
      ...Array.from({ length: BATCH_CONFIRM_OVER }, (_, i) => create(`Later ${i}`)),
    ];
    const first = await h.call("batch_tasks", { items });
    expect(first.isError, first.text).toBe(false);
    expect(first.text).not.toContain("Outside plans");
    expect(first.text).not.toContain(OUTSIDE_SECTION);
    const pending = first.body as { preview: { changes: Array<Record<string, unknown>> } };
    expect(pending.preview.changes[0]).toMatchObject({
      action: "move",
      from: ["In progress"],
      outside_projects: expect.stringContaining("1 project outside"),
    });
  });

  it("allows a call whose every item is inside", async () => {
    const h = await start();
    const out = await h.call("batch_tasks", {
      items: [create("in 0"), { action: "update", task_gid: DEMO_TASK_GID, name: "in 1" }],
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.counts).toEqual({ ok: 2, error: 0, unknown: 0 });
  });
});

/**
 * SANDBOX DEMO DATA, continued: sections, tags, custom fields, subtasks, a dependency, an attachment and
 * a status update around the demo project, so every task tool has something to show. Made up, fixed gids.
 */
import type { FakeProjectSeed, FakeTaskSeed } from "./fake-asana.js";
import type { FakeWorldSeed } from "./fake-tasks.js";

/** Sections of the demo project "Q3 Product Launch". */
export const DEMO_SECTION_GIDS = {
  todo: "1207000000000001",
  doing: "1207000000000002",
  done: "1207000000000003",
} as const;
/** Custom fields of the demo project: Priority (enum), Estimate (hours, number), Owner note (text). */
export const DEMO_FIELD_GIDS = {
  priority: "1209000000000001",
  estimate: "1209000000000002",
  note: "1209000000000003",
} as const;
export const DEMO_PRIORITY_OPTIONS = {
  high: "1210000000000001",
  medium: "1210000000000002",
  low: "1210000000000003",
} as const;
export const DEMO_TAG_GIDS = { launch: "1208000000000001", blocked: "1208000000000002" } as const;
/** "launch-checklist.pdf" on the demo task. */
export const DEMO_ATTACHMENT_GID = "1211000000000001";
/** Portfolios in Acme Corp: one public, one private to Grace (the oauth identity) and Ada is not in it. */
export const DEMO_PORTFOLIO_GIDS = {
  launches: "1213000000000001",
  leadership: "1213000000000002",
} as const;
/** Subtasks of the demo task. */
export const DEMO_SUBTASK_GIDS = ["1205900000000001", "1205900000000002"] as const;

export function demoWorld(input: {
  acme: string;
  demoProject: FakeProjectSeed;
  demoTask: FakeTaskSeed;
  tasks: FakeTaskSeed[];
  author: string;
}): FakeWorldSeed {
  const { acme, demoProject, demoTask, tasks, author } = input;
  const inProject = tasks.filter((t) => t.projects?.includes(demoProject.gid) && t.gid !== demoTask.gid);
  const subtasks: FakeTaskSeed[] = [
    { name: "Write the rollback plan", assignee: author, dueOn: "2025-07-10" },
    { name: "Draft the support macros", assignee: null, dueOn: null },
  ].map((s, i) => ({
    gid: DEMO_SUBTASK_GIDS[i] ?? "",
    name: s.name,
    workspace: acme,
    assignee: s.assignee,
    notes: "Sandbox demo data.",
    createdAt: demoTask.createdAt,
    modifiedAt: demoTask.modifiedAt,
    createdBy: demoTask.createdBy,
    dueOn: s.dueOn,
    followers: [demoTask.createdBy ?? author],
  }));
  tasks.push(...subtasks);
  const sections = [
    { gid: DEMO_SECTION_GIDS.todo, name: "To do", project: demoProject.gid },
    { gid: DEMO_SECTION_GIDS.doing, name: "In progress", project: demoProject.gid },
    { gid: DEMO_SECTION_GIDS.done, name: "Done", project: demoProject.gid },
  ];
  const taskSections = [
    { task: demoTask.gid, project: demoProject.gid, section: DEMO_SECTION_GIDS.doing },
    ...inProject.map((t) => ({
      task: t.gid,
      project: demoProject.gid,
      section: t.completed ? DEMO_SECTION_GIDS.done : DEMO_SECTION_GIDS.todo,
    })),
  ];
  return {
    premiumWorkspaces: [acme],
    sections,
    taskSections,
    tags: [
      { gid: DEMO_TAG_GIDS.launch, name: "launch", workspace: acme, color: "dark-green" },
      { gid: DEMO_TAG_GIDS.blocked, name: "blocked", workspace: acme, color: "dark-red" },
    ],
    taskTags: [{ task: demoTask.gid, tag: DEMO_TAG_GIDS.launch }],
    customFields: [
      {
        gid: DEMO_FIELD_GIDS.priority,
        name: "Priority",
        workspace: acme,
        type: "enum",
        options: [
          { gid: DEMO_PRIORITY_OPTIONS.high, name: "High", color: "red" },
          { gid: DEMO_PRIORITY_OPTIONS.medium, name: "Medium", color: "yellow" },
          { gid: DEMO_PRIORITY_OPTIONS.low, name: "Low", color: "green" },
        ],
      },
      { gid: DEMO_FIELD_GIDS.estimate, name: "Estimate (h)", workspace: acme, type: "number", precision: 1 },
      { gid: DEMO_FIELD_GIDS.note, name: "Owner note", workspace: acme, type: "text" },
    ],
    projectFields: Object.values(DEMO_FIELD_GIDS).map((field) => ({ project: demoProject.gid, field })),
    values: [
      { task: demoTask.gid, field: DEMO_FIELD_GIDS.priority, value: DEMO_PRIORITY_OPTIONS.high },
      { task: demoTask.gid, field: DEMO_FIELD_GIDS.estimate, value: 6 },
    ],
    subtasks: subtasks.map((s) => ({ task: s.gid, parent: demoTask.gid })),
    dependencies: inProject[0] ? [{ task: demoTask.gid, dependsOn: inProject[0].gid }] : [],
    attachments: [
      {
        gid: DEMO_ATTACHMENT_GID,
        name: "launch-checklist.pdf",
        task: demoTask.gid,
        size: 48_213,
        createdAt: demoTask.modifiedAt ?? "2025-01-01T00:00:00.000Z",
      },
    ],
    portfolios: [
      {
        gid: DEMO_PORTFOLIO_GIDS.launches,
        name: "Product launches 2025",
        workspace: acme,
        owner: author,
        public: true,
        color: "light-green",
      },
      {
        gid: DEMO_PORTFOLIO_GIDS.leadership,
        name: "Leadership bets",
        workspace: acme,
        owner: author,
        public: false,
        color: "dark-purple",
      },
    ],
    statusUpdates: [
      {
        gid: "1212000000000001",
        project: demoProject.gid,
        title: "Launch prep, week 1",
        text: "Checklist drafted; rollback plan in review.",
        statusType: "on_track",
        createdBy: author,
        createdAt: demoTask.modifiedAt ?? "2025-01-01T00:00:00.000Z",
      },
    ],
  };
}

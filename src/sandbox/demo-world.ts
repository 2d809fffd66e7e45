/**
 * SANDBOX DEMO DATA, continued: sections, tags, custom fields, subtasks, a dependency, an attachment and
 * a status update around the demo project, so every task tool has something to show. Made up, fixed gids.
 */
import type { FakeProjectSeed, FakeTaskSeed, FakeWorldSeed } from "./model.js";
import type { FakePortfolioWorldSeed } from "./model-portfolios.js";

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
/** An AI teammate of Acme Corp. */
export const DEMO_AGENT_GID = "1215000000000001";
/** "launch-checklist.pdf" on the demo task. */
export const DEMO_ATTACHMENT_GID = "1211000000000001";
/** Portfolios in Acme Corp: one public, one private to Grace (the oauth identity) and Ada is not in it. */
export const DEMO_PORTFOLIO_GIDS = {
  launches: "1213000000000001",
  leadership: "1213000000000002",
} as const;
/**
 * Goals in Acme Corp: a public company goal, a public Marketing goal under it (supported by the demo
 * project), and a members-only goal of Grace's that Ada does not see.
 */
export const DEMO_GOAL_GIDS = {
  revenue: "1212900000000001",
  launch: "1212900000000002",
  hiring: "1212900000000003",
} as const;
export const DEMO_TIME_PERIOD_GIDS = { fy25: "1212800000000001", q3: "1212800000000002" } as const;
/** Subtasks of the demo task. */
export const DEMO_SUBTASK_GIDS = ["1205900000000001", "1205900000000002"] as const;

export function demoWorld(input: {
  acme: string;
  demoProject: FakeProjectSeed;
  demoTask: FakeTaskSeed;
  tasks: FakeTaskSeed[];
  author: string;
  projects: FakeProjectSeed[];
  ada: string;
}): FakeWorldSeed {
  const { acme, demoProject, demoTask, tasks, author } = input;
  const launches = input.projects.filter((p) => p.workspace === acme).slice(0, 5);
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
    agents: [
      {
        gid: DEMO_AGENT_GID,
        name: "Launch Helper",
        workspace: acme,
        description: "Drafts launch checklists and chases overdue launch tasks.",
      },
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
    portfolioWorld: demoPortfolioWorld({ ...input, launches }),
    statusUpdates: [
      ...(launches[1]
        ? [
            {
              gid: "1212000000000002",
              project: launches[1].gid,
              title: "Vendor contract slipping",
              text: "Waiting on legal; two weeks behind.",
              statusType: "at_risk",
              createdBy: author,
              createdAt: demoTask.modifiedAt ?? "2025-01-01T00:00:00.000Z",
            },
          ]
        : []),
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

/** The launches portfolio holds the demo project and three more; the leadership one nests it. */
function demoPortfolioWorld(input: {
  acme: string;
  demoProject: FakeProjectSeed;
  launches: FakeProjectSeed[];
  author: string;
  ada: string;
}): FakePortfolioWorldSeed {
  const { acme, demoProject, launches, author, ada } = input;
  const at = "2025-06-01T09:00:00.000Z";
  return {
    portfolioItems: [
      { portfolio: DEMO_PORTFOLIO_GIDS.launches, items: launches.slice(0, 4).map((p) => p.gid) },
      {
        portfolio: DEMO_PORTFOLIO_GIDS.leadership,
        items: [DEMO_PORTFOLIO_GIDS.launches, ...launches.slice(4, 5).map((p) => p.gid)],
      },
    ],
    timePeriods: [
      {
        gid: DEMO_TIME_PERIOD_GIDS.fy25,
        workspace: acme,
        period: "FY",
        displayName: "FY25",
        startOn: "2025-01-01",
        endOn: "2025-12-31",
      },
      {
        gid: DEMO_TIME_PERIOD_GIDS.q3,
        workspace: acme,
        period: "Q3",
        displayName: "Q3 FY25",
        startOn: "2025-07-01",
        endOn: "2025-09-30",
        parent: DEMO_TIME_PERIOD_GIDS.fy25,
      },
    ],
    goals: [
      {
        gid: DEMO_GOAL_GIDS.revenue,
        name: "Grow sandbox revenue to $2M",
        workspace: acme,
        owner: author,
        timePeriod: DEMO_TIME_PERIOD_GIDS.fy25,
        status: "green",
        metric: {
          unit: "currency",
          currencyCode: "USD",
          initial: 1_000_000,
          target: 2_000_000,
          current: 1_400_000,
        },
        supporting: [DEMO_PORTFOLIO_GIDS.launches],
        notes: "Sandbox demo data.",
      },
      {
        gid: DEMO_GOAL_GIDS.launch,
        name: "Ship the Q3 launch on time",
        workspace: acme,
        team: demoProject.team ?? null,
        owner: ada,
        timePeriod: DEMO_TIME_PERIOD_GIDS.q3,
        dueOn: "2025-09-30",
        status: "yellow",
        metric: { unit: "percentage", initial: 0, target: 1, current: 0.6 },
        parents: [DEMO_GOAL_GIDS.revenue],
        supporting: [demoProject.gid],
        notes: "Sandbox demo data.",
      },
      {
        gid: DEMO_GOAL_GIDS.hiring,
        name: "Hire the leadership team",
        workspace: acme,
        owner: author,
        privacy: "members_only",
        timePeriod: DEMO_TIME_PERIOD_GIDS.fy25,
        status: "red",
        supporting: [DEMO_PORTFOLIO_GIDS.leadership],
        notes: "Sandbox demo data.",
      },
    ],
    statusUpdates: [
      {
        gid: "1212700000000001",
        parent: DEMO_GOAL_GIDS.launch,
        parentType: "goal",
        title: "Launch at risk: vendor slip",
        text: "The vendor contract is two weeks behind.",
        statusType: "at_risk",
        createdBy: ada,
        createdAt: at,
      },
      {
        gid: "1212700000000002",
        parent: DEMO_PORTFOLIO_GIDS.launches,
        parentType: "portfolio",
        title: "Launches mostly on track",
        text: "One vendor slip; the rest on plan.",
        statusType: "on_track",
        createdBy: author,
        createdAt: at,
      },
    ],
  };
}

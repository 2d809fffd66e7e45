/**
 * SANDBOX DEMO DATA. Everything here is made up: people, workspaces, projects, tasks and tokens exist only
 * inside the fake Asana started by `asana-mcp sandbox` and by the tests. The tokens are not Asana tokens.
 *
 * The data is deterministic (a seeded PRNG, fixed timestamps) so that demos, docs and tests see the same
 * gids and names on every run.
 */

import { demoTemplates } from "./demo-projects.js";
import { demoWorld } from "./demo-world.js";
import type {
  FakeData,
  FakePhoto,
  FakeProjectSeed,
  FakeStorySeed,
  FakeTaskSeed,
  FakeTeamSeed,
  FakeUserSeed,
  PhotoSize,
} from "./model.js";

/** Small, fast, seedable PRNG (mulberry32); returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type SandboxIdentityKind = "pat" | "bot" | "service_account" | "oauth";

/** Obviously fake bearer tokens, one per identity kind the server supports. */
export const SANDBOX_TOKENS: Readonly<Record<SandboxIdentityKind, string>> = {
  pat: "sandbox-pat-ada-lovelace",
  bot: "sandbox-bot-acme-bot",
  service_account: "sandbox-service-account-acme",
  oauth: "sandbox-oauth-grace-hopper",
};

/** Scopes of the sandbox OAuth token: Full permissions plus OpenID Connect. */
export const SANDBOX_OAUTH_SCOPES: readonly string[] = ["default", "openid", "email", "profile"];

export const SANDBOX_USER_GIDS: Readonly<Record<SandboxIdentityKind, string>> = {
  pat: "1201000000000001",
  bot: "1201000000000002",
  service_account: "1201000000000003",
  oauth: "1201000000000004",
};

export const SANDBOX_WORKSPACE_GIDS = {
  /** "Acme Corp (sandbox)": an organization every sandbox identity belongs to. */
  acme: "1202000000000001",
  /** "Side Projects (sandbox)": a plain workspace only Ada (pat) and Grace (oauth) belong to. */
  side: "1202000000000002",
} as const;

/** "Q3 Product Launch" in Acme Corp, team Marketing. */
export const DEMO_PROJECT_GID = "1204000000000001";
/** "Prepare the Q3 launch checklist": the task demos comment on. Has two comments already. */
export const DEMO_TASK_GID = "1205000000000001";
/** A task in Side Projects: visible to Ada and Grace, forbidden to the bot and the service account. */
export const SIDE_PROJECT_TASK_GID = "1205000000000002";

const TEAM_GIDS = {
  engineering: "1203000000000001",
  marketing: "1203000000000002",
  design: "1203000000000003",
  operations: "1203000000000004",
} as const;

const ACME_PROJECT_COUNT = 262;
const SIDE_PROJECT_COUNT = 40;
const PROJECTS_WITH_TASKS = { acme: 20, side: 4 };
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Projects are created over the year before this instant; everything happens before it. */
const EPOCH = Date.UTC(2025, 5, 2, 9, 0, 0);

const PROJECT_COLORS = [
  "dark-pink",
  "dark-green",
  "dark-blue",
  "dark-red",
  "dark-teal",
  "dark-orange",
  "dark-purple",
  "light-green",
  "light-blue",
  "light-orange",
  "light-purple",
  "none",
];

const PROJECT_KINDS = [
  "Roadmap",
  "Sprint Board",
  "Bug Triage",
  "Q1 Planning",
  "Q2 Planning",
  "Q3 Planning",
  "Q4 Planning",
  "Launch",
  "Migration",
  "Backlog",
  "Retro Actions",
  "Onboarding",
  "Review",
  "Experiments",
  "Hiring Plan",
  "Vendor Evaluation",
  "Budget",
  "OKRs",
  "Requests",
  "Docs Refresh",
];

const TEAM_AREAS: Record<keyof typeof TEAM_GIDS, string[]> = {
  engineering: [
    "API Platform",
    "Mobile App",
    "Billing Service",
    "Search",
    "Data Pipeline",
    "Auth & SSO",
    "Web Client",
    "Infrastructure",
    "Observability",
    "Developer Tools",
  ],
  marketing: [
    "Brand",
    "Content",
    "Events",
    "Social Media",
    "SEO",
    "Email Campaigns",
    "Partner Marketing",
    "Webinars",
  ],
  design: [
    "Design System",
    "UX Research",
    "Illustrations",
    "Accessibility",
    "Dashboard Redesign",
    "Marketing Site",
  ],
  operations: [
    "Finance",
    "Legal",
    "IT Helpdesk",
    "Facilities",
    "People Ops",
    "Procurement",
    "Security & Compliance",
  ],
};

const TEAM_PROJECT_COUNTS: Record<keyof typeof TEAM_GIDS, number> = {
  engineering: 80,
  marketing: 64,
  design: 56,
  operations: 61,
};

const SIDE_AREAS = [
  "Book Club",
  "Garden Planner",
  "Home Renovation",
  "Marathon Training",
  "Recipe Collection",
  "Conference Talk",
  "Open Source Library",
  "Family Trip",
  "Photography",
  "Language Learning",
];
const SIDE_KINDS = ["Ideas", "2025 Plan", "Backlog", "Notes", "Checklist", "Reading List"];

const TASK_NAMES = [
  "Draft launch announcement",
  "Review pricing page copy",
  "Schedule kickoff meeting",
  "Update onboarding checklist",
  "Collect customer quotes",
  "Fix broken links in the help center",
  "Prepare quarterly budget review",
  "Write release notes",
  "Audit third-party vendors",
  "Set up staging environment",
  "Plan the team offsite",
  "Interview shortlisted candidates",
  "Refresh the brand guidelines",
  "Migrate analytics dashboards",
  "Triage incoming bug reports",
  "Book venue for the user conference",
  "Send the monthly newsletter",
  "Renew the SSL certificates",
  "Localise the landing page",
  "Run the accessibility audit",
  "Clean up stale feature flags",
  "Confirm speakers for the webinar",
  "Reconcile the expense reports",
  "Document the on-call runbook",
  "Benchmark the search latency",
  "Design the new empty states",
  "Sign the data processing agreement",
  "Order laptops for new hires",
  "Publish the case study",
  "Archive last year's campaign assets",
];

const SIDE_TASK_NAMES = [
  "Pick next month's book",
  "Order tomato seedlings",
  "Get quotes for the kitchen floor",
  "Long run: 18 km",
  "Try the sourdough recipe",
  "Write the talk abstract",
  "Triage open issues",
  "Book the train tickets",
];

const COMMENTS = [
  "I've started on this and will share a draft tomorrow.",
  "Can we move the deadline to Friday? Waiting on legal.",
  "Looks good to me. Approved.",
  "Added the numbers from last quarter to the doc.",
  "Blocked until the vendor sends the signed contract.",
  "Done. Let me know if anything is missing.",
  "Should we loop in the design team here?",
  "Pushed a first version; feedback welcome.",
  "Reminder: this is due next week.",
  "Thanks! Closing the loop with the customer today.",
];

const PHOTO_SIZES: readonly PhotoSize[] = [
  "image_21x21",
  "image_27x27",
  "image_36x36",
  "image_60x60",
  "image_128x128",
  "image_1024x1024",
];

function photoFor(slug: string): FakePhoto {
  const entries = PHOTO_SIZES.map((size) => {
    const ext = size === "image_1024x1024" ? "jpg" : "png";
    return [size, `https://sandbox.example/avatars/${slug}_${size.slice(6)}.${ext}`] as const;
  });
  return Object.fromEntries(entries) as FakePhoto;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function gidSequence(prefix: string): () => string {
  let n = 0;
  return () => {
    n += 1;
    return `${prefix}${String(n).padStart(12, "0")}`;
  };
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function pick<T>(items: readonly T[], rand: () => number): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

const { acme: ACME, side: SIDE } = SANDBOX_WORKSPACE_GIDS;
const U = SANDBOX_USER_GIDS;
const COLLEAGUES = {
  margaret: "1201000000000005",
  alan: "1201000000000006",
  katherine: "1201000000000007",
  radia: "1201000000000008",
};

function users(): FakeUserSeed[] {
  return [
    {
      gid: U.pat,
      name: "Ada Lovelace",
      email: "ada@sandbox.example",
      kind: "person",
      workspaces: [ACME, SIDE],
      photo: photoFor("ada"),
    },
    {
      gid: U.bot,
      name: "Acme Bot",
      email: "acme-bot@sandbox.example",
      kind: "bot",
      workspaces: [ACME],
      photo: null,
    },
    {
      gid: U.service_account,
      name: "Acme Service Account",
      email: "service-account@sandbox.example",
      kind: "service_account",
      workspaces: [ACME],
      photo: null,
    },
    {
      gid: U.oauth,
      name: "Grace Hopper",
      email: "grace@sandbox.example",
      kind: "person",
      workspaces: [ACME, SIDE],
      photo: photoFor("grace"),
    },
    {
      gid: COLLEAGUES.margaret,
      name: "Margaret Hamilton",
      email: "margaret@sandbox.example",
      workspaces: [ACME],
      photo: photoFor("margaret"),
    },
    {
      gid: COLLEAGUES.alan,
      name: "Alan Turing",
      email: "alan@sandbox.example",
      workspaces: [ACME],
      photo: null,
    },
    {
      gid: COLLEAGUES.katherine,
      name: "Katherine Johnson",
      email: "katherine@sandbox.example",
      workspaces: [ACME],
      photo: photoFor("katherine"),
    },
    {
      gid: COLLEAGUES.radia,
      name: "Radia Perlman",
      email: "radia@sandbox.example",
      workspaces: [ACME],
      photo: null,
    },
  ];
}

/** People who own projects, get tasks and write comments (the bot and service account only act via API). */
const ACME_PEOPLE = [
  U.pat,
  U.oauth,
  COLLEAGUES.margaret,
  COLLEAGUES.alan,
  COLLEAGUES.katherine,
  COLLEAGUES.radia,
];
const SIDE_PEOPLE = [U.pat, U.oauth];

export function demoData(): FakeData {
  const rand = mulberry32(20250602);
  const projectGid = gidSequence("1204");
  const taskGid = gidSequence("1205");
  const storyGid = gidSequence("1206");
  const sandboxNote = "Sandbox demo data: not a real Asana project.";

  const teams: FakeTeamSeed[] = [
    { gid: TEAM_GIDS.engineering, name: "Engineering", workspace: ACME, description: "Builds the product." },
    { gid: TEAM_GIDS.marketing, name: "Marketing", workspace: ACME, description: "Tells the world." },
    { gid: TEAM_GIDS.design, name: "Design", workspace: ACME, description: "Makes it usable." },
    { gid: TEAM_GIDS.operations, name: "Operations", workspace: ACME, description: "Keeps the lights on." },
  ];

  // Acme: the demo project first, then every team's projects mixed together, oldest first.
  const acmeSpecs: Array<{ name: string; team: string }> = [];
  for (const key of Object.keys(TEAM_GIDS) as Array<keyof typeof TEAM_GIDS>) {
    const names = TEAM_AREAS[key].flatMap((area) => PROJECT_KINDS.map((kind) => `${area} ${kind}`));
    for (const name of shuffle(names, rand).slice(0, TEAM_PROJECT_COUNTS[key])) {
      acmeSpecs.push({ name, team: TEAM_GIDS[key] });
    }
  }
  const acmeOrdered = [{ name: "Q3 Product Launch", team: TEAM_GIDS.marketing }, ...shuffle(acmeSpecs, rand)];
  if (acmeOrdered.length !== ACME_PROJECT_COUNT) throw new Error("demo data: Acme project count drifted");

  const projects: FakeProjectSeed[] = acmeOrdered.map((spec, i) => {
    const created = EPOCH - 365 * DAY + Math.floor((i * 330 * DAY) / ACME_PROJECT_COUNT);
    return {
      gid: projectGid(),
      name: spec.name,
      workspace: ACME,
      team: spec.team,
      // Projects with tasks stay active so demos always find something to work on.
      archived: i >= PROJECTS_WITH_TASKS.acme && rand() < 0.13,
      color: pick(PROJECT_COLORS, rand),
      owner: pick(ACME_PEOPLE, rand),
      notes: i === 0 ? `Everything for the Q3 launch. ${sandboxNote}` : sandboxNote,
      createdAt: iso(created),
      modifiedAt: iso(created + Math.floor(rand() * 30 * DAY)),
    };
  });

  const sideNames = shuffle(
    SIDE_AREAS.flatMap((area) => SIDE_KINDS.map((kind) => `${area}: ${kind}`)),
    rand,
  ).slice(0, SIDE_PROJECT_COUNT);
  sideNames.forEach((name, i) => {
    const created = EPOCH - 300 * DAY + i * 6 * DAY;
    projects.push({
      gid: projectGid(),
      name,
      workspace: SIDE,
      team: null,
      archived: i >= PROJECTS_WITH_TASKS.side && rand() < 0.15,
      color: pick(PROJECT_COLORS, rand),
      owner: pick(SIDE_PEOPLE, rand),
      notes: sandboxNote,
      createdAt: iso(created),
      modifiedAt: iso(created + Math.floor(rand() * 20 * DAY)),
    });
  });

  const tasks: FakeTaskSeed[] = [];
  const stories: FakeStorySeed[] = [];
  const addStory = (task: FakeTaskSeed, by: string, at: number, text: string, system = false) => {
    stories.push({
      gid: storyGid(),
      task: task.gid,
      createdBy: by,
      text,
      createdAt: iso(at),
      ...(system ? { type: "system" as const, resourceSubtype: "added_to_project" } : {}),
    });
  };

  // The well-known demo task and the Side Projects task come first so their gids are fixed.
  const demoProject = projects[0];
  const sideProject = projects.find((p) => p.workspace === SIDE);
  if (demoProject === undefined || sideProject === undefined) throw new Error("demo data: missing projects");
  const demoCreated = Date.parse(demoProject.createdAt ?? "") + 2 * DAY;
  const demoTask: FakeTaskSeed = {
    gid: taskGid(),
    name: "Prepare the Q3 launch checklist",
    workspace: ACME,
    projects: [demoProject.gid],
    assignee: U.pat,
    completed: false,
    notes: "One checklist for launch day: owners, rollback plan, status page, support macros.",
    createdAt: iso(demoCreated),
    modifiedAt: iso(demoCreated + 5 * DAY),
    createdBy: U.oauth,
    dueOn: "2025-07-15",
    followers: [U.pat, U.oauth, COLLEAGUES.margaret],
  };
  const sideCreated = Date.parse(sideProject.createdAt ?? "") + DAY;
  const sideTask: FakeTaskSeed = {
    gid: taskGid(),
    name: "Pick next month's book",
    workspace: SIDE,
    projects: [sideProject.gid],
    assignee: U.oauth,
    notes: sandboxNote,
    createdAt: iso(sideCreated),
    modifiedAt: iso(sideCreated),
    createdBy: U.pat,
    followers: [U.pat, U.oauth],
  };
  tasks.push(demoTask, sideTask);
  addStory(demoTask, U.oauth, demoCreated, `added to ${demoProject.name}`, true);
  addStory(
    demoTask,
    U.oauth,
    demoCreated + 3 * HOUR,
    "Draft is in the shared doc. Can someone review the rollback section?",
  );
  addStory(
    demoTask,
    COLLEAGUES.margaret,
    demoCreated + 26 * HOUR,
    "Reviewed. I added the status page and the support macros to the list.",
  );
  addStory(sideTask, U.pat, sideCreated, `added to ${sideProject.name}`, true);
  addStory(sideTask, U.oauth, sideCreated + 5 * HOUR, "Vote in the doc by Sunday, please.");

  const withTasks = [
    ...projects.filter((p) => p.workspace === ACME).slice(0, PROJECTS_WITH_TASKS.acme),
    ...projects.filter((p) => p.workspace === SIDE).slice(0, PROJECTS_WITH_TASKS.side),
  ];
  for (const project of withTasks) {
    const side = project.workspace === SIDE;
    const people = side ? SIDE_PEOPLE : ACME_PEOPLE;
    const count = (side ? 2 : 3) + Math.floor(rand() * (side ? 2 : 3));
    const names = shuffle(side ? SIDE_TASK_NAMES : TASK_NAMES, rand).slice(0, count);
    for (const name of names) {
      const created = Date.parse(project.createdAt ?? "") + Math.floor(rand() * 40 * DAY);
      const completed = rand() < 0.25;
      const modified = created + Math.floor(rand() * 10 * DAY);
      const creator = pick(people, rand);
      const assignee = rand() < 0.8 ? pick(people, rand) : null;
      const task: FakeTaskSeed = {
        gid: taskGid(),
        name,
        workspace: project.workspace,
        projects: [project.gid],
        assignee,
        completed,
        completedAt: completed ? iso(modified) : null,
        notes: sandboxNote,
        createdAt: iso(created),
        modifiedAt: iso(modified),
        createdBy: creator,
        dueOn: rand() < 0.5 ? iso(created + (7 + Math.floor(rand() * 30)) * DAY).slice(0, 10) : null,
        followers: assignee && assignee !== creator ? [creator, assignee] : [creator],
      };
      tasks.push(task);
      addStory(task, creator, created, `added to ${project.name}`, true);
      if (rand() < 0.45) {
        const comments = 1 + Math.floor(rand() * 3);
        for (let c = 1; c <= comments; c++) {
          addStory(task, pick(people, rand), created + c * 7 * HOUR, pick(COMMENTS, rand));
        }
      }
    }
  }

  // After every generated task, so adding the demo world shifts no generated gid.
  const world = demoWorld({
    acme: ACME,
    demoProject,
    demoTask,
    tasks,
    author: U.oauth,
    projects,
    ada: U.pat,
  });

  return {
    users: users(),
    world,
    workspaces: [
      { gid: ACME, name: "Acme Corp (sandbox)", isOrganization: true, emailDomains: ["sandbox.example"] },
      { gid: SIDE, name: "Side Projects (sandbox)", isOrganization: false, emailDomains: [] },
    ],
    teams,
    projects,
    projectTemplates: demoTemplates(TEAM_GIDS),
    tasks,
    stories,
    tokens: [
      { token: SANDBOX_TOKENS.pat, userGid: U.pat, kind: "pat" },
      { token: SANDBOX_TOKENS.bot, userGid: U.bot, kind: "bot" },
      { token: SANDBOX_TOKENS.service_account, userGid: U.service_account, kind: "service_account" },
      {
        token: SANDBOX_TOKENS.oauth,
        userGid: U.oauth,
        kind: "oauth",
        oauthScopes: [...SANDBOX_OAUTH_SCOPES],
      },
    ],
  };
}

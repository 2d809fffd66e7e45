/**
 * What the sandbox keeps about projects beyond ProjectRec: dates, view, privacy and memberships; project
 * templates and the jobs that instantiate them. Records, seeding and the date rules Asana states.
 */
import type { ProjectRec } from "./model.js";
import type {
  FakeProjectTemplateSeed,
  JobRec,
  MembershipRec,
  ProjectExtras,
  ProjectWorld,
} from "./project-types.js";

export type {
  FakeProjectTemplateSeed,
  JobRec,
  MembershipRec,
  ProjectExtras,
  ProjectWorld,
  ProjectWriteKind,
  TemplateRec,
} from "./project-types.js";

/** What these functions need of the store (structural: store.ts imports this module). */
interface Store {
  projectWorld: ProjectWorld;
  newGid(): string;
}

export const PROJECT_COLORS = [
  "dark-pink",
  "dark-green",
  "dark-blue",
  "dark-red",
  "dark-teal",
  "dark-brown",
  "dark-orange",
  "dark-purple",
  "dark-warm-gray",
  "light-pink",
  "light-green",
  "light-blue",
  "light-red",
  "light-teal",
  "light-brown",
  "light-orange",
  "light-purple",
  "light-warm-gray",
  "none",
] as const;
export const DEFAULT_VIEWS = ["list", "board", "calendar", "timeline"] as const;
export const PRIVACY_SETTINGS = ["public_to_workspace", "private_to_team", "private"] as const;

export const DATE_VARIABLES = {
  "1": { name: "Start Date", description: "Choose a start date for your project." },
  "2": { name: "Due Date", description: "Choose a due date for your project." },
} as const;

export function seedProjectWorld(templates: FakeProjectTemplateSeed[] | undefined): ProjectWorld {
  return {
    extras: new Map(),
    templates: new Map(
      (templates ?? []).map((t) => [
        t.gid,
        {
          gid: t.gid,
          name: t.name,
          team: t.team,
          description: t.description ?? "",
          owner: t.owner ?? null,
          sections: [...(t.sections ?? [])],
          requestedDates: [...(t.requestedDates ?? [])],
          instantiateMs: t.instantiateMs ?? 300,
          fails: t.fails ?? false,
        },
      ]),
    ),
    jobs: new Map(),
    memberships: new Map(),
    membersSeeded: new Set(),
  };
}

export function projectWorldGids(world: ProjectWorld): string[] {
  return [...world.templates.keys()];
}

/** A project's extra state, made with Asana's defaults the first time it is needed. */
export function extrasOf(store: Store, project: ProjectRec): ProjectExtras {
  let extras = store.projectWorld.extras.get(project.gid);
  if (extras === undefined) {
    extras = {
      startOn: null,
      dueOn: null,
      defaultView: "list",
      privacy: "public_to_workspace",
      followers: project.owner === null ? [] : [project.owner],
      template: null,
    };
    store.projectWorld.extras.set(project.gid, extras);
  }
  return extras;
}

/** A project's memberships, the owner's made on first use for a seeded project. */
export function membershipsOf(store: Store, project: ProjectRec): MembershipRec[] {
  const w = store.projectWorld;
  if (!w.membersSeeded.has(project.gid)) {
    w.membersSeeded.add(project.gid);
    if (project.owner !== null) addMembership(store, project.gid, project.owner, "admin");
  }
  return [...w.memberships.values()].filter((m) => m.project === project.gid);
}

export function addMembership(
  store: Store,
  project: string,
  user: string,
  accessLevel: MembershipRec["accessLevel"] = "editor",
): void {
  const w = store.projectWorld;
  w.membersSeeded.add(project);
  if ([...w.memberships.values()].some((m) => m.project === project && m.user === user)) return;
  const gid = store.newGid();
  w.memberships.set(gid, { gid, project, user, accessLevel });
}

export function removeMembership(store: Store, project: string, user: string): void {
  const w = store.projectWorld;
  for (const [gid, m] of w.memberships)
    if (m.project === project && m.user === user) w.memberships.delete(gid);
}

export function jobStatus(job: JobRec): "in_progress" | "succeeded" | "failed" {
  if (Date.now() < job.doneAt) return "in_progress";
  return job.fails ? "failed" : "succeeded";
}

// --- the date rules ----------------------------------------------------------------------------------

/**
 * The rules ProjectBase.start_on's description states (vendored in test/contract/asana-field-rules.json;
 * test/contract/project-rules.test.ts checks each quote against it).
 */
export const PROJECT_RULES = {
  dates: {
    id: "project-dates-are-dates",
    property: "ProjectBase.due_on",
    quote: "This takes a date with format YYYY-MM-DD.",
    message: "Not a valid date; use a real calendar date as YYYY-MM-DD",
  },
  startNeedsDue: {
    id: "project-start_on-needs-due_on",
    property: "ProjectBase.start_on",
    quote:
      "`due_on` or `due_at` must be present in the request when setting or unsetting the `start_on` parameter",
    message: "due_on must be present in the request when setting or unsetting start_on",
  },
  notSameDate: {
    id: "project-start_on-not-due_on",
    property: "ProjectBase.start_on",
    quote: "`start_on` and `due_on` cannot be the same date",
    message: "start_on and due_on cannot be the same date",
  },
  startBeforeDue: {
    id: "project-start_on-before-due_on",
    property: "ProjectBase.start_on",
    quote: null,
    why: "A project's dates are a span: work begins on start_on and ends by due_on; the spec does not say so in words, Asana's apps refuse a start after the due date.",
    message: "start_on must be before due_on",
  },
} as const;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isDate(value: unknown): value is string {
  if (typeof value !== "string" || !DATE_RE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/**
 * The dates a project has after a request (`body` holds start_on/due_on only when sent), or the
 * message of the first rule the request breaks.
 */
export function nextProjectDates(
  current: { startOn: string | null; dueOn: string | null },
  body: Record<string, unknown>,
): { startOn: string | null; dueOn: string | null } | { error: string } {
  for (const field of ["start_on", "due_on"] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && !isDate(value)) {
      return { error: `${field}: ${PROJECT_RULES.dates.message}: ${String(value)}` };
    }
  }
  if ("start_on" in body && !("due_on" in body || "due_at" in body)) {
    return { error: `start_on: ${PROJECT_RULES.startNeedsDue.message}` };
  }
  const startOn = "start_on" in body ? ((body.start_on as string | null) ?? null) : current.startOn;
  const dueOn = "due_on" in body ? ((body.due_on as string | null) ?? null) : current.dueOn;
  if (startOn !== null && dueOn === null) return { error: `due_on: ${PROJECT_RULES.startNeedsDue.message}` };
  if (startOn !== null && startOn === dueOn)
    return { error: `start_on: ${PROJECT_RULES.notSameDate.message}` };
  if (startOn !== null && dueOn !== null && startOn > dueOn) {
    return { error: `start_on: ${PROJECT_RULES.startBeforeDue.message}` };
  }
  return { startOn, dueOn };
}

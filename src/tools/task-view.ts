// What a task result may show under the allow-lists: a task inside them can also be in projects
// outside them (Asana tasks live in several projects). Those projects' names, sections and custom
// fields stay out of results; the result says how many projects it leaves out. One place, for
// every tool that shows a task's projects or fields.
import { apiPath } from "../asana/http.js";
import { allowedProjects, mentionsIn, outsideNote, type Policy, projectListed } from "../policy.js";
import { allowedFields } from "./custom-fields.js";
import type { CallScope, ToolContext } from "./define.js";

export interface TaskPlaces {
  memberships?: Array<{
    project?: { gid: string; name?: string };
    section?: { gid: string; name?: string } | null;
  }>;
  custom_fields?: Array<{ gid?: string; name: string; display_value?: string | null }>;
  parent?: { gid: string; name?: string } | null;
}

/** What a call's rich text (and tags given beside it) adds to its scope: its mentions and tags. */
export function richTextScope(
  html: string | undefined,
  tagGids: string[] = [],
): Pick<CallScope, "mentions" | "tags"> {
  const { mentions, tags } = mentionsIn(html);
  const all = [...tagGids, ...tags];
  return { ...(mentions.length ? { mentions } : {}), ...(all.length ? { tags: all } : {}) };
}

/**
 * A listed task's projects as a result may show them: the allowed ones by gid and name, and a note
 * of how many others it is in (find and search_tasks).
 */
export function shownProjects(
  policy: Policy,
  projects: ReadonlyArray<{ gid: string; name?: string | null }> | null | undefined,
): { projects?: Array<{ gid: string; name: string }>; outside_projects?: string } {
  if (!projects?.length) return {};
  const { shown, outside } = allowedProjects(policy, projects, (p) => p.gid);
  const note = outsideNote(outside);
  return {
    projects: shown.map((p) => ({ gid: p.gid, name: p.name ?? "" })),
    ...(note ? { outside_projects: note } : {}),
  };
}

/** Whether a task in these projects may be shown: in an allowed one (as checkScope decides). */
export function taskListed(
  policy: Policy,
  projects: ReadonlyArray<{ gid: string }> | null | undefined,
): boolean {
  return policy.projects === undefined || (projects ?? []).some((p) => projectListed(policy, p.gid));
}

/**
 * Of the tasks a task links to (dependencies, dependents), those a result may name: in an allowed
 * project. One read of each one's projects under ASANA_PROJECTS (Asana offers no
 * dependencies.projects), none otherwise: a link never leaves its task's workspace.
 */
export async function linkedWithin(
  context: ToolContext,
  gids: string[],
): Promise<{ shown: string[]; outside: number }> {
  const { policy, asana, identity, signal } = context;
  if (!policy.projects || gids.length === 0) return { shown: gids, outside: 0 };
  const listed = await Promise.all(
    gids.map(async (gid) => {
      const { data } = await asana.request<{ projects?: Array<{ gid: string }> | null }>(identity, {
        method: "GET",
        path: apiPath`/tasks/${gid}`,
        query: { opt_fields: "projects" },
        signal,
      });
      return taskListed(policy, data.projects);
    }),
  );
  const shown = gids.filter((_, i) => listed[i]);
  return { shown, outside: gids.length - shown.length };
}

/** The task with its outside projects, their fields and an outside parent's name taken out. */
export async function withinAllowList<T extends TaskPlaces>(
  context: ToolContext,
  task: T,
): Promise<T & { outside_projects?: string }> {
  const { policy } = context;
  // Under ASANA_WORKSPACES alone every project of an allowed task is in its allowed workspace.
  if (!policy.projects) return task;
  const memberships = task.memberships ?? [];
  const { shown, outside } = allowedProjects(policy, memberships, (m) => m.project?.gid);
  // A parent in none of the allowed projects is outside: its gid stays (the task names it), not
  // its name. One read of its projects (Asana offers no parent.projects on the task itself).
  let parentOutside: { gid: string } | undefined;
  if (task.parent) {
    const { asana, identity, signal } = context;
    const { data } = await asana.request<{ projects?: Array<{ gid: string }> | null }>(identity, {
      method: "GET",
      path: apiPath`/tasks/${task.parent.gid}`,
      query: { opt_fields: "projects" },
      signal,
    });
    if (!taskListed(policy, data.projects)) {
      parentOutside = { gid: task.parent.gid };
    }
  }
  let fields = task.custom_fields;
  if (outside > 0 && fields?.length) {
    // Only fields an allowed project carries; the outside projects' settings are never read.
    const allowed = await allowedFields(
      context,
      shown.map((m) => m.project?.gid ?? ""),
    );
    const gids = new Set(allowed.fields.map((f) => f.gid));
    const names = new Set(allowed.fields.map((f) => f.name));
    // By gid; by name where the answer carries none (sub-field opt_fields), which is as close as it gets.
    fields = fields.filter((f) => (f.gid !== undefined ? gids.has(f.gid) : names.has(f.name)));
  }
  const note = outsideNote(outside);
  return {
    ...task,
    memberships: shown,
    ...(fields ? { custom_fields: fields } : {}),
    ...(parentOutside ? { parent: parentOutside } : {}),
    ...(note ? { outside_projects: note } : {}),
  };
}

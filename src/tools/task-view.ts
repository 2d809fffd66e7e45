// What a task result may show under the allow-lists: a task inside them can also be in projects
// outside them (Asana tasks live in several projects). Those projects' names, sections and custom
// fields stay out of results; the result says how many projects it leaves out. One place, for
// every tool that shows a task's projects or fields.
import { apiPath } from "../asana/http.js";
import { allowedProjects, outsideNote, projectListed } from "../policy.js";
import { allowedFields } from "./custom-fields.js";
import type { ToolContext } from "./define.js";

export interface TaskPlaces {
  memberships?: Array<{
    project?: { gid: string; name?: string };
    section?: { gid: string; name?: string } | null;
  }>;
  custom_fields?: Array<{ gid?: string; name: string; display_value?: string | null }>;
  parent?: { gid: string; name?: string } | null;
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
    if (!(data.projects ?? []).some((p) => projectListed(policy, p.gid))) {
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

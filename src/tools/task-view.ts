// What a task result may show under the allow-lists: a task inside them can also be in projects
// outside them (Asana tasks live in several projects). Those projects' names, sections and custom
// fields stay out of results; the result says how many projects it leaves out. One place, for
// every tool that shows a task's projects or fields.
import { allowedProjects, outsideNote, projectListed } from "../policy.js";
import { allowedFields } from "./custom-fields.js";
import type { ToolContext } from "./define.js";

export interface TaskPlaces {
  memberships?: Array<{
    project?: { gid: string; name?: string };
    section?: { gid: string; name?: string } | null;
  }>;
  custom_fields?: Array<{ gid?: string; name: string; display_value?: string | null }>;
  parent?: { gid: string; name?: string; projects?: Array<{ gid: string }> | null } | null;
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
  const parent = task.parent;
  // A parent in none of the allowed projects is outside: its gid stays (the task names it), not its name.
  const parentOutside =
    parent && !(parent.projects ?? []).some((p) => projectListed(policy, p.gid))
      ? { gid: parent.gid }
      : undefined;
  let fields = task.custom_fields;
  if (outside > 0 && fields?.length) {
    // Only fields an allowed project carries; the outside projects' settings are never read.
    const allowed = await allowedFields(
      context,
      shown.map((m) => m.project?.gid ?? ""),
    );
    const gids = new Set(allowed.fields.map((f) => f.gid));
    fields = fields.filter((f) => f.gid !== undefined && gids.has(f.gid));
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

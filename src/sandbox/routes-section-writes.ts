/** Section writes: rename, delete (only an empty one, never the last) and reorder within a project. */
import { ApiError, type Reply, type SectionRec } from "./model.js";
import { type HandlerContext, one, onlyKeys, param, projectOf, sectionOf } from "./routing.js";
import type { Store } from "./store.js";

export function updateSection(ctx: HandlerContext): Reply {
  const section = sectionOf(ctx, param(ctx, "section_gid"));
  onlyKeys(ctx.body, ["name"]);
  const name = ctx.body.name;
  // SectionRequest.name: "This cannot be an empty string."
  if (typeof name !== "string" || name.trim() === "") throw new ApiError(400, "name: Missing input");
  section.name = name;
  return one(ctx, "section", section.gid);
}

/** The tasks in a section: in its project and filed under it. */
export function tasksInSection(store: Store, section: SectionRec): string[] {
  return [...store.tasks.values()]
    .filter(
      (t) =>
        t.projects.includes(section.project) &&
        store.world.taskSection.get(`${t.gid}:${section.project}`) === section.gid,
    )
    .map((t) => t.gid);
}

export function deleteSection(ctx: HandlerContext): Reply {
  const section = sectionOf(ctx, param(ctx, "section_gid"));
  // deleteSection's description: "Note that sections must be empty to be deleted. The last
  // remaining section cannot be deleted."
  if (tasksInSection(ctx.store, section).length > 0) {
    throw new ApiError(400, "section: Sections must be empty to be deleted");
  }
  const siblings = [...ctx.store.world.sections.values()].filter((s) => s.project === section.project);
  if (siblings.length <= 1) throw new ApiError(400, "section: The last remaining section cannot be deleted");
  ctx.store.world.sections.delete(section.gid);
  return { status: 200, body: { data: {} } };
}

export function insertSection(ctx: HandlerContext): Reply {
  const project = projectOf(ctx, param(ctx, "project_gid"));
  const b = ctx.body;
  onlyKeys(b, ["section", "before_section", "after_section"]);
  if (typeof b.section !== "string") throw new ApiError(400, "section: Missing input");
  const before = b.before_section;
  const after = b.after_section;
  // "One of `before_section` or `after_section` is required."
  if ((before === undefined) === (after === undefined)) {
    throw new ApiError(400, "One of before_section or after_section is required, not both");
  }
  const anchorGid = before ?? after;
  if (typeof anchorGid !== "string")
    throw new ApiError(400, `${before ? "before" : "after"}_section: Not a string`);
  const section = sectionOf(ctx, b.section);
  const anchor = sectionOf(ctx, anchorGid);
  // "Sections cannot be moved between projects."
  if (section.project !== project.gid || anchor.project !== project.gid) {
    throw new ApiError(400, "section: Sections cannot be moved between projects");
  }
  if (section.gid !== anchor.gid) {
    const entries = [...ctx.store.world.sections.entries()].filter(([gid]) => gid !== section.gid);
    const at = entries.findIndex(([gid]) => gid === anchor.gid) + (before !== undefined ? 0 : 1);
    entries.splice(at, 0, [section.gid, section]);
    ctx.store.world.sections.clear();
    for (const [gid, s] of entries) ctx.store.world.sections.set(gid, s);
  }
  return { status: 200, body: { data: {} } };
}

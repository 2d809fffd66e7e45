/** A task's relations (parent, projects, sections, tags, followers, dependencies) and task search. */
import { ApiError, type Reply, type TaskRec } from "./model.js";
import {
  type HandlerContext,
  list,
  one,
  onlyKeys,
  param,
  projectOf,
  sectionOf,
  stringList,
  stripNextPage,
  taskOf,
  userGid,
  withoutPaging,
} from "./routing.js";
import { requireGid } from "./store.js";
import { push } from "./world.js";

export function setParent(ctx: HandlerContext): Reply {
  const task = taskOf(ctx);
  onlyKeys(ctx.body, ["parent", "insert_before", "insert_after"]);
  if (!("parent" in ctx.body)) throw new ApiError(400, "parent: Missing input");
  const raw = ctx.body.parent;
  if (raw === null) ctx.store.world.parent.delete(task.gid);
  else {
    const parent = taskOf(ctx, String(raw));
    // Asana refuses cycles: a task cannot become a subtask of itself or of its own subtask.
    for (let p: string | undefined = parent.gid; p !== undefined; p = ctx.store.world.parent.get(p)) {
      if (p === task.gid) throw new ApiError(400, "parent: Cannot make a task a subtask of itself");
    }
    ctx.store.world.parent.set(task.gid, parent.gid);
  }
  return one(ctx, "task", task.gid);
}

export function addProject(ctx: HandlerContext): Reply {
  const task = taskOf(ctx);
  onlyKeys(ctx.body, ["project", "section", "insert_before", "insert_after"]);
  const project = projectOf(ctx, String(ctx.body.project ?? ""));
  if (project.workspace !== task.workspace) throw new ApiError(400, "project: In a different workspace");
  const section = typeof ctx.body.section === "string" ? sectionOf(ctx, ctx.body.section) : undefined;
  if (section && section.project !== project.gid) {
    throw new ApiError(400, "section: Section is not in the given project");
  }
  if (!task.projects.includes(project.gid)) task.projects.push(project.gid);
  if (section) ctx.store.world.taskSection.set(`${task.gid}:${project.gid}`, section.gid);
  return { status: 200, body: { data: {} } };
}

export function removeProject(ctx: HandlerContext): Reply {
  const task = taskOf(ctx);
  onlyKeys(ctx.body, ["project"]);
  const project = projectOf(ctx, String(ctx.body.project ?? ""));
  task.projects = task.projects.filter((p) => p !== project.gid);
  ctx.store.world.taskSection.delete(`${task.gid}:${project.gid}`);
  return { status: 200, body: { data: {} } };
}

export function addToSection(ctx: HandlerContext): Reply {
  const section = sectionOf(ctx, param(ctx, "section_gid"));
  onlyKeys(ctx.body, ["task", "insert_before", "insert_after"]);
  const task = taskOf(ctx, String(ctx.body.task ?? ""));
  if (!task.projects.includes(section.project)) task.projects.push(section.project);
  ctx.store.world.taskSection.set(`${task.gid}:${section.project}`, section.gid);
  return { status: 200, body: { data: {} } };
}

export function tagEdit(add: boolean) {
  return (ctx: HandlerContext): Reply => {
    const task = taskOf(ctx);
    onlyKeys(ctx.body, ["tag"]);
    const gid = requireGid("tag", String(ctx.body.tag ?? ""));
    const tag = ctx.store.world.tags.get(gid);
    if (tag === undefined) throw new ApiError(404, `tag: Unknown object: ${gid}`);
    const tags = ctx.store.world.taskTags;
    if (add) push(tags, task.gid, gid);
    else
      tags.set(
        task.gid,
        (tags.get(task.gid) ?? []).filter((t) => t !== gid),
      );
    return { status: 200, body: { data: {} } };
  };
}

export function followerEdit(add: boolean) {
  return (ctx: HandlerContext): Reply => {
    const task = taskOf(ctx);
    onlyKeys(ctx.body, ["followers"]);
    const users = stringList(ctx.body.followers, "followers").map((u) => userGid(ctx, u, "followers"));
    if (add)
      for (const u of users)
        if (!task.followers.includes(u)) task.followers.push(u);
        else task.followers = task.followers.filter((u) => !users.includes(u));
    return one(ctx, "task", task.gid);
  };
}

export function dependencyEdit(kind: "dependencies" | "dependents", add: boolean) {
  return (ctx: HandlerContext): Reply => {
    const task = taskOf(ctx);
    onlyKeys(ctx.body, [kind]);
    const others = stringList(ctx.body[kind], kind).map((g) => taskOf(ctx, g).gid);
    const deps = ctx.store.world.dependencies;
    for (const other of others) {
      if (other === task.gid) throw new ApiError(400, `${kind}: A task cannot depend on itself`);
      const [from, on] = kind === "dependencies" ? [task.gid, other] : [other, task.gid];
      if (add) push(deps, from, on);
      else
        deps.set(
          from,
          (deps.get(from) ?? []).filter((g) => g !== on),
        );
    }
    return { status: 200, body: { data: {} } };
  };
}

/** Asana's search answers at most 100 tasks and has no offset; clients page by created_at.before. */
export const SEARCH_MAX = 100;

export function search(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  if (!ctx.store.world.premium.has(ws.gid)) {
    throw new ApiError(402, "Search is only available to premium users.");
  }
  const q = ctx.query;
  const any = (name: string) => q.get(name)?.split(",").filter(Boolean);
  const text = q.get("text")?.toLowerCase();
  const assignees = any("assignee.any")?.map((u) => userGid(ctx, u, "assignee.any"));
  const projects = any("projects.any");
  const sections = any("sections.any");
  const tags = any("tags.any");
  const completed = q.get("completed");
  const subtask = q.get("is_subtask");
  const before = q.get("due_on.before");
  const after = q.get("due_on.after");
  const w = ctx.store.world;
  let tasks = [...ctx.store.tasks.values()].filter(
    (t) =>
      t.workspace === ws.gid &&
      (text === undefined || `${t.name}\n${t.notes}`.toLowerCase().includes(text)) &&
      (assignees === undefined || (t.assignee !== null && assignees.includes(t.assignee))) &&
      (projects === undefined || t.projects.some((p) => projects.includes(p))) &&
      (sections === undefined ||
        t.projects.some((p) => sections.includes(w.taskSection.get(`${t.gid}:${p}`) ?? ""))) &&
      (tags === undefined || (w.taskTags.get(t.gid) ?? []).some((g) => tags.includes(g))) &&
      (completed === null || String(t.completed) === completed) &&
      (subtask === null || String(w.parent.has(t.gid)) === subtask) &&
      (before === null || (t.dueOn !== null && t.dueOn < before)) &&
      (after === null || (t.dueOn !== null && t.dueOn > after)),
  );
  const sortBy = q.get("sort_by") ?? "modified_at";
  const key = (t: TaskRec): string =>
    sortBy === "due_date"
      ? (t.dueOn ?? "9999")
      : sortBy === "created_at"
        ? t.createdAt
        : sortBy === "completed_at"
          ? (t.completedAt ?? "")
          : t.modifiedAt;
  const ascending = q.get("sort_ascending") === "true";
  tasks = tasks.sort((a, b) => (ascending ? 1 : -1) * key(a).localeCompare(key(b)));
  const limited = tasks.slice(0, SEARCH_MAX).map((t) => t.gid);
  // Unpaginated, like Asana: no next_page in the envelope.
  return stripNextPage(list(withoutPaging(ctx), "task", limited));
}

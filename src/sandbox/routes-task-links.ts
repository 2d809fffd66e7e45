/** A task's relations (parent, projects, sections, tags, followers, dependencies). Task search is in routes-search.ts. */
import { ApiError, type Reply } from "./model.js";
import {
  type HandlerContext,
  one,
  onlyKeys,
  param,
  projectOf,
  sectionOf,
  stringList,
  taskOf,
  userGid,
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
    if (add) {
      for (const u of users) if (!task.followers.includes(u)) task.followers.push(u);
    } else {
      task.followers = task.followers.filter((u) => !users.includes(u));
    }
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

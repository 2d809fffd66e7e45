/**
 * Tasks: read, list, create (also as a subtask), update, delete. Dates and subtype follow the rules in
 * task-rules.ts; everything is validated before anything changes.
 */
import { htmlToPlainText, parseCommentHtml } from "./html-text.js";
import { ApiError, type CfValue, type FieldRec, type Reply, type TaskRec } from "./model.js";
import {
  type HandlerContext,
  list,
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
import { nextTaskDates, violationMessage } from "./task-rules.js";
import { fieldsForTask, subtasksOf } from "./views-world.js";
import { push, valuesOf } from "./world.js";

export function getTask(ctx: HandlerContext): Reply {
  const gid = param(ctx, "task_gid");
  return one(ctx, "task", ctx.store.requireInWorkspace("task", ctx.store.tasks, gid, ctx.viewer).gid);
}

export function getTasks(ctx: HandlerContext): Reply {
  const q = ctx.query;
  const project = q.get("project");
  const section = q.get("section");
  const assignee = q.get("assignee");
  const workspace = q.get("workspace");
  const given = [project, section, assignee].filter((x) => x !== null).length;
  if (given !== 1 || (assignee !== null) !== (workspace !== null)) {
    throw new ApiError(
      400,
      "Must specify exactly one of project, tag, section, user task list, or assignee + workspace",
    );
  }
  let tasks = [...ctx.store.tasks.values()];
  if (project !== null) {
    projectOf(ctx, project);
    tasks = tasks.filter((t) => t.projects.includes(project));
  } else if (section !== null) {
    const s = sectionOf(ctx, section);
    tasks = tasks.filter((t) => ctx.store.world.taskSection.get(`${t.gid}:${s.project}`) === s.gid);
  } else {
    ctx.store.requireWorkspace(workspace ?? "", ctx.viewer);
    const who = userGid(ctx, assignee, "assignee");
    tasks = tasks.filter((t) => t.workspace === workspace && t.assignee === who);
  }
  return list(
    ctx,
    "task",
    completedSince(ctx, tasks).map((t) => t.gid),
  );
}

/** `completed_since`: incomplete tasks plus those completed since the given time ("now": none). */
export function completedSince(ctx: HandlerContext, tasks: TaskRec[]): TaskRec[] {
  const since = ctx.query.get("completed_since");
  if (since === null) return tasks;
  const cutoff = since === "now" ? Number.POSITIVE_INFINITY : Date.parse(since);
  if (Number.isNaN(cutoff)) throw new ApiError(400, `completed_since: Not a date: ${since}`);
  return tasks.filter((t) => !t.completed || Date.parse(t.completedAt ?? "") >= cutoff);
}

/** GET /projects/{project_gid}/tasks: the same listing as GET /tasks?project=. */
export function getProjectTasks(ctx: HandlerContext): Reply {
  const project = projectOf(ctx, param(ctx, "project_gid"));
  const tasks = [...ctx.store.tasks.values()].filter((t) => t.projects.includes(project.gid));
  return list(
    ctx,
    "task",
    completedSince(ctx, tasks).map((t) => t.gid),
  );
}

/** POST /tasks/{task_gid}/subtasks: a task created with the path's task as its parent. */
export function createSubtask(ctx: HandlerContext): Reply {
  const parent = taskOf(ctx);
  if ("parent" in ctx.body)
    throw new ApiError(400, "parent: Cannot write this property here; the path names it");
  return createTask({ ...ctx, body: { ...ctx.body, parent: parent.gid } });
}

/** What a PUT may change: a task's own fields. */
export const TASK_UPDATE_KEYS = [
  "name",
  "resource_subtype",
  "start_at",
  "notes",
  "html_notes",
  "assignee",
  "due_on",
  "due_at",
  "start_on",
  "completed",
  "custom_fields",
];

/** A POST also places the task (projects, sections, parent, workspace) and links it (tags, followers). */
export const TASK_CREATE_KEYS = [
  ...TASK_UPDATE_KEYS,
  "projects",
  "memberships",
  "parent",
  "workspace",
  "tags",
  "followers",
];

export function createTask(ctx: HandlerContext): Reply {
  const b = ctx.body;
  onlyKeys(b, TASK_CREATE_KEYS);
  const store = ctx.store;
  const projects = b.projects === undefined ? [] : stringList(b.projects, "projects");
  const memberships = Array.isArray(b.memberships) ? (b.memberships as Array<Record<string, unknown>>) : [];
  for (const m of memberships) projects.push(String(m.project));
  const parent = typeof b.parent === "string" ? taskOf(ctx, b.parent) : undefined;
  let workspace = typeof b.workspace === "string" ? b.workspace : undefined;
  for (const p of projects) {
    const rec = projectOf(ctx, p);
    if (workspace !== undefined && rec.workspace !== workspace) {
      throw new ApiError(400, "projects: Project is in a different workspace");
    }
    workspace = rec.workspace;
  }
  workspace ??= parent?.workspace;
  if (workspace === undefined) {
    throw new ApiError(400, "workspace: Missing input: you must specify a workspace, project or parent");
  }
  store.requireWorkspace(workspace, ctx.viewer);
  const now = store.nowIso();
  const task: TaskRec = {
    gid: store.newGid(),
    name: "",
    workspace,
    projects: [...new Set(projects)],
    assignee: null,
    completed: false,
    completedAt: null,
    notes: "",
    createdAt: now,
    modifiedAt: now,
    createdBy: ctx.viewer.gid,
    dueOn: null,
    startOn: null,
    followers: [ctx.viewer.gid],
    resourceSubtype: "default_task",
  };
  applyTaskFields(ctx, task, b);
  for (const m of memberships) {
    if (typeof m.section === "string") {
      const section = sectionOf(ctx, m.section);
      if (section.project !== m.project) throw new ApiError(400, "memberships: section is not in project");
      store.world.taskSection.set(`${task.gid}:${section.project}`, section.gid);
    }
  }
  for (const tag of b.tags === undefined ? [] : stringList(b.tags, "tags")) {
    if (!store.world.tags.has(tag)) throw new ApiError(400, `tags: Unknown object: ${tag}`);
    push(store.world.taskTags, task.gid, tag);
  }
  for (const f of b.followers === undefined ? [] : stringList(b.followers, "followers")) {
    const gid = userGid(ctx, f, "followers");
    if (!task.followers.includes(gid)) task.followers.push(gid);
  }
  store.tasks.set(task.gid, task);
  store.markCreated(task.gid);
  if (parent) store.world.parent.set(task.gid, parent.gid);
  return one(ctx, "task", task.gid, 201);
}

export function updateTask(ctx: HandlerContext): Reply {
  const task = taskOf(ctx);
  for (const key of ["projects", "memberships", "parent", "tags", "followers", "workspace"]) {
    if (key in ctx.body) {
      throw new ApiError(400, `${key}: Cannot write this property; use the dedicated endpoint`);
    }
  }
  onlyKeys(ctx.body, TASK_UPDATE_KEYS);
  applyTaskFields(ctx, task, ctx.body);
  task.modifiedAt = ctx.store.nowIso();
  return one(ctx, "task", task.gid);
}

/** Validates everything before changing anything, so a 400 leaves the task as it was. */
export function applyTaskFields(ctx: HandlerContext, task: TaskRec, b: Record<string, unknown>): void {
  const w = ctx.store.world;
  const changes: Array<() => void> = [];
  if (b.name !== undefined) {
    if (typeof b.name !== "string") throw new ApiError(400, "name: Not a string");
    const name = b.name;
    changes.push(() => {
      task.name = name;
    });
  }
  if (b.notes !== undefined && b.html_notes !== undefined) {
    throw new ApiError(400, "You may not specify both notes and html_notes");
  }
  if (b.notes !== undefined) {
    if (typeof b.notes !== "string") throw new ApiError(400, "notes: Not a string");
    const notes = b.notes;
    changes.push(() => {
      task.notes = notes;
      w.htmlNotes.delete(task.gid);
    });
  }
  if (b.html_notes !== undefined) {
    if (typeof b.html_notes !== "string") throw new ApiError(400, "html_notes: Not a string");
    const parsed = parseCommentHtml(b.html_notes);
    if (!parsed.ok) throw new ApiError(400, parsed.message.replace(/^html_text/, "html_notes"));
    const html = b.html_notes;
    changes.push(() => {
      task.notes = htmlToPlainText(parsed.body);
      w.htmlNotes.set(task.gid, html);
    });
  }
  if (b.assignee !== undefined) {
    const assignee = b.assignee === null ? null : userGid(ctx, b.assignee, "assignee");
    changes.push(() => {
      task.assignee = assignee;
    });
  }
  const dates = nextTaskDates(
    {
      dueOn: task.dueOn,
      dueAt: w.dueAt.get(task.gid) ?? null,
      startOn: task.startOn,
      startAt: w.startAt.get(task.gid) ?? null,
      resourceSubtype: task.resourceSubtype,
    },
    b,
  );
  if ("rule" in dates) throw new ApiError(400, violationMessage(dates));
  changes.push(() => {
    task.dueOn = dates.dueOn;
    task.startOn = dates.startOn;
    task.resourceSubtype = dates.resourceSubtype;
    for (const [map, value] of [
      [w.dueAt, dates.dueAt],
      [w.startAt, dates.startAt],
    ] as const) {
      if (value === null) map.delete(task.gid);
      else map.set(task.gid, value);
    }
  });
  if (b.completed !== undefined) {
    if (typeof b.completed !== "boolean") throw new ApiError(400, "completed: Not a boolean");
    const completed = b.completed;
    changes.push(() => {
      if (task.completed !== completed) task.completedAt = completed ? ctx.store.nowIso() : null;
      task.completed = completed;
    });
  }
  if (b.custom_fields !== undefined) {
    const raw = b.custom_fields;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new ApiError(400, "custom_fields: Not an object");
    }
    const allowed = new Set(fieldsForTask(ctx.store, { ...task, projects: task.projects }).map((f) => f.gid));
    for (const [gid, value] of Object.entries(raw as Record<string, unknown>)) {
      const field = w.fields.get(requireGid("custom_fields", gid));
      if (field === undefined || !allowed.has(gid)) {
        throw new ApiError(400, `custom_fields: Custom field with ID ${gid} is not on given object`);
      }
      const stored = fieldValue(field, value);
      changes.push(() => {
        valuesOf(w, task.gid).set(gid, stored);
      });
    }
  }
  for (const change of changes) change();
}

export function fieldValue(field: FieldRec, value: unknown): CfValue {
  if (value === null) return null;
  const bad = () => new ApiError(400, `custom_fields: Invalid value for custom field ${field.name}`);
  if (field.type === "text") {
    if (typeof value !== "string") throw bad();
    return value;
  }
  if (field.type === "number") {
    const n = typeof value === "string" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isFinite(n)) throw bad();
    return n;
  }
  if (field.type === "enum") {
    if (typeof value !== "string" || !field.options.some((o) => o.gid === value)) {
      throw new ApiError(400, `custom_fields: enum option ${String(value)} is not valid for ${field.name}`);
    }
    return value;
  }
  if (!Array.isArray(value) || value.some((v) => !field.options.some((o) => o.gid === v))) throw bad();
  return value as string[];
}

export function deleteTask(ctx: HandlerContext): Reply {
  const task = taskOf(ctx);
  ctx.store.tasks.delete(task.gid);
  return { status: 200, body: { data: {} } };
}

export function getSubtasks(ctx: HandlerContext): Reply {
  const task = taskOf(ctx);
  return list(ctx, "task", subtasksOf(ctx.store, task.gid));
}

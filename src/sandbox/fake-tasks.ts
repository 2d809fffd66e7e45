/**
 * The fake Asana's task-management surface: sections, tags, custom fields, subtasks, dependencies,
 * attachments, status updates, task search, and task create/update/delete. Shapes, status codes and
 * pagination follow Asana's OpenAPI spec; wording of error messages is modelled on Asana's.
 *
 * This module is imported only by fake-asana.ts, which calls its function declarations lazily
 * (they are hoisted, so the import cycle between the two files is harmless).
 */
import {
  ApiError,
  type FieldMap,
  type HandlerContext,
  type KindView,
  list,
  one,
  param,
  Ref,
  type Reply,
  type Route,
  requireGid,
  type Store,
  type TaskRec,
} from "./fake-asana.js";
import { htmlToPlainText, parseCommentHtml, textToCommentHtml } from "./html-text.js";
import { nextTaskDates, violationMessage } from "./task-rules.js";
import { typeaheadRoutes } from "./typeahead.js";

export type WorldKind =
  | "section"
  | "tag"
  | "custom_field"
  | "custom_field_setting"
  | "attachment"
  | "status_update"
  | "portfolio";

export interface FakeWorldSeed {
  /** Workspaces on a paid plan; task search answers 402 elsewhere. */
  premiumWorkspaces?: string[];
  sections?: Array<{ gid: string; name: string; project: string }>;
  /** task gid -> project gid -> section gid */
  taskSections?: Array<{ task: string; project: string; section: string }>;
  tags?: Array<{ gid: string; name: string; workspace: string; color?: string | null }>;
  taskTags?: Array<{ task: string; tag: string }>;
  customFields?: Array<{
    gid: string;
    name: string;
    workspace: string;
    type: "text" | "number" | "enum" | "multi_enum";
    precision?: number;
    options?: Array<{ gid: string; name: string; color?: string }>;
  }>;
  projectFields?: Array<{ project: string; field: string }>;
  values?: Array<{ task: string; field: string; value: string | number | string[] | null }>;
  subtasks?: Array<{ task: string; parent: string }>;
  dependencies?: Array<{ task: string; dependsOn: string }>;
  attachments?: Array<{ gid: string; name: string; task: string; size: number; createdAt: string }>;
  /** Portfolios are seen by their owner and members, and by everyone in the workspace when public. */
  portfolios?: Array<{
    gid: string;
    name: string;
    workspace: string;
    owner: string;
    public?: boolean;
    members?: string[];
    color?: string;
  }>;
  statusUpdates?: Array<{
    gid: string;
    project: string;
    title: string;
    text: string;
    statusType: string;
    createdBy: string;
    createdAt: string;
  }>;
}

interface SectionRec {
  gid: string;
  name: string;
  project: string;
  /** Absent for seeded sections. */
  createdAt?: string;
}
interface TagRec {
  gid: string;
  name: string;
  workspace: string;
  color: string | null;
}
interface OptionRec {
  gid: string;
  name: string;
  color: string;
  enabled: boolean;
}
interface FieldRec {
  gid: string;
  name: string;
  workspace: string;
  type: "text" | "number" | "enum" | "multi_enum";
  precision: number;
  options: OptionRec[];
}
type FieldValue = string | number | string[] | null;
interface AttachmentRec {
  gid: string;
  name: string;
  task: string;
  size: number;
  createdAt: string;
}
export interface PortfolioRec {
  gid: string;
  name: string;
  workspace: string;
  owner: string;
  public: boolean;
  members: string[];
  color: string;
}
interface StatusRec {
  gid: string;
  project: string;
  title: string;
  text: string;
  statusType: string;
  createdBy: string;
  createdAt: string;
}

export interface World {
  premium: Set<string>;
  sections: Map<string, SectionRec>;
  /** `${task}:${project}` -> section gid */
  taskSection: Map<string, string>;
  tags: Map<string, TagRec>;
  taskTags: Map<string, string[]>;
  fields: Map<string, FieldRec>;
  projectFields: Map<string, string[]>;
  /** Custom field setting gid -> the project and field it joins (gids from the store's sequence). */
  settings: Map<string, { project: string; field: string }>;
  values: Map<string, Map<string, FieldValue>>;
  parent: Map<string, string>;
  /** task -> the tasks it depends on */
  dependencies: Map<string, string[]>;
  htmlNotes: Map<string, string>;
  dueAt: Map<string, string>;
  startAt: Map<string, string>;
  attachments: Map<string, AttachmentRec>;
  statuses: Map<string, StatusRec>;
  portfolios: Map<string, PortfolioRec>;
}

export function seedWorld(seed: FakeWorldSeed | undefined): World {
  const s = seed ?? {};
  const world: World = {
    premium: new Set(s.premiumWorkspaces ?? []),
    sections: new Map((s.sections ?? []).map((x) => [x.gid, { ...x }])),
    taskSection: new Map((s.taskSections ?? []).map((x) => [`${x.task}:${x.project}`, x.section])),
    tags: new Map((s.tags ?? []).map((x) => [x.gid, { ...x, color: x.color ?? null }])),
    taskTags: new Map(),
    fields: new Map(
      (s.customFields ?? []).map((f) => [
        f.gid,
        {
          gid: f.gid,
          name: f.name,
          workspace: f.workspace,
          type: f.type,
          precision: f.precision ?? 0,
          options: (f.options ?? []).map((o) => ({ ...o, color: o.color ?? "none", enabled: true })),
        },
      ]),
    ),
    projectFields: new Map(),
    settings: new Map(),
    values: new Map(),
    parent: new Map((s.subtasks ?? []).map((x) => [x.task, x.parent])),
    dependencies: new Map(),
    htmlNotes: new Map(),
    dueAt: new Map(),
    startAt: new Map(),
    attachments: new Map((s.attachments ?? []).map((a) => [a.gid, { ...a }])),
    statuses: new Map((s.statusUpdates ?? []).map((x) => [x.gid, { ...x }])),
    portfolios: new Map(
      (s.portfolios ?? []).map((x) => [
        x.gid,
        {
          ...x,
          public: x.public ?? false,
          members: [...new Set([x.owner, ...(x.members ?? [])])],
          color: x.color ?? "none",
        },
      ]),
    ),
  };
  for (const { task, tag } of s.taskTags ?? []) push(world.taskTags, task, tag);
  for (const { project, field } of s.projectFields ?? []) push(world.projectFields, project, field);
  for (const { task, dependsOn } of s.dependencies ?? []) push(world.dependencies, task, dependsOn);
  for (const { task, field, value } of s.values ?? []) valuesOf(world, task).set(field, value);
  return world;
}

/** Gives each project's custom fields their settings, with unique gids drawn from `newGid`. */
export function seedFieldSettings(world: World, newGid: () => string): void {
  for (const [project, fields] of world.projectFields) {
    for (const field of fields) world.settings.set(newGid(), { project, field });
  }
}

/** The custom field settings of a project, in the order its fields were added. */
export function projectSettings(store: Store, project: string): Ref[] {
  return [...store.world.settings]
    .filter(([, s]) => s.project === project && store.world.fields.has(s.field))
    .map(([gid]) => new Ref("custom_field_setting", gid));
}

export function worldGids(world: World): string[] {
  const maps = [
    world.sections,
    world.tags,
    world.fields,
    world.attachments,
    world.statuses,
    world.portfolios,
  ];
  const options = [...world.fields.values()].flatMap((f) => f.options.map((o) => o.gid));
  return [...maps.flatMap((m) => [...m.keys()]), ...options];
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

function valuesOf(world: World, task: string): Map<string, FieldValue> {
  let values = world.values.get(task);
  if (values === undefined) {
    values = new Map();
    world.values.set(task, values);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------------------

/** The fields a task has beyond those in fake-asana.ts. */
export function worldTaskFields(store: Store, t: TaskRec): FieldMap {
  const w = store.world;
  return {
    html_notes: () => w.htmlNotes.get(t.gid) ?? textToCommentHtml(t.notes),
    due_at: () => w.dueAt.get(t.gid) ?? null,
    start_at: () => w.startAt.get(t.gid) ?? null,
    memberships: () =>
      t.projects.map((p) => ({
        project: new Ref("project", p),
        section: sectionRef(store, t.gid, p),
      })),
    num_subtasks: () => subtasksOf(store, t.gid).length,
    parent: () => {
      const parent = w.parent.get(t.gid);
      return parent === undefined || !store.tasks.has(parent) ? null : new Ref("task", parent);
    },
    tags: () => (w.taskTags.get(t.gid) ?? []).map((g) => new Ref("tag", g)),
    dependencies: () =>
      (w.dependencies.get(t.gid) ?? []).filter((g) => store.tasks.has(g)).map((g) => new Ref("task", g)),
    dependents: () =>
      [...w.dependencies]
        .filter(([task, on]) => on.includes(t.gid) && store.tasks.has(task))
        .map(([task]) => new Ref("task", task)),
    custom_fields: () => customFieldsOf(store, t),
  };
}

function sectionRef(store: Store, task: string, project: string): Ref | null {
  const section = store.world.taskSection.get(`${task}:${project}`);
  return section === undefined ? null : new Ref("section", section);
}

function subtasksOf(store: Store, parent: string): string[] {
  return [...store.world.parent].filter(([t, p]) => p === parent && store.tasks.has(t)).map(([t]) => t);
}

function fieldsForTask(store: Store, t: TaskRec): FieldRec[] {
  const gids = new Set([...t.projects.flatMap((p) => store.world.projectFields.get(p) ?? [])]);
  for (const gid of store.world.values.get(t.gid)?.keys() ?? []) gids.add(gid);
  return [...gids].map((g) => store.world.fields.get(g)).filter((f): f is FieldRec => f !== undefined);
}

type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

function optionJson(o: OptionRec): { [key: string]: Plain } {
  return { gid: o.gid, resource_type: "enum_option", name: o.name, color: o.color, enabled: o.enabled };
}

function customFieldsOf(store: Store, t: TaskRec): Plain[] {
  const values = store.world.values.get(t.gid);
  return fieldsForTask(store, t).map((f) => {
    const v = values?.get(f.gid) ?? null;
    const out: { [key: string]: Plain } = {
      gid: f.gid,
      resource_type: "custom_field",
      name: f.name,
      type: f.type,
      resource_subtype: f.type,
    };
    if (f.type === "text") {
      out.text_value = typeof v === "string" ? v : null;
      out.display_value = out.text_value;
    } else if (f.type === "number") {
      out.number_value = typeof v === "number" ? v : null;
      out.precision = f.precision;
      out.display_value = typeof v === "number" ? v.toFixed(f.precision) : null;
    } else if (f.type === "enum") {
      const option = f.options.find((o) => o.gid === v);
      out.enum_value = option ? optionJson(option) : null;
      out.enum_options = f.options.map(optionJson);
      out.display_value = option?.name ?? null;
    } else {
      const chosen = f.options.filter((o) => Array.isArray(v) && v.includes(o.gid));
      out.multi_enum_values = chosen.map(optionJson);
      out.enum_options = f.options.map(optionJson);
      out.display_value = chosen.length ? chosen.map((o) => o.name).join(", ") : null;
    }
    return out;
  });
}

export function worldViews(): Record<WorldKind, KindView> {
  return {
    section: {
      resourceType: "section",
      compact: ["name"],
      full: ["name", "created_at", "project", "projects"],
      fields(gid, vc) {
        const s = vc.store.world.sections.get(gid);
        if (s === undefined) return undefined;
        return {
          name: () => s.name,
          created_at: () => s.createdAt ?? "2025-01-01T00:00:00.000Z",
          project: () => new Ref("project", s.project),
          projects: () => [new Ref("project", s.project)],
        };
      },
    },
    tag: {
      resourceType: "tag",
      compact: ["name"],
      full: ["name", "color", "workspace", "followers", "notes", "permalink_url"],
      fields(gid, vc) {
        const t = vc.store.world.tags.get(gid);
        if (t === undefined) return undefined;
        return {
          name: () => t.name,
          color: () => t.color,
          workspace: () => new Ref("workspace", t.workspace),
          followers: () => [],
          notes: () => "",
          permalink_url: () => `https://app.asana.com/0/${t.gid}/list`,
        };
      },
    },
    custom_field: {
      resourceType: "custom_field",
      compact: ["name", "type", "resource_subtype", "enum_options"],
      full: ["name", "type", "resource_subtype", "enum_options", "precision", "is_global_to_workspace"],
      fields(gid, vc) {
        const f = vc.store.world.fields.get(gid);
        if (f === undefined) return undefined;
        return {
          name: () => f.name,
          type: () => f.type,
          resource_subtype: () => f.type,
          enum_options: () => f.options.map(optionJson),
          precision: () => f.precision,
          is_global_to_workspace: () => false,
        };
      },
    },
    custom_field_setting: {
      resourceType: "custom_field_setting",
      compact: ["is_important", "custom_field"],
      full: ["is_important", "custom_field", "parent", "project"],
      fields(gid, vc) {
        const s = vc.store.world.settings.get(gid);
        if (s === undefined) return undefined;
        return {
          is_important: () => true,
          custom_field: () => new Ref("custom_field", s.field),
          parent: () => new Ref("project", s.project),
          project: () => new Ref("project", s.project),
        };
      },
    },
    attachment: {
      resourceType: "attachment",
      compact: ["name", "resource_subtype"],
      full: [
        "name",
        "resource_subtype",
        "created_at",
        "download_url",
        "host",
        "parent",
        "permanent_url",
        "size",
        "view_url",
      ],
      fields(gid, vc) {
        const a = vc.store.world.attachments.get(gid);
        if (a === undefined) return undefined;
        return {
          name: () => a.name,
          resource_subtype: () => "asana",
          created_at: () => a.createdAt,
          // Asana's download URLs are short-lived signed links; this one is as opaque.
          download_url: () =>
            `https://asana-user-private.example/assets/${a.gid}/${encodeURIComponent(a.name)}`,
          host: () => "asana",
          parent: () => new Ref("task", a.task),
          permanent_url: () => `https://app.asana.com/app/asana/-/get_asset?asset_id=${a.gid}`,
          size: () => a.size,
          view_url: () => null,
        };
      },
    },
    portfolio: {
      resourceType: "portfolio",
      compact: ["name"],
      full: ["name", "color", "owner", "members", "public", "workspace", "permalink_url"],
      fields(gid, vc) {
        const p = vc.store.world.portfolios.get(gid);
        if (p === undefined) return undefined;
        return {
          name: () => p.name,
          color: () => p.color,
          owner: () => new Ref("user", p.owner),
          members: () => p.members.map((u) => new Ref("user", u)),
          public: () => p.public,
          workspace: () => new Ref("workspace", p.workspace),
          permalink_url: () => `https://app.asana.com/0/portfolio/${p.gid}/list`,
        };
      },
    },
    status_update: {
      resourceType: "status_update",
      compact: ["title", "resource_subtype"],
      full: [
        "title",
        "resource_subtype",
        "text",
        "html_text",
        "status_type",
        "author",
        "created_at",
        "created_by",
        "modified_at",
        "parent",
      ],
      fields(gid, vc) {
        const s = vc.store.world.statuses.get(gid);
        if (s === undefined) return undefined;
        return {
          title: () => s.title,
          resource_subtype: () => "project_status_update",
          text: () => s.text,
          html_text: () => textToCommentHtml(s.text),
          status_type: () => s.statusType,
          author: () => new Ref("user", s.createdBy),
          created_by: () => new Ref("user", s.createdBy),
          created_at: () => s.createdAt,
          modified_at: () => s.createdAt,
          parent: () => new Ref("project", s.project),
        };
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------------

export function worldRoutes(): Route[] {
  return [
    { method: "GET", path: "/tasks", scope: "tasks:read", handler: getTasks },
    { method: "POST", path: "/tasks", scope: "tasks:write", handler: createTask },
    { method: "PUT", path: "/tasks/:task_gid", scope: "tasks:write", handler: updateTask },
    { method: "DELETE", path: "/tasks/:task_gid", scope: "tasks:delete", handler: deleteTask },
    { method: "GET", path: "/tasks/:task_gid/subtasks", scope: "tasks:read", handler: getSubtasks },
    { method: "POST", path: "/tasks/:task_gid/subtasks", scope: "tasks:write", handler: createSubtask },
    { method: "GET", path: "/projects/:project_gid/tasks", scope: "tasks:read", handler: getProjectTasks },
    { method: "POST", path: "/tasks/:task_gid/setParent", scope: "tasks:write", handler: setParent },
    { method: "POST", path: "/tasks/:task_gid/addProject", scope: "tasks:write", handler: addProject },
    { method: "POST", path: "/tasks/:task_gid/removeProject", scope: "tasks:write", handler: removeProject },
    { method: "POST", path: "/tasks/:task_gid/addTag", scope: "tasks:write", handler: tagEdit(true) },
    { method: "POST", path: "/tasks/:task_gid/removeTag", scope: "tasks:write", handler: tagEdit(false) },
    {
      method: "POST",
      path: "/tasks/:task_gid/addFollowers",
      scope: "tasks:write",
      handler: followerEdit(true),
    },
    {
      method: "POST",
      path: "/tasks/:task_gid/removeFollowers",
      scope: "tasks:write",
      handler: followerEdit(false),
    },
    ...(["dependencies", "dependents"] as const).flatMap((kind): Route[] => [
      {
        method: "POST",
        path: `/tasks/:task_gid/add${capitalize(kind)}`,
        scope: "tasks:write",
        handler: dependencyEdit(kind, true),
      },
      {
        method: "POST",
        path: `/tasks/:task_gid/remove${capitalize(kind)}`,
        scope: "tasks:write",
        handler: dependencyEdit(kind, false),
      },
    ]),
    { method: "GET", path: "/workspaces/:workspace_gid/tasks/search", scope: "tasks:read", handler: search },
    // Asana's spec names no granular scope for sections and status updates (`oauth2: []`): only a
    // token with Full permissions (`default`) reaches them.
    { method: "GET", path: "/projects/:project_gid/sections", scope: "default", handler: getSections },
    {
      method: "POST",
      path: "/projects/:project_gid/sections",
      scope: "default",
      handler: createSection,
    },
    { method: "GET", path: "/sections/:section_gid", scope: "default", handler: getSection },
    { method: "POST", path: "/sections/:section_gid/addTask", scope: "tasks:write", handler: addToSection },
    {
      method: "GET",
      path: "/projects/:project_gid/custom_field_settings",
      scope: "projects:read",
      handler: getFieldSettings,
    },
    {
      method: "GET",
      path: "/workspaces/:workspace_gid/custom_fields",
      scope: "custom_fields:read",
      handler: getWorkspaceFields,
    },
    { method: "GET", path: "/workspaces/:workspace_gid/tags", scope: "tags:read", handler: getTags },
    { method: "GET", path: "/workspaces/:workspace_gid/users", scope: "users:read", handler: getUsers },
    { method: "GET", path: "/users", scope: "users:read", handler: getUsersPaged },
    { method: "GET", path: "/workspaces/:workspace_gid/teams", scope: "teams:read", handler: getTeams },
    { method: "GET", path: "/attachments", scope: "attachments:read", handler: getAttachments },
    {
      method: "GET",
      path: "/attachments/:attachment_gid",
      scope: "attachments:read",
      handler: getAttachment,
    },
    { method: "GET", path: "/status_updates", scope: "default", handler: getStatuses },
    ...typeaheadRoutes(),
    {
      method: "POST",
      path: "/status_updates",
      scope: "default",
      handler: createStatus,
    },
  ];
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function taskOf(ctx: HandlerContext, gid = param(ctx, "task_gid")): TaskRec {
  return ctx.store.requireInWorkspace("task", ctx.store.tasks, gid, ctx.viewer);
}

function projectOf(ctx: HandlerContext, gid: string) {
  return ctx.store.requireInWorkspace("project", ctx.store.projects, gid, ctx.viewer);
}

function sectionOf(ctx: HandlerContext, gid: string): SectionRec {
  const section = ctx.store.world.sections.get(requireGid("section", gid));
  if (section === undefined || ctx.store.lagging(gid))
    throw new ApiError(404, `section: Unknown object: ${gid}`);
  projectOf(ctx, section.project);
  return section;
}

function userGid(ctx: HandlerContext, raw: unknown, field: string): string {
  if (typeof raw !== "string") throw new ApiError(400, `${field}: Not a string`);
  if (raw === "me") return ctx.viewer.gid;
  const user = raw.includes("@")
    ? [...ctx.store.users.values()].find((u) => u.email.toLowerCase() === raw.toLowerCase())
    : ctx.store.users.get(requireGid(field, raw));
  if (user === undefined) throw new ApiError(400, `${field}: Unknown object: ${raw}`);
  return user.gid;
}

function stringList(raw: unknown, field: string): string[] {
  if (typeof raw === "string") return raw.split(",").map((s) => s.trim());
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== "string")) {
    throw new ApiError(400, `${field}: Not an array of strings`);
  }
  return raw as string[];
}

function onlyKeys(body: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new ApiError(400, `${key}: Unknown property`);
  }
}

function getTasks(ctx: HandlerContext): Reply {
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
function completedSince(ctx: HandlerContext, tasks: TaskRec[]): TaskRec[] {
  const since = ctx.query.get("completed_since");
  if (since === null) return tasks;
  const cutoff = since === "now" ? Number.POSITIVE_INFINITY : Date.parse(since);
  if (Number.isNaN(cutoff)) throw new ApiError(400, `completed_since: Not a date: ${since}`);
  return tasks.filter((t) => !t.completed || Date.parse(t.completedAt ?? "") >= cutoff);
}

/** GET /projects/{project_gid}/tasks: the same listing as GET /tasks?project=. */
function getProjectTasks(ctx: HandlerContext): Reply {
  const project = projectOf(ctx, param(ctx, "project_gid"));
  const tasks = [...ctx.store.tasks.values()].filter((t) => t.projects.includes(project.gid));
  return list(
    ctx,
    "task",
    completedSince(ctx, tasks).map((t) => t.gid),
  );
}

/** POST /tasks/{task_gid}/subtasks: a task created with the path's task as its parent. */
function createSubtask(ctx: HandlerContext): Reply {
  const parent = taskOf(ctx);
  if ("parent" in ctx.body)
    throw new ApiError(400, "parent: Cannot write this property here; the path names it");
  return createTask({ ...ctx, body: { ...ctx.body, parent: parent.gid } });
}

const TASK_CREATE_KEYS = [
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
  "projects",
  "memberships",
  "parent",
  "workspace",
  "tags",
  "followers",
  "custom_fields",
];
const TASK_UPDATE_KEYS = [
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

function createTask(ctx: HandlerContext): Reply {
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

function updateTask(ctx: HandlerContext): Reply {
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
function applyTaskFields(ctx: HandlerContext, task: TaskRec, b: Record<string, unknown>): void {
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

function fieldValue(field: FieldRec, value: unknown): FieldValue {
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

function deleteTask(ctx: HandlerContext): Reply {
  const task = taskOf(ctx);
  ctx.store.tasks.delete(task.gid);
  return { status: 200, body: { data: {} } };
}

function getSubtasks(ctx: HandlerContext): Reply {
  const task = taskOf(ctx);
  return list(ctx, "task", subtasksOf(ctx.store, task.gid));
}

function setParent(ctx: HandlerContext): Reply {
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

function addProject(ctx: HandlerContext): Reply {
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

function removeProject(ctx: HandlerContext): Reply {
  const task = taskOf(ctx);
  onlyKeys(ctx.body, ["project"]);
  const project = projectOf(ctx, String(ctx.body.project ?? ""));
  task.projects = task.projects.filter((p) => p !== project.gid);
  ctx.store.world.taskSection.delete(`${task.gid}:${project.gid}`);
  return { status: 200, body: { data: {} } };
}

function addToSection(ctx: HandlerContext): Reply {
  const section = sectionOf(ctx, param(ctx, "section_gid"));
  onlyKeys(ctx.body, ["task", "insert_before", "insert_after"]);
  const task = taskOf(ctx, String(ctx.body.task ?? ""));
  if (!task.projects.includes(section.project)) task.projects.push(section.project);
  ctx.store.world.taskSection.set(`${task.gid}:${section.project}`, section.gid);
  return { status: 200, body: { data: {} } };
}

function tagEdit(add: boolean) {
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

function followerEdit(add: boolean) {
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

function dependencyEdit(kind: "dependencies" | "dependents", add: boolean) {
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
const SEARCH_MAX = 100;

function search(ctx: HandlerContext): Reply {
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

function withoutPaging(ctx: HandlerContext): HandlerContext {
  const query = new URLSearchParams(ctx.query);
  query.delete("limit");
  query.delete("offset");
  return { ...ctx, query };
}

function stripNextPage(reply: Reply): Reply {
  const body = reply.body as { [key: string]: unknown };
  delete body.next_page;
  return reply;
}

function getSections(ctx: HandlerContext): Reply {
  const project = projectOf(ctx, param(ctx, "project_gid"));
  const gids = [...ctx.store.world.sections.values()].filter((s) => s.project === project.gid);
  return list(
    ctx,
    "section",
    gids.map((s) => s.gid),
  );
}

function getSection(ctx: HandlerContext): Reply {
  return one(ctx, "section", sectionOf(ctx, param(ctx, "section_gid")).gid);
}

function createSection(ctx: HandlerContext): Reply {
  const project = projectOf(ctx, param(ctx, "project_gid"));
  onlyKeys(ctx.body, ["name", "insert_before", "insert_after"]);
  const name = ctx.body.name;
  if (typeof name !== "string" || name.trim() === "") throw new ApiError(400, "name: Missing input");
  const gid = ctx.store.newGid();
  ctx.store.world.sections.set(gid, { gid, name, project: project.gid, createdAt: ctx.store.nowIso() });
  ctx.store.markCreated(gid);
  return one(ctx, "section", gid, 201);
}

function getFieldSettings(ctx: HandlerContext): Reply {
  const project = projectOf(ctx, param(ctx, "project_gid"));
  return list(
    ctx,
    "custom_field_setting",
    projectSettings(ctx.store, project.gid).map((r) => r.gid),
  );
}

function getWorkspaceFields(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  const gids = [...ctx.store.world.fields.values()].filter((f) => f.workspace === ws.gid).map((f) => f.gid);
  return list(ctx, "custom_field", gids);
}

function getTags(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  const gids = [...ctx.store.world.tags.values()].filter((t) => t.workspace === ws.gid).map((t) => t.gid);
  return list(ctx, "tag", gids);
}

function getUsers(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  const gids = [...ctx.store.users.values()].filter((u) => u.workspaces.includes(ws.gid)).map((u) => u.gid);
  return list(ctx, "user", gids);
}

/** GET /users?workspace=…: unlike the workspace's users listing, this one pages with limit/offset. */
function getUsersPaged(ctx: HandlerContext): Reply {
  const workspace = ctx.query.get("workspace");
  const visible = (u: { workspaces: string[] }) =>
    workspace === null
      ? u.workspaces.some((w) => ctx.store.sharesWorkspace(ctx.viewer, w))
      : u.workspaces.includes(ctx.store.requireWorkspace(workspace, ctx.viewer).gid);
  const gids = [...ctx.store.users.values()].filter(visible).map((u) => u.gid);
  return list(ctx, "user", gids);
}

function getTeams(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  const gids = [...ctx.store.teams.values()].filter((t) => t.workspace === ws.gid).map((t) => t.gid);
  return list(ctx, "team", gids);
}

function getAttachments(ctx: HandlerContext): Reply {
  const parent = ctx.query.get("parent");
  if (parent === null) throw new ApiError(400, "parent: Missing input");
  const task = taskOf(ctx, parent);
  const gids = [...ctx.store.world.attachments.values()].filter((a) => a.task === task.gid).map((a) => a.gid);
  return list(ctx, "attachment", gids);
}

function getAttachment(ctx: HandlerContext): Reply {
  const gid = requireGid("attachment", param(ctx, "attachment_gid"));
  const a = ctx.store.world.attachments.get(gid);
  if (a === undefined || !ctx.store.tasks.has(a.task)) {
    throw new ApiError(404, `attachment: Unknown object: ${gid}`);
  }
  taskOf(ctx, a.task);
  return one(ctx, "attachment", gid);
}

function getStatuses(ctx: HandlerContext): Reply {
  const parent = ctx.query.get("parent");
  if (parent === null) throw new ApiError(400, "parent: Missing input");
  const project = projectOf(ctx, parent);
  const gids = [...ctx.store.world.statuses.values()]
    .filter((s) => s.project === project.gid)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((s) => s.gid);
  return list(ctx, "status_update", gids);
}

export const STATUS_TYPES = [
  "on_track",
  "at_risk",
  "off_track",
  "on_hold",
  "complete",
  "achieved",
  "partial",
  "missed",
  "dropped",
];

function createStatus(ctx: HandlerContext): Reply {
  const b = ctx.body;
  onlyKeys(b, ["parent", "title", "text", "html_text", "status_type"]);
  const project = projectOf(ctx, String(b.parent ?? ""));
  if (typeof b.status_type !== "string" || !STATUS_TYPES.includes(b.status_type)) {
    throw new ApiError(400, `status_type: Not a valid enum value: ${String(b.status_type)}`);
  }
  if (b.text === undefined && b.html_text === undefined) throw new ApiError(400, "text: Missing input");
  let text = typeof b.text === "string" ? b.text : "";
  if (typeof b.html_text === "string") {
    const parsed = parseCommentHtml(b.html_text);
    if (!parsed.ok) throw new ApiError(400, parsed.message);
    text = htmlToPlainText(parsed.body);
  }
  const gid = ctx.store.newGid();
  ctx.store.world.statuses.set(gid, {
    gid,
    project: project.gid,
    title: typeof b.title === "string" ? b.title : "",
    text,
    statusType: b.status_type,
    createdBy: ctx.viewer.gid,
    createdAt: ctx.store.nowIso(),
  });
  ctx.store.markCreated(gid);
  return one(ctx, "status_update", gid, 201);
}

/** What tests read back: a task's state as the fake holds it. */
export function describeTask(store: Store, gid: string) {
  const t = store.tasks.get(gid);
  if (t === undefined) return undefined;
  const w = store.world;
  return {
    ...structuredClone(t),
    htmlNotes: w.htmlNotes.get(gid) ?? null,
    dueAt: w.dueAt.get(gid) ?? null,
    startAt: w.startAt.get(gid) ?? null,
    parent: w.parent.get(gid) ?? null,
    tags: [...(w.taskTags.get(gid) ?? [])],
    dependencies: [...(w.dependencies.get(gid) ?? [])],
    sections: Object.fromEntries(t.projects.map((p) => [p, w.taskSection.get(`${gid}:${p}`) ?? null])),
    customFields: Object.fromEntries(w.values.get(gid) ?? []),
  };
}

export function sectionsOf(store: Store, project: string): Array<{ gid: string; name: string }> {
  return [...store.world.sections.values()]
    .filter((s) => s.project === project)
    .map((s) => ({ gid: s.gid, name: s.name }));
}

export function statusesOf(store: Store, project: string): StatusRec[] {
  return [...store.world.statuses.values()].filter((s) => s.project === project).map((s) => ({ ...s }));
}

/**
 * Project writes: create (in a workspace or team), update, instantiate from a template (a job), and
 * project members. Everything is validated before anything changes.
 */
import { ApiError, type ProjectRec, type Reply } from "./model.js";
import {
  addMembership,
  DATE_VARIABLES,
  DEFAULT_VIEWS,
  extrasOf,
  isDate,
  membershipsOf,
  nextProjectDates,
  PRIVACY_SETTINGS,
  PROJECT_COLORS,
  removeMembership,
} from "./project-model.js";
import {
  type HandlerContext,
  list,
  one,
  onlyKeys,
  param,
  projectOf,
  stringList,
  userGid,
} from "./routing.js";

const WRITABLE = [
  "name",
  "notes",
  "color",
  "default_view",
  "due_on",
  "start_on",
  "owner",
  "privacy_setting",
  "public",
  "archived",
] as const;

function teamOf(ctx: HandlerContext, gid: string) {
  return ctx.store.requireInWorkspace("team", ctx.store.teams, gid, ctx.viewer);
}

function oneOf(field: string, value: unknown, allowed: readonly (string | null)[]): void {
  if (value !== undefined && !allowed.includes(value as string | null)) {
    throw new ApiError(400, `${field}: Not a valid enum value: ${String(value)}`);
  }
}

/** A user who must be a member of the workspace, as Asana's user fields take them. */
function memberOfWorkspace(ctx: HandlerContext, raw: unknown, field: string, workspace: string): string {
  const gid = userGid(ctx, raw, field);
  if (!ctx.store.users.get(gid)?.workspaces.includes(workspace)) {
    throw new ApiError(400, `${field}: User ${String(raw)} is not a member of the workspace`);
  }
  return gid;
}

/** Checks the writable fields' types and enums; throws before anything changes. */
function checkFields(b: Record<string, unknown>, isOrganization: boolean): void {
  if ("name" in b && (typeof b.name !== "string" || b.name.trim() === "")) {
    throw new ApiError(400, "name: Missing input");
  }
  for (const key of ["notes"] as const) {
    if (key in b && typeof b[key] !== "string") throw new ApiError(400, `${key}: Not a string`);
  }
  for (const key of ["archived", "public"] as const) {
    if (key in b && typeof b[key] !== "boolean") throw new ApiError(400, `${key}: Not a boolean`);
  }
  oneOf("color", b.color, [...PROJECT_COLORS, null]);
  oneOf("default_view", b.default_view, DEFAULT_VIEWS);
  oneOf("privacy_setting", b.privacy_setting, PRIVACY_SETTINGS);
  if (b.privacy_setting === "private_to_team" && !isOrganization) {
    throw new ApiError(400, "privacy_setting: private_to_team is only available in organizations");
  }
}

function apply(ctx: HandlerContext, project: ProjectRec, b: Record<string, unknown>): void {
  const x = extrasOf(ctx.store, project);
  if (typeof b.name === "string") project.name = b.name;
  if (typeof b.notes === "string") project.notes = b.notes;
  if (b.color !== undefined) project.color = b.color as string | null;
  if (typeof b.archived === "boolean") project.archived = b.archived;
  if (typeof b.default_view === "string") x.defaultView = b.default_view;
  if (typeof b.privacy_setting === "string") x.privacy = b.privacy_setting;
  else if (typeof b.public === "boolean") x.privacy = b.public ? "public_to_workspace" : "private";
  project.modifiedAt = ctx.store.nowIso();
}

function dates(current: { startOn: string | null; dueOn: string | null }, b: Record<string, unknown>) {
  const next = nextProjectDates(current, b);
  if ("error" in next) throw new ApiError(400, next.error);
  return next;
}

/** POST /projects, /workspaces/{gid}/projects and /teams/{gid}/projects. */
export function createProjectIn(where: "body" | "workspace" | "team") {
  return (ctx: HandlerContext): Reply => {
    const b = ctx.body;
    onlyKeys(b, [...WRITABLE, "followers", ...(where === "body" ? ["workspace", "team"] : [])]);
    let workspaceGid: string | undefined;
    let teamGid: string | null = null;
    if (where === "team") {
      const team = teamOf(ctx, param(ctx, "team_gid"));
      teamGid = team.gid;
      workspaceGid = team.workspace;
    } else {
      const raw = where === "workspace" ? param(ctx, "workspace_gid") : b.workspace;
      if (where === "body" && raw === undefined && typeof b.team === "string") {
        workspaceGid = teamOf(ctx, b.team).workspace;
      } else {
        if (typeof raw !== "string") throw new ApiError(400, "workspace: Missing input");
        workspaceGid = raw;
      }
      if (typeof b.team === "string") {
        const team = teamOf(ctx, b.team);
        if (team.workspace !== workspaceGid) throw new ApiError(400, "team: Not in the given workspace");
        teamGid = team.gid;
      }
    }
    const workspace = ctx.store.requireWorkspace(workspaceGid, ctx.viewer);
    // The spec: "If the workspace for your project is an organization, you must also supply a team".
    if (workspace.isOrganization && teamGid === null)
      throw new ApiError(400, "Missing required `team` field");
    if (!workspace.isOrganization && teamGid !== null) {
      throw new ApiError(400, "team: Teams are only available in organizations");
    }
    checkFields(b, workspace.isOrganization);
    if (typeof b.name !== "string") throw new ApiError(400, "name: Missing input");
    const next = dates({ startOn: null, dueOn: null }, b);
    const owner =
      b.owner === undefined
        ? ctx.viewer.gid
        : b.owner === null
          ? null
          : memberOfWorkspace(ctx, b.owner, "owner", workspace.gid);
    const followers =
      b.followers === undefined
        ? []
        : stringList(b.followers, "followers").map((f) =>
            memberOfWorkspace(ctx, f, "followers", workspace.gid),
          );
    const project = makeProject(ctx, { name: b.name, workspace: workspace.gid, team: teamGid, owner });
    addSection(ctx, project.gid, "Untitled section");
    apply(ctx, project, b);
    const x = extrasOf(ctx.store, project);
    x.startOn = next.startOn;
    x.dueOn = next.dueOn;
    for (const f of followers) {
      if (!x.followers.includes(f)) x.followers.push(f);
      addMembership(ctx.store, project.gid, f);
    }
    return one(ctx, "project", project.gid, 201);
  };
}

/** A new project with its owner as member and one "Untitled section", as Asana makes them. */
export function makeProject(
  ctx: HandlerContext,
  p: { name: string; workspace: string; team: string | null; owner: string | null },
): ProjectRec {
  const gid = ctx.store.newGid();
  const now = ctx.store.nowIso();
  const project: ProjectRec = {
    gid,
    ...p,
    archived: false,
    color: null,
    notes: "",
    createdAt: now,
    modifiedAt: now,
  };
  ctx.store.projects.set(gid, project);
  ctx.store.markCreated(gid);
  ctx.store.projectWorld.membersSeeded.add(gid);
  if (p.owner !== null) addMembership(ctx.store, gid, p.owner, "admin");
  extrasOf(ctx.store, project);
  return project;
}

export function addSection(ctx: HandlerContext, project: string, name: string): void {
  const gid = ctx.store.newGid();
  ctx.store.world.sections.set(gid, { gid, name, project, createdAt: ctx.store.nowIso() });
  ctx.store.markCreated(gid);
}

export function updateProject(ctx: HandlerContext): Reply {
  const project = projectOf(ctx, param(ctx, "project_gid"));
  const b = ctx.body;
  onlyKeys(b, [...WRITABLE]);
  const workspace = ctx.store.requireWorkspace(project.workspace, ctx.viewer);
  checkFields(b, workspace.isOrganization);
  const x = extrasOf(ctx.store, project);
  const next = dates(x, b);
  const owner =
    b.owner === undefined || b.owner === null
      ? b.owner
      : memberOfWorkspace(ctx, b.owner, "owner", workspace.gid);
  apply(ctx, project, b);
  x.startOn = next.startOn;
  x.dueOn = next.dueOn;
  if (owner !== undefined) {
    project.owner = owner;
    if (owner !== null) addMembership(ctx.store, project.gid, owner, "admin");
  }
  return one(ctx, "project", project.gid);
}

// --- templates and jobs ------------------------------------------------------------------------------

function templateOf(ctx: HandlerContext, gid: string) {
  const t = ctx.store.projectWorld.templates.get(gid);
  if (t === undefined || !/^\d+$/.test(gid))
    throw new ApiError(404, `project_template: Unknown object: ${gid}`);
  teamOf(ctx, t.team);
  return t;
}

export function getTemplates(ctx: HandlerContext): Reply {
  const workspace = ctx.query.get("workspace");
  const team = ctx.query.get("team");
  if (workspace !== null) ctx.store.requireWorkspace(workspace, ctx.viewer);
  if (team !== null) teamOf(ctx, team);
  const gids = [...ctx.store.projectWorld.templates.values()]
    .filter((t) => {
      const teamRec = ctx.store.teams.get(t.team);
      return (
        teamRec !== undefined &&
        ctx.viewer.workspaces.includes(teamRec.workspace) &&
        (workspace === null || teamRec.workspace === workspace) &&
        (team === null || t.team === team)
      );
    })
    .map((t) => t.gid);
  return list(ctx, "project_template", gids);
}

export function getTemplate(ctx: HandlerContext): Reply {
  return one(ctx, "project_template", templateOf(ctx, param(ctx, "project_template_gid")).gid);
}

export function instantiateProject(ctx: HandlerContext): Reply {
  const template = templateOf(ctx, param(ctx, "project_template_gid"));
  const b = ctx.body;
  onlyKeys(b, [
    "name",
    "team",
    "public",
    "privacy_setting",
    "is_strict",
    "requested_dates",
    "requested_roles",
  ]);
  if (typeof b.name !== "string" || b.name.trim() === "") throw new ApiError(400, "name: Missing input");
  const templateTeam = teamOf(ctx, template.team);
  const team = typeof b.team === "string" ? teamOf(ctx, b.team) : templateTeam;
  if (team.workspace !== templateTeam.workspace) {
    throw new ApiError(400, "team: Not in the project template's workspace");
  }
  oneOf("privacy_setting", b.privacy_setting, PRIVACY_SETTINGS);
  if (b.is_strict !== undefined && typeof b.is_strict !== "boolean") {
    throw new ApiError(400, "is_strict: Not a boolean");
  }
  const given = new Map<string, string | null>();
  if (b.requested_dates !== undefined) {
    if (!Array.isArray(b.requested_dates)) throw new ApiError(400, "requested_dates: Not an array");
    for (const d of b.requested_dates as unknown[]) {
      const { gid, value } = (d ?? {}) as { gid?: unknown; value?: unknown };
      if (typeof gid !== "string" || !template.requestedDates.includes(gid as "1" | "2")) {
        throw new ApiError(400, `requested_dates: Unknown date variable: ${String(gid)}`);
      }
      if (value !== null && !isDate(value)) {
        throw new ApiError(400, `requested_dates: Not a valid date; use YYYY-MM-DD: ${String(value)}`);
      }
      given.set(gid, value as string | null);
    }
  }
  const missing = template.requestedDates.filter((d) => !given.has(d));
  // The spec's is_strict: "returns an 'Unprocessable Entity' error if you fail to provide a calendar
  // date value for any date variable"; otherwise each gets a default (today for the start).
  if (b.is_strict === true && missing.length > 0) {
    throw new ApiError(
      422,
      `requested_dates: Missing a value for ${missing.map((d) => DATE_VARIABLES[d].name).join(", ")}`,
    );
  }
  if (Array.isArray(b.requested_roles) && b.requested_roles.length > 0) {
    throw new ApiError(400, "requested_roles: The project template has no such role");
  }
  const today = ctx.store.nowIso().slice(0, 10);
  const startOn = given.get("1") ?? (template.requestedDates.includes("1") ? today : null);
  const dueOn = given.get("2") ?? null;
  if (startOn !== null && (dueOn === null || startOn >= dueOn)) {
    throw new ApiError(400, "requested_dates: The start date must be before the due date");
  }
  const project = makeProject(ctx, {
    name: b.name,
    workspace: team.workspace,
    team: team.gid,
    owner: ctx.viewer.gid,
  });
  const x = extrasOf(ctx.store, project);
  x.template = template.gid;
  x.startOn = startOn;
  x.dueOn = dueOn;
  if (typeof b.privacy_setting === "string") x.privacy = b.privacy_setting;
  else if (typeof b.public === "boolean") x.privacy = b.public ? "public_to_workspace" : "private";
  project.notes = template.description;
  for (const name of template.sections.length > 0 ? template.sections : ["Untitled section"]) {
    addSection(ctx, project.gid, name);
  }
  const job = ctx.store.newGid();
  ctx.store.projectWorld.jobs.set(job, {
    gid: job,
    project: project.gid,
    createdBy: ctx.viewer.gid,
    doneAt: Date.now() + template.instantiateMs,
    fails: template.fails,
  });
  return one(ctx, "job", job, 201);
}

export function getJob(ctx: HandlerContext): Reply {
  const gid = param(ctx, "job_gid");
  const job = ctx.store.projectWorld.jobs.get(gid);
  // The spec's Jobs tag: "Only the creator of the duplication process can access the duplication status".
  if (job === undefined || job.createdBy !== ctx.viewer.gid)
    throw new ApiError(404, `job: Unknown object: ${gid}`);
  return one(ctx, "job", gid);
}

// --- members -----------------------------------------------------------------------------------------

export function editMembers(add: boolean) {
  return (ctx: HandlerContext): Reply => {
    const project = projectOf(ctx, param(ctx, "project_gid"));
    onlyKeys(ctx.body, ["members"]);
    if (ctx.body.members === undefined) throw new ApiError(400, "members: Missing input");
    const users = stringList(ctx.body.members, "members").map((m) =>
      memberOfWorkspace(ctx, m, "members", project.workspace),
    );
    if (users.length === 0) throw new ApiError(400, "members: Missing input");
    membershipsOf(ctx.store, project);
    const x = extrasOf(ctx.store, project);
    for (const user of users) {
      if (add) addMembership(ctx.store, project.gid, user);
      else {
        removeMembership(ctx.store, project.gid, user);
        x.followers = x.followers.filter((f) => f !== user);
      }
    }
    return one(ctx, "project", project.gid);
  };
}

export function getMemberships(ctx: HandlerContext): Reply {
  const parent = ctx.query.get("parent");
  if (parent === null) throw new ApiError(400, "parent: Missing input");
  // The sandbox models project memberships only.
  const project = projectOf(ctx, parent);
  const member = ctx.query.get("member");
  const who = member === null ? null : userGid(ctx, member, "member");
  const gids = membershipsOf(ctx.store, project)
    .filter((m) => who === null || m.user === who)
    .map((m) => m.gid);
  return list(ctx, "membership", gids);
}

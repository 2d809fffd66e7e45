/** The sandbox's mutable state, its gids and clock, and the lookups that answer 404/403 like Asana. */
import { textToCommentHtml } from "./html-text.js";
import {
  ApiError,
  type FakeData,
  type FakeTokenSeed,
  type FieldMap,
  type ProjectRec,
  type StoryRecord,
  type TaskRec,
  type TeamRec,
  type UserRec,
  type WorkspaceRec,
  type World,
} from "./model.js";
import { projectWorldGids, seedProjectWorld } from "./project-model.js";
import type { ProjectWorld } from "./project-types.js";
import { seedFieldSettings, seedWorld, worldGids } from "./world.js";

export interface ViewContext {
  store: Store;
  viewer: UserRec;
}

export interface KindView {
  resourceType: string;
  compact: readonly string[];
  full: readonly string[];
  fields(gid: string, vc: ViewContext): FieldMap | undefined;
}

export const SEED_TIME = "2025-01-01T00:00:00.000Z";

export const GID_RE = /^\d+$/;

export class Store {
  readonly users = new Map<string, UserRec>();
  readonly workspaces = new Map<string, WorkspaceRec>();
  readonly teams = new Map<string, TeamRec>();
  readonly projects = new Map<string, ProjectRec>();
  readonly tasks = new Map<string, TaskRec>();
  readonly stories = new Map<string, StoryRecord>();
  readonly storiesByTask = new Map<string, StoryRecord[]>();
  readonly tokens = new Map<string, FakeTokenSeed>();
  readonly world: World;
  /** Project dates, memberships, templates and jobs (project-model.ts). */
  readonly projectWorld: ProjectWorld;
  private nextGid = 1n;
  /** How far the sandbox's clock runs ahead of this machine's (negative: behind); see setClockOffset. */
  clockOffsetMs = 0;
  /** How long an object created through the API stays out of reads; see setReadLag. */
  readLagMs = 0;
  /** True while a GET is being answered: only reads see the eventual consistency. */
  reading = false;
  /** gid -> this machine's Date.now() when the API created it. */
  private readonly createdByApi = new Map<string, number>();

  constructor(data: FakeData) {
    for (const w of data.workspaces) {
      this.workspaces.set(w.gid, {
        gid: w.gid,
        name: w.name,
        isOrganization: w.isOrganization ?? true,
        emailDomains: [...(w.emailDomains ?? [])],
      });
    }
    for (const u of data.users) {
      for (const w of u.workspaces) this.check("workspace", w, `user ${u.gid}`);
      this.users.set(u.gid, {
        gid: u.gid,
        name: u.name,
        email: u.email,
        kind: u.kind ?? "person",
        workspaces: [...u.workspaces],
        photo: u.photo ? { ...u.photo } : null,
      });
    }
    for (const t of data.teams ?? []) {
      this.check("workspace", t.workspace, `team ${t.gid}`);
      this.teams.set(t.gid, { description: "", ...t });
    }
    for (const p of data.projects ?? []) {
      this.check("workspace", p.workspace, `project ${p.gid}`);
      if (p.team) this.check("team", p.team, `project ${p.gid}`);
      this.projects.set(p.gid, {
        gid: p.gid,
        name: p.name,
        workspace: p.workspace,
        team: p.team ?? null,
        archived: p.archived ?? false,
        color: p.color ?? null,
        owner: p.owner ?? null,
        notes: p.notes ?? "",
        createdAt: p.createdAt ?? SEED_TIME,
        modifiedAt: p.modifiedAt ?? p.createdAt ?? SEED_TIME,
      });
    }
    for (const t of data.tasks ?? []) {
      this.check("workspace", t.workspace, `task ${t.gid}`);
      for (const p of t.projects ?? []) this.check("project", p, `task ${t.gid}`);
      const completed = t.completed ?? false;
      this.tasks.set(t.gid, {
        gid: t.gid,
        name: t.name,
        workspace: t.workspace,
        projects: [...(t.projects ?? [])],
        assignee: t.assignee ?? null,
        completed,
        completedAt: t.completedAt ?? (completed ? (t.modifiedAt ?? SEED_TIME) : null),
        notes: t.notes ?? "",
        createdAt: t.createdAt ?? SEED_TIME,
        modifiedAt: t.modifiedAt ?? t.createdAt ?? SEED_TIME,
        createdBy: t.createdBy ?? null,
        dueOn: t.dueOn ?? null,
        startOn: t.startOn ?? null,
        followers: [...(t.followers ?? [])],
        resourceSubtype: t.resourceSubtype ?? "default_task",
      });
    }
    const stories = [...(data.stories ?? [])].sort((a, b) =>
      (a.createdAt ?? SEED_TIME).localeCompare(b.createdAt ?? SEED_TIME),
    );
    for (const s of stories) {
      const task = this.tasks.get(s.task);
      const author = this.users.get(s.createdBy);
      if (task === undefined)
        throw new Error(`FakeAsana data: story ${s.gid} refers to unknown task ${s.task}`);
      if (author === undefined)
        throw new Error(`FakeAsana data: story ${s.gid} refers to unknown user ${s.createdBy}`);
      const type = s.type ?? "comment";
      this.addStory({
        gid: s.gid,
        resource_type: "story",
        created_at: s.createdAt ?? SEED_TIME,
        created_by: compactUser(author),
        resource_subtype: s.resourceSubtype ?? (type === "comment" ? "comment_added" : "system"),
        type,
        text: s.text,
        html_text: s.htmlText ?? textToCommentHtml(s.text),
        is_pinned: s.isPinned ?? false,
        sticker_name: s.stickerName ?? null,
        source: s.source ?? "web",
        target: compactTask(task),
      });
    }
    for (const t of data.tokens) this.addToken(t);
    this.world = seedWorld(data.world);
    this.projectWorld = seedProjectWorld(data.projectTemplates);
    const allGids = [this.users, this.workspaces, this.teams, this.projects, this.tasks, this.stories]
      .flatMap((m) => [...m.keys()])
      .concat(worldGids(this.world))
      .concat(projectWorldGids(this.projectWorld));
    for (const gid of allGids) {
      if (GID_RE.test(gid) && BigInt(gid) >= this.nextGid) this.nextGid = BigInt(gid) + 1n;
    }
    seedFieldSettings(this.world, () => this.newGid());
  }

  private check(kind: "workspace" | "team" | "project" | "task", gid: string, owner: string): void {
    const maps = { workspace: this.workspaces, team: this.teams, project: this.projects, task: this.tasks };
    if (!maps[kind].has(gid)) throw new Error(`FakeAsana data: ${owner} refers to unknown ${kind} ${gid}`);
  }

  addToken(seed: FakeTokenSeed): void {
    if (!this.users.has(seed.userGid))
      throw new Error(`FakeAsana data: token for unknown user ${seed.userGid}`);
    this.tokens.set(seed.token, {
      ...seed,
      oauthScopes: seed.oauthScopes ? [...seed.oauthScopes] : undefined,
    });
  }

  /** The sandbox's clock: what it stamps on created_at/modified_at and sends as the Date header. */
  now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  nowIso(): string {
    return this.now().toISOString();
  }

  /** Records that `gid` was just created through the API, for the read lag. */
  markCreated(gid: string): void {
    this.createdByApi.set(gid, Date.now());
  }

  /**
   * Whether a read must behave as if `gid` did not exist yet: Asana is eventually consistent, so an
   * object created through the API is missing from listings and GETs for a while.
   */
  lagging(gid: string): boolean {
    if (!this.reading || this.readLagMs <= 0) return false;
    const created = this.createdByApi.get(gid);
    return created !== undefined && Date.now() - created < this.readLagMs;
  }

  newGid(): string {
    const gid = this.nextGid;
    this.nextGid += 1n;
    return gid.toString();
  }

  addStory(story: StoryRecord): void {
    this.stories.set(story.gid, story);
    const list = this.storiesByTask.get(story.target.gid);
    if (list) list.push(story);
    else this.storiesByTask.set(story.target.gid, [story]);
  }

  sharesWorkspace(viewer: UserRec, workspace: string): boolean {
    return viewer.workspaces.includes(workspace);
  }

  /** Unknown -> 404; exists but the viewer is in none of its workspaces -> 403 (the spec's "Forbidden"). */
  requireInWorkspace<T extends { workspace: string }>(
    kind: string,
    map: Map<string, T>,
    gid: string,
    viewer: UserRec,
  ): T {
    const rec = map.get(requireGid(kind, gid));
    if (rec === undefined || this.lagging(gid)) throw new ApiError(404, `${kind}: Unknown object: ${gid}`);
    if (!this.sharesWorkspace(viewer, rec.workspace)) throw new ApiError(403, "Forbidden");
    return rec;
  }

  requireWorkspace(gid: string, viewer: UserRec): WorkspaceRec {
    const ws = this.workspaces.get(requireGid("workspace", gid));
    if (ws === undefined) throw new ApiError(404, `workspace: Unknown object: ${gid}`);
    if (!this.sharesWorkspace(viewer, ws.gid)) throw new ApiError(403, "Forbidden");
    return ws;
  }
}

export function compactUser(u: UserRec): StoryRecord["created_by"] {
  return { gid: u.gid, resource_type: "user", name: u.name };
}

export function compactTask(t: TaskRec): StoryRecord["target"] {
  return { gid: t.gid, resource_type: "task", name: t.name };
}

export function requireGid(kind: string, value: string): string {
  if (!GID_RE.test(value)) throw new ApiError(400, `${kind}: Not a recognized ID: ${value}`);
  return value;
}

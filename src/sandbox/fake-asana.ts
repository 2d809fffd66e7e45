/**
 * A small, stateful imitation of the Asana REST API (https://app.asana.com/api/1.0).
 *
 * It backs the `asana-mcp sandbox` mode (in-process, so it must never write to stdout) and every test.
 * Shapes, envelopes, pagination and error bodies follow Asana's OpenAPI spec; where the spec says
 * nothing (exact error wording, 403 vs 404), the choice is documented next to the code.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import type { AddressInfo } from "node:net";
import { demoData, mulberry32 } from "./demo-data.js";
import {
  describeTask,
  type FakeWorldSeed,
  projectSettings,
  sectionsOf,
  seedFieldSettings,
  seedWorld,
  statusesOf,
  type World,
  type WorldKind,
  worldGids,
  worldRoutes,
  worldTaskFields,
  worldViews,
} from "./fake-tasks.js";
import {
  getAttr,
  type HtmlElement,
  htmlToPlainText,
  parseCommentHtml,
  serializeHtml,
  setAttr,
  textToCommentHtml,
  walkElements,
} from "./html-text.js";
import { OAuthProvider } from "./oauth-provider.js";

// ---------------------------------------------------------------------------------------------------------
// Data model (seeds are what tests and demo data provide; records are the normalised, mutable state)
// ---------------------------------------------------------------------------------------------------------

export type UserKind = "person" | "bot" | "service_account";
export type TokenKind = "pat" | "bot" | "service_account" | "oauth";
export type PhotoSize =
  | "image_21x21"
  | "image_27x27"
  | "image_36x36"
  | "image_60x60"
  | "image_128x128"
  | "image_1024x1024";
export type FakePhoto = Record<PhotoSize, string>;
export type StorySource = "web" | "email" | "mobile" | "api" | "unknown";

export interface FakeUserSeed {
  gid: string;
  name: string;
  email: string;
  /** Informational only: the Asana API exposes no such marker. */
  kind?: UserKind;
  /** gids of the workspaces this user is a member of. */
  workspaces: string[];
  photo?: FakePhoto | null;
}

export interface FakeWorkspaceSeed {
  gid: string;
  name: string;
  isOrganization?: boolean;
  emailDomains?: string[];
}

export interface FakeTeamSeed {
  gid: string;
  name: string;
  workspace: string;
  description?: string;
}

export interface FakeProjectSeed {
  gid: string;
  name: string;
  workspace: string;
  team?: string | null;
  archived?: boolean;
  color?: string | null;
  owner?: string | null;
  notes?: string;
  createdAt?: string;
  modifiedAt?: string;
}

export interface FakeTaskSeed {
  gid: string;
  name: string;
  workspace: string;
  projects?: string[];
  assignee?: string | null;
  completed?: boolean;
  completedAt?: string | null;
  notes?: string;
  createdAt?: string;
  modifiedAt?: string;
  createdBy?: string | null;
  dueOn?: string | null;
  startOn?: string | null;
  followers?: string[];
  /** Default "default_task". */
  resourceSubtype?: string;
}

/**
 * A story as the fake stores it, seeded or created at runtime, in Asana's own (snake_case) shape so that
 * tests can compare it with what a client saw. `created_by` and `target` are compact snapshots.
 */
export interface StoryRecord {
  gid: string;
  resource_type: "story";
  created_at: string;
  created_by: { gid: string; resource_type: "user"; name: string };
  resource_subtype: string;
  type: "comment" | "system";
  text: string;
  html_text: string;
  is_pinned: boolean;
  sticker_name: string | null;
  source: StorySource;
  target: { gid: string; resource_type: "task"; name: string };
}

/** A convenient way to write a story in test data; stored as a StoryRecord. */
export interface FakeStorySeed {
  gid: string;
  /** gid of the task the story is on. */
  task: string;
  /** gid of the author. */
  createdBy: string;
  text: string;
  /** Defaults to `<body>{escaped text}</body>`. */
  htmlText?: string;
  createdAt?: string;
  /** Default "comment". */
  type?: "comment" | "system";
  /** Default "comment_added" for comments, "system" otherwise. */
  resourceSubtype?: string;
  isPinned?: boolean;
  stickerName?: string | null;
  /** Default "web". */
  source?: StorySource;
}

export interface FakeTokenSeed {
  /** Opaque bearer token. */
  token: string;
  /** gid of the user the token authenticates as. */
  userGid: string;
  kind?: TokenKind;
  /**
   * OAuth scopes granted to the token. Absent for PAT-like tokens (which can do everything the user can).
   * When present without `default`, each endpoint's granular scope is enforced.
   */
  oauthScopes?: string[];
  /** Epoch ms after which the token is rejected as expired (OAuth access tokens). */
  expiresAt?: number;
}

export interface FakeData {
  users: FakeUserSeed[];
  workspaces: FakeWorkspaceSeed[];
  teams?: FakeTeamSeed[];
  projects?: FakeProjectSeed[];
  tasks?: FakeTaskSeed[];
  stories?: FakeStorySeed[];
  tokens: FakeTokenSeed[];
  /** Sections, tags, custom fields, subtasks, dependencies, attachments, status updates (fake-tasks.ts). */
  world?: FakeWorldSeed;
}

export interface UserRec {
  gid: string;
  name: string;
  email: string;
  kind: UserKind;
  workspaces: string[];
  photo: FakePhoto | null;
}
interface WorkspaceRec {
  gid: string;
  name: string;
  isOrganization: boolean;
  emailDomains: string[];
}
interface TeamRec {
  gid: string;
  name: string;
  workspace: string;
  description: string;
}
interface ProjectRec {
  gid: string;
  name: string;
  workspace: string;
  team: string | null;
  archived: boolean;
  color: string | null;
  owner: string | null;
  notes: string;
  createdAt: string;
  modifiedAt: string;
}
export interface TaskRec {
  gid: string;
  name: string;
  workspace: string;
  projects: string[];
  assignee: string | null;
  completed: boolean;
  completedAt: string | null;
  notes: string;
  createdAt: string;
  modifiedAt: string;
  createdBy: string | null;
  dueOn: string | null;
  startOn: string | null;
  followers: string[];
  resourceSubtype: string;
}

// ---------------------------------------------------------------------------------------------------------
// Faults and recording
// ---------------------------------------------------------------------------------------------------------

export type FaultMatch = {
  method?: string;
  /** Matched against the pathname without the /api/1.0 prefix, e.g. "/tasks/1/stories". */
  path?: string | RegExp;
  /** How many matching requests this fault applies to; default 1. `Infinity` is allowed. */
  times?: number;
};

export type Fault = FaultMatch &
  (
    | { type: "status"; status: number; body?: unknown; headers?: Record<string, string> }
    | { type: "reset-before" }
    | { type: "reset-after" }
    /** The answer's status, headers and first half of its body, then the connection drops. */
    | { type: "cut-body" }
    | { type: "delay"; ms: number }
    | { type: "bad-json" }
    | { type: "html"; status: number }
  );

export interface RecordedRequest {
  /** Same value as the response's X-Request-Id header. */
  id: string;
  method: string;
  /** Pathname without the /api/1.0 prefix (non-API paths are kept whole). */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, the raw text when it was not JSON, or null when there was none. */
  body: unknown;
  /** Whose token was used; null if none, unknown, revoked or expired. */
  userGid: string | null;
  /** Status answered; 0 while a delayed answer is pending, or if none was delivered (reset, client gone). */
  status: number;
  receivedAt: number;
}

export interface InFlightCounts {
  read: number;
  write: number;
}

// ---------------------------------------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------------------------------------

export const API_PREFIX = "/api/1.0";
export const REQUEST_ID_HEADER = "X-Request-Id";
export const ERROR_HELP =
  "For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors";
export const RATE_LIMIT_MESSAGE =
  "You've made too many requests and hit a rate limit. Please retry after the given amount of time.";

const MAX_BODY_BYTES = 1024 * 1024;
const UNPAGINATED_CAP = 1000;
const JSON_TYPE = "application/json; charset=utf-8";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Reply {
  status: number;
  body: Json;
  headers?: Record<string, string>;
}

/** Thrown by handlers to answer with an Asana-style error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function errorReply(status: number, message: string, phrase?: string): Reply {
  const error: Record<string, Json> = { message, help: ERROR_HELP };
  if (phrase !== undefined) error.phrase = phrase;
  return { status, body: { errors: [error] } };
}

const DEFAULT_STATUS_MESSAGES: Record<number, string> = {
  400: "Bad Request",
  401: "Not Authorized",
  402: "This feature is not available on your current premium level.",
  403: "Forbidden",
  404: "Not Found",
  429: RATE_LIMIT_MESSAGE,
  500: "Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1] ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Field selection (opt_fields) and rendering
// ---------------------------------------------------------------------------------------------------------

type Kind = "user" | "workspace" | "team" | "project" | "task" | "story" | WorldKind;

/** A reference to another resource inside a field value; rendered compact or per the requested sub-fields. */
export class Ref {
  constructor(
    readonly kind: Kind,
    readonly gid: string,
  ) {}
}

export type FieldValue =
  | null
  | boolean
  | number
  | string
  | Ref
  | FieldValue[]
  | { [key: string]: FieldValue };
export type FieldMap = Record<string, () => FieldValue>;
/** Parsed opt_fields: each requested name maps to its requested sub-fields (empty when none). */
export type FieldTree = Map<string, FieldTree>;

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

export function parseOptFields(raw: string | null): FieldTree | null {
  if (raw === null) return null;
  const tree: FieldTree = new Map();
  for (const path of raw.split(",")) {
    let node = tree;
    for (const part of path.trim().split(".")) {
      if (part === "") break;
      let next = node.get(part);
      if (next === undefined) {
        next = new Map();
        node.set(part, next);
      }
      node = next;
    }
  }
  return tree;
}

function renderObject(
  ref: Ref,
  names: Iterable<string>,
  subtree: (name: string) => FieldTree | null,
  vc: ViewContext,
): { [key: string]: Json } {
  const view = VIEWS[ref.kind];
  const out: { [key: string]: Json } = { gid: ref.gid, resource_type: view.resourceType };
  const fields = view.fields(ref.gid, vc);
  if (fields === undefined) return out;
  for (const name of names) {
    if (name === "gid" || name === "resource_type") continue;
    const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (field !== undefined) out[name] = renderValue(field(), subtree(name), vc);
  }
  return out;
}

/** `tree === null` means "default shape"; an empty tree means "the field itself, no sub-fields". */
function renderValue(value: FieldValue, tree: FieldTree | null, vc: ViewContext): Json {
  if (value instanceof Ref) {
    // Asana answers `opt_fields=assignee` with only the id; sub-fields must be asked for explicitly.
    if (tree === null) return renderObject(value, VIEWS[value.kind].compact, () => null, vc);
    return renderObject(value, tree.keys(), (n) => tree.get(n) ?? new Map(), vc);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, tree, vc));
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: Json } = {};
    const all = tree === null || tree.size === 0;
    // A nested resource (an enum option, say) keeps its gid and resource_type whatever is asked, as in Asana.
    const keys = all ? Object.keys(value) : ["gid", "resource_type", ...tree.keys()];
    for (const key of new Set(keys)) {
      const v = value[key];
      if (v !== undefined) out[key] = renderValue(v, all ? null : (tree.get(key) ?? null), vc);
    }
    return out;
  }
  return value;
}

function renderResource(
  kind: Kind,
  gid: string,
  vc: ViewContext,
  fields: FieldTree | null,
  shape: "compact" | "full",
): Json {
  const ref = new Ref(kind, gid);
  if (fields === null) return renderObject(ref, VIEWS[kind][shape], () => null, vc);
  return renderObject(ref, fields.keys(), (n) => fields.get(n) ?? new Map(), vc);
}

const ref = (kind: Kind, gid: string | null): Ref | null => (gid === null ? null : new Ref(kind, gid));
const permalink = (workspace: string, type: string, gid: string) =>
  `https://app.asana.com/1/${workspace}/${type}/${gid}`;

const VIEWS: Record<Kind, KindView> = {
  user: {
    resourceType: "user",
    compact: ["name"],
    full: ["name", "email", "photo", "workspaces"],
    fields(gid, vc) {
      const u = vc.store.users.get(gid);
      if (u === undefined) return undefined;
      return {
        name: () => u.name,
        email: () => u.email,
        photo: () => (u.photo === null ? null : { ...u.photo }),
        // "The API will only return workspaces and organizations that also contain the authenticated user."
        workspaces: () =>
          u.workspaces.filter((w) => vc.viewer.workspaces.includes(w)).map((w) => new Ref("workspace", w)),
      };
    },
  },
  workspace: {
    resourceType: "workspace",
    compact: ["name"],
    full: ["name", "email_domains", "is_organization"],
    fields(gid, vc) {
      const w = vc.store.workspaces.get(gid);
      if (w === undefined) return undefined;
      return {
        name: () => w.name,
        is_organization: () => w.isOrganization,
        email_domains: () => [...w.emailDomains],
      };
    },
  },
  team: {
    resourceType: "team",
    compact: ["name"],
    full: ["name", "description", "organization", "permalink_url"],
    fields(gid, vc) {
      const t = vc.store.teams.get(gid);
      if (t === undefined) return undefined;
      return {
        name: () => t.name,
        description: () => t.description,
        organization: () => new Ref("workspace", t.workspace),
        permalink_url: () => permalink(t.workspace, "team", t.gid),
      };
    },
  },
  project: {
    resourceType: "project",
    compact: ["name"],
    full: [
      "name",
      "archived",
      "color",
      "completed",
      "completed_at",
      "created_at",
      "modified_at",
      "notes",
      "owner",
      "team",
      "workspace",
      "permalink_url",
      "privacy_setting",
      "default_view",
      "due_on",
      "start_on",
      "custom_field_settings",
    ],
    fields(gid, vc) {
      const p = vc.store.projects.get(gid);
      if (p === undefined) return undefined;
      return {
        name: () => p.name,
        archived: () => p.archived,
        color: () => p.color,
        completed: () => false,
        completed_at: () => null,
        completed_by: () => null,
        created_at: () => p.createdAt,
        modified_at: () => p.modifiedAt,
        notes: () => p.notes,
        html_notes: () => textToCommentHtml(p.notes),
        owner: () => ref("user", p.owner),
        team: () => ref("team", p.team),
        workspace: () => new Ref("workspace", p.workspace),
        permalink_url: () => permalink(p.workspace, "project", p.gid),
        privacy_setting: () => "public_to_workspace",
        public: () => true,
        default_view: () => "list",
        due_on: () => null,
        start_on: () => null,
        custom_field_settings: () => projectSettings(vc.store, p.gid),
      };
    },
  },
  task: {
    resourceType: "task",
    compact: ["name", "resource_subtype"],
    full: [
      "name",
      "resource_subtype",
      "assignee",
      "completed",
      "completed_at",
      "created_at",
      "due_at",
      "due_on",
      "followers",
      "hearted",
      "hearts",
      "liked",
      "likes",
      "memberships",
      "modified_at",
      "notes",
      "num_hearts",
      "num_likes",
      "parent",
      "permalink_url",
      "projects",
      "start_at",
      "start_on",
      "tags",
      "workspace",
      "custom_fields",
    ],
    fields(gid, vc) {
      const t = vc.store.tasks.get(gid);
      if (t === undefined) return undefined;
      return {
        name: () => t.name,
        resource_subtype: () => t.resourceSubtype,
        assignee: () => ref("user", t.assignee),
        completed: () => t.completed,
        completed_at: () => t.completedAt,
        created_at: () => t.createdAt,
        created_by: () => ref("user", t.createdBy),
        due_at: () => null,
        due_on: () => t.dueOn,
        start_at: () => null,
        start_on: () => t.startOn,
        followers: () => t.followers.map((u) => new Ref("user", u)),
        hearted: () => false,
        hearts: () => [],
        num_hearts: () => 0,
        liked: () => false,
        likes: () => [],
        num_likes: () => 0,
        memberships: () => t.projects.map((p) => ({ project: new Ref("project", p) })),
        modified_at: () => t.modifiedAt,
        notes: () => t.notes,
        html_notes: () => textToCommentHtml(t.notes),
        num_subtasks: () => 0,
        parent: () => null,
        permalink_url: () => permalink(t.workspace, "task", t.gid),
        projects: () => t.projects.map((p) => new Ref("project", p)),
        tags: () => [],
        workspace: () => new Ref("workspace", t.workspace),
        ...worldTaskFields(vc.store, t),
      };
    },
  },
  story: {
    resourceType: "story",
    compact: ["created_at", "created_by", "resource_subtype", "text"],
    full: [
      "created_at",
      "created_by",
      "resource_subtype",
      "text",
      "type",
      "is_pinned",
      "is_editable",
      "is_edited",
      "hearted",
      "hearts",
      "num_hearts",
      "liked",
      "likes",
      "num_likes",
      "previews",
      "source",
      "sticker_name",
      "target",
    ],
    fields(gid, vc) {
      const s = vc.store.stories.get(gid);
      if (s === undefined) return undefined;
      return {
        created_at: () => s.created_at,
        created_by: () => new Ref("user", s.created_by.gid),
        resource_subtype: () => s.resource_subtype,
        text: () => s.text,
        html_text: () => s.html_text,
        type: () => s.type,
        is_pinned: () => s.is_pinned,
        is_editable: () => s.type === "comment" && s.created_by.gid === vc.viewer.gid,
        is_edited: () => false,
        hearted: () => false,
        hearts: () => [],
        num_hearts: () => 0,
        liked: () => false,
        likes: () => [],
        num_likes: () => 0,
        reaction_summary: () => [],
        previews: () => [],
        source: () => s.source,
        sticker_name: () => s.sticker_name,
        target: () => new Ref("task", s.target.gid),
      };
    },
  },
  ...worldViews(),
};

// ---------------------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------------------

const SEED_TIME = "2025-01-01T00:00:00.000Z";
const GID_RE = /^\d+$/;

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
    const allGids = [this.users, this.workspaces, this.teams, this.projects, this.tasks, this.stories]
      .flatMap((m) => [...m.keys()])
      .concat(worldGids(this.world));
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

function compactUser(u: UserRec): StoryRecord["created_by"] {
  return { gid: u.gid, resource_type: "user", name: u.name };
}

function compactTask(t: TaskRec): StoryRecord["target"] {
  return { gid: t.gid, resource_type: "task", name: t.name };
}

export function requireGid(kind: string, value: string): string {
  if (!GID_RE.test(value)) throw new ApiError(400, `${kind}: Not a recognized ID: ${value}`);
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------------

export interface HandlerContext {
  store: Store;
  viewer: UserRec;
  token: FakeTokenSeed;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The pathname without /api/1.0, as used in next_page.path. */
  path: string;
  /** `data` of the request body (POST/PUT), else an empty object. */
  body: Record<string, unknown>;
  fields: FieldTree | null;
  origin: string;
  paginator: Paginator;
}

export interface Route {
  method: string;
  /** Template such as "/tasks/:task_gid/stories", relative to /api/1.0. */
  path: string;
  /** Granular OAuth scope that grants access; enforced only for tokens with oauthScopes but no `default`. */
  scope?: string;
  handler: (ctx: HandlerContext) => Reply;
}

function matchTemplate(template: string, path: string): Record<string, string> | null {
  const want = template.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = got[i] ?? "";
    if (w.startsWith(":")) {
      if (g === "") return null;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

function viewOf(ctx: HandlerContext): ViewContext {
  return { store: ctx.store, viewer: ctx.viewer };
}

export function one(ctx: HandlerContext, kind: Kind, gid: string, status = 200): Reply {
  if (ctx.store.lagging(gid)) throw new ApiError(404, `${kind}: Unknown object: ${gid}`);
  return { status, body: { data: renderResource(kind, gid, viewOf(ctx), ctx.fields, "full") } };
}

export function list(ctx: HandlerContext, kind: Kind, gids: string[]): Reply {
  const visible = gids.filter((gid) => !ctx.store.lagging(gid));
  const { page, nextPage } = ctx.paginator.page(ctx, visible);
  const vc = viewOf(ctx);
  const body: { [key: string]: Json } = {
    data: page.map((gid) => renderResource(kind, gid, vc, ctx.fields, "compact")),
  };
  if (nextPage !== undefined) body.next_page = nextPage;
  return { status: 200, body };
}

export function param(ctx: HandlerContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route has no :${name}`);
  return value;
}

function getUser(ctx: HandlerContext): Reply {
  const id = param(ctx, "user_gid");
  let user: UserRec | undefined;
  if (id === "me") user = ctx.viewer;
  else if (id.includes("@")) {
    const email = id.toLowerCase();
    user = [...ctx.store.users.values()].find((u) => u.email.toLowerCase() === email);
  } else user = ctx.store.users.get(requireGid("user", id));
  if (user === undefined) throw new ApiError(404, `user: Unknown object: ${id}`);
  if (user !== ctx.viewer && !user.workspaces.some((w) => ctx.viewer.workspaces.includes(w))) {
    throw new ApiError(403, "Forbidden");
  }
  return one(ctx, "user", user.gid);
}

function getWorkspaces(ctx: HandlerContext): Reply {
  const gids = [...ctx.store.workspaces.keys()].filter((w) => ctx.viewer.workspaces.includes(w));
  return list(ctx, "workspace", gids);
}

function getWorkspace(ctx: HandlerContext): Reply {
  return one(ctx, "workspace", ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer).gid);
}

function parseArchived(ctx: HandlerContext): boolean | null {
  const raw = ctx.query.get("archived");
  if (raw === null) return null;
  if (raw === "true" || raw === "false") return raw === "true";
  throw new ApiError(400, `archived: Not a boolean: ${raw}`);
}

function projectList(ctx: HandlerContext, filter: { workspace?: string; team?: string }): Reply {
  const archived = parseArchived(ctx);
  if (filter.workspace !== undefined) ctx.store.requireWorkspace(filter.workspace, ctx.viewer);
  if (filter.team !== undefined)
    ctx.store.requireInWorkspace("team", ctx.store.teams, filter.team, ctx.viewer);
  const gids = [...ctx.store.projects.values()]
    .filter(
      (p) =>
        ctx.viewer.workspaces.includes(p.workspace) &&
        (filter.workspace === undefined || p.workspace === filter.workspace) &&
        (filter.team === undefined || p.team === filter.team) &&
        (archived === null || p.archived === archived),
    )
    .map((p) => p.gid);
  return list(ctx, "project", gids);
}

function getProjects(ctx: HandlerContext): Reply {
  return projectList(ctx, {
    workspace: ctx.query.get("workspace") ?? undefined,
    team: ctx.query.get("team") ?? undefined,
  });
}

function getProject(ctx: HandlerContext): Reply {
  const gid = param(ctx, "project_gid");
  return one(
    ctx,
    "project",
    ctx.store.requireInWorkspace("project", ctx.store.projects, gid, ctx.viewer).gid,
  );
}

function getTask(ctx: HandlerContext): Reply {
  const gid = param(ctx, "task_gid");
  return one(ctx, "task", ctx.store.requireInWorkspace("task", ctx.store.tasks, gid, ctx.viewer).gid);
}

function getStoriesForTask(ctx: HandlerContext): Reply {
  const task = ctx.store.requireInWorkspace("task", ctx.store.tasks, param(ctx, "task_gid"), ctx.viewer);
  const gids = (ctx.store.storiesByTask.get(task.gid) ?? []).map((s) => s.gid);
  return list(ctx, "story", gids);
}

function getStory(ctx: HandlerContext): Reply {
  const gid = param(ctx, "story_gid");
  const story = ctx.store.stories.get(requireGid("story", gid));
  if (story === undefined) throw new ApiError(404, `story: Unknown object: ${gid}`);
  ctx.store.requireInWorkspace("task", ctx.store.tasks, story.target.gid, ctx.viewer);
  return one(ctx, "story", story.gid);
}

export const STICKER_NAMES: readonly string[] = [
  "green_checkmark",
  "people_dancing",
  "dancing_unicorn",
  "heart",
  "party_popper",
  "people_waving_flags",
  "splashing_narwhal",
  "trophy",
  "yeti_riding_unicorn",
  "celebrating_people",
  "determined_climbers",
  "phoenix_spreading_love",
];
const STORY_WRITABLE = new Set(["text", "html_text", "is_pinned", "sticker_name"]);
const STORY_READ_ONLY = new Set([
  "gid",
  "resource_type",
  "created_at",
  "created_by",
  "resource_subtype",
  "type",
  "is_editable",
  "is_edited",
  "hearted",
  "hearts",
  "num_hearts",
  "liked",
  "likes",
  "num_likes",
  "reaction_summary",
  "previews",
  "source",
  "target",
]);

function createStoryForTask(ctx: HandlerContext): Reply {
  const task = ctx.store.requireInWorkspace("task", ctx.store.tasks, param(ctx, "task_gid"), ctx.viewer);
  const data = ctx.body;
  for (const key of Object.keys(data)) {
    if (STORY_READ_ONLY.has(key)) throw new ApiError(400, `${key}: Cannot write this property`);
    if (!STORY_WRITABLE.has(key)) throw new ApiError(400, `${key}: Unknown property`);
  }
  const { text, html_text: htmlInput, is_pinned: isPinned, sticker_name: sticker } = data;
  if (text !== undefined && htmlInput !== undefined) {
    throw new ApiError(400, "You may not specify both text and html_text");
  }
  if (text === undefined && htmlInput === undefined) {
    throw new ApiError(400, "You must specify either text or html_text");
  }
  if (isPinned !== undefined && typeof isPinned !== "boolean") {
    throw new ApiError(400, "is_pinned: Not a boolean");
  }
  if (sticker !== undefined && sticker !== null && !STICKER_NAMES.includes(String(sticker))) {
    throw new ApiError(400, `sticker_name: Not a valid enum value: ${String(sticker)}`);
  }

  let plain: string;
  let html: string;
  if (text !== undefined) {
    if (typeof text !== "string") throw new ApiError(400, "text: Not a string");
    plain = text;
    html = textToCommentHtml(text);
  } else {
    if (typeof htmlInput !== "string") throw new ApiError(400, "html_text: Not a string");
    const parsed = parseCommentHtml(htmlInput);
    if (!parsed.ok) throw new ApiError(400, parsed.message);
    // Only expanded mentions change the markup; otherwise keep the author's exact string.
    html = expandMentions(ctx, parsed.body) ? serializeHtml(parsed.body) : htmlInput;
    plain = htmlToPlainText(parsed.body);
  }
  if (plain.trim() === "" && (sticker === undefined || sticker === null)) {
    throw new ApiError(400, "text: Cannot be empty");
  }

  const story: StoryRecord = {
    gid: ctx.store.newGid(),
    resource_type: "story",
    created_at: ctx.store.nowIso(),
    created_by: compactUser(ctx.viewer),
    resource_subtype: "comment_added",
    type: "comment",
    text: plain,
    html_text: html,
    is_pinned: isPinned === true,
    sticker_name: typeof sticker === "string" ? sticker : null,
    source: "api",
    target: compactTask(task),
  };
  ctx.store.addStory(story);
  ctx.store.markCreated(story.gid);
  const reply = one(ctx, "story", story.gid, 201);
  reply.headers = { Location: `${ctx.origin}${API_PREFIX}/stories/${story.gid}` };
  return reply;
}

/**
 * Asana turns `<a data-asana-gid="…"/>` into a full link (href, name as text) and rejects references the
 * author cannot see unless an href was supplied.
 */
function expandMentions(ctx: HandlerContext, body: HtmlElement): boolean {
  let changed = false;
  for (const el of walkElements(body)) {
    if (el.tag !== "a") continue;
    const gid = getAttr(el, "data-asana-gid");
    if (gid === undefined) continue;
    const target = resolveMention(ctx, gid);
    if (target === null) {
      if (getAttr(el, "href") === undefined) throw new ApiError(400, `html_text: Unknown object: ${gid}`);
      continue;
    }
    changed = true;
    if (getAttr(el, "href") === undefined) setAttr(el, "href", target.url);
    setAttr(el, "data-asana-accessible", "true");
    if (getAttr(el, "data-asana-dynamic") === undefined) setAttr(el, "data-asana-dynamic", "true");
    setAttr(el, "data-asana-type", target.type);
    if (el.children.length === 0) el.children.push({ type: "text", text: target.label });
  }
  return changed;
}

function resolveMention(
  ctx: HandlerContext,
  gid: string,
): { type: string; url: string; label: string } | null {
  const { store, viewer } = ctx;
  const user = store.users.get(gid);
  if (user?.workspaces.some((w) => viewer.workspaces.includes(w))) {
    return { type: "user", url: `https://app.asana.com/0/profile/${gid}`, label: `@${user.name}` };
  }
  const task = store.tasks.get(gid);
  if (task && viewer.workspaces.includes(task.workspace)) {
    return { type: "task", url: permalink(task.workspace, "task", gid), label: task.name };
  }
  const project = store.projects.get(gid);
  if (project && viewer.workspaces.includes(project.workspace)) {
    return { type: "project", url: permalink(project.workspace, "project", gid), label: project.name };
  }
  return null;
}

/**
 * OIDC UserInfo. Asana does not document the body; like any OIDC provider it is answered with the bare
 * claims object (no `data` envelope). Claims depend on the `profile` and `email` scopes.
 */
function getOpenIdUserInfo(ctx: HandlerContext): Reply {
  const scopes = ctx.token.oauthScopes;
  if (scopes === undefined || !scopes.includes("openid")) {
    throw new ApiError(403, "This endpoint requires an OAuth access token granted the openid scope");
  }
  const u = ctx.viewer;
  const claims: { [key: string]: Json } = { sub: u.gid };
  if (scopes.includes("profile")) {
    claims.name = u.name;
    if (u.photo) claims.picture = u.photo.image_128x128;
  }
  if (scopes.includes("email")) {
    claims.email = u.email;
    claims.email_verified = true;
  }
  return { status: 200, body: claims };
}

/** Order matters only for readability: templates never overlap. Add new endpoints here. */
const ROUTES: readonly Route[] = [
  { method: "GET", path: "/users/:user_gid", scope: "users:read", handler: getUser },
  { method: "GET", path: "/workspaces", scope: "workspaces:read", handler: getWorkspaces },
  { method: "GET", path: "/workspaces/:workspace_gid", scope: "workspaces:read", handler: getWorkspace },
  {
    method: "GET",
    path: "/workspaces/:workspace_gid/projects",
    scope: "projects:read",
    handler: (ctx) => projectList(ctx, { workspace: param(ctx, "workspace_gid") }),
  },
  {
    method: "GET",
    path: "/teams/:team_gid/projects",
    scope: "projects:read",
    handler: (ctx) => projectList(ctx, { team: param(ctx, "team_gid") }),
  },
  { method: "GET", path: "/projects", scope: "projects:read", handler: getProjects },
  { method: "GET", path: "/projects/:project_gid", scope: "projects:read", handler: getProject },
  { method: "GET", path: "/tasks/:task_gid", scope: "tasks:read", handler: getTask },
  { method: "GET", path: "/tasks/:task_gid/stories", scope: "stories:read", handler: getStoriesForTask },
  { method: "POST", path: "/tasks/:task_gid/stories", scope: "stories:write", handler: createStoryForTask },
  { method: "GET", path: "/stories/:story_gid", scope: "stories:read", handler: getStory },
  { method: "GET", path: "/openid_connect/userinfo", handler: getOpenIdUserInfo },
  ...worldRoutes(),
];

// ---------------------------------------------------------------------------------------------------------
// Pagination
// ---------------------------------------------------------------------------------------------------------

type NextPage = { offset: string; path: string; uri: string } | null;

/**
 * Offsets are opaque to clients: base64url of a small JSON payload that is HMAC-signed with a secret of
 * this instance, so only offsets this fake issued, for the same listing, are accepted.
 */
class Paginator {
  private readonly secret = randomBytes(16);

  page(ctx: HandlerContext, items: string[]): { page: string[]; nextPage: NextPage | undefined } {
    const limitRaw = ctx.query.get("limit");
    const offsetRaw = ctx.query.get("offset");
    let limit: number | null = null;
    if (limitRaw !== null) {
      limit = /^\d+$/.test(limitRaw) ? Number(limitRaw) : Number.NaN;
      if (!(limit >= 1 && limit <= 100)) throw new ApiError(400, "limit: Must be between 1 and 100");
    }
    const key = this.listingKey(ctx);
    const start = offsetRaw === null ? 0 : this.decode(offsetRaw, key);
    if (limit === null) return { page: items.slice(start, start + UNPAGINATED_CAP), nextPage: undefined };
    const end = start + limit;
    if (end >= items.length) return { page: items.slice(start, end), nextPage: null };
    const offset = this.encode(key, end);
    const qs = new URLSearchParams(ctx.query);
    qs.delete("offset");
    qs.append("offset", offset);
    const path = `${ctx.path}?${qs.toString()}`;
    return {
      page: items.slice(start, end),
      nextPage: { offset, path, uri: `${ctx.origin}${API_PREFIX}${path}` },
    };
  }

  /** The listing an offset belongs to: path plus filters, but not page size or field selection. */
  private listingKey(ctx: HandlerContext): string {
    const ignored = new Set(["limit", "offset", "opt_fields", "opt_pretty"]);
    const filters = [...ctx.query.entries()]
      .filter(([k]) => !ignored.has(k))
      .sort(([a], [b]) => a.localeCompare(b));
    return `${ctx.token.userGid}:${ctx.path}?${new URLSearchParams(filters).toString()}`;
  }

  private sign(key: string, position: number): string {
    return createHmac("sha256", this.secret).update(`${key}\n${position}`).digest("base64url").slice(0, 22);
  }

  private encode(key: string, position: number): string {
    return Buffer.from(JSON.stringify({ o: position, s: this.sign(key, position) })).toString("base64url");
  }

  private decode(token: string, key: string): number {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
      if (typeof parsed === "object" && parsed !== null && "o" in parsed && "s" in parsed) {
        const { o, s } = parsed;
        if (typeof o === "number" && Number.isInteger(o) && o >= 0 && s === this.sign(key, o)) return o;
      }
    } catch {
      // falls through to the error below
    }
    throw new ApiError(400, "offset: Invalid offset");
  }
}

// ---------------------------------------------------------------------------------------------------------
// Error phrases (like node-asana-phrase: "6 sad squid snuggle softly")
// ---------------------------------------------------------------------------------------------------------

const PHRASE_ADJECTIVES = ["sad", "happy", "sleepy", "brave", "fuzzy", "quiet", "jolly", "grumpy", "shiny"];
const PHRASE_NOUNS = ["squid", "sheep", "moose", "deer", "bison", "salmon", "trout", "fish", "cod"];
const PHRASE_VERBS = ["snuggle", "dance", "wander", "sing", "nap", "swim", "juggle", "ponder", "hum"];
const PHRASE_ADVERBS = ["softly", "boldly", "quietly", "gracefully", "happily", "slowly", "loudly", "oddly"];

function makePhrase(rand: () => number): string {
  const pick = (words: string[]) => words[Math.floor(rand() * words.length)] ?? words[0];
  const n = 2 + Math.floor(rand() * 19);
  return `${n} ${pick(PHRASE_ADJECTIVES)} ${pick(PHRASE_NOUNS)} ${pick(PHRASE_VERBS)} ${pick(PHRASE_ADVERBS)}`;
}

// ---------------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------------

type QueuedFault = { fault: Fault; remaining: number };

export class FakeAsana {
  readonly requests: RecordedRequest[] = [];
  /** Exceptions thrown by handlers (answered as 500s); kept for debugging since nothing may be logged. */
  readonly internalErrors: unknown[] = [];
  private readonly store: Store;
  private readonly paginator = new Paginator();
  private readonly phraseRand = mulberry32(0x5eed);
  private faults: QueuedFault[] = [];
  private server: Server | null = null;
  private originValue: string | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly current: InFlightCounts = { read: 0, write: 0 };
  private readonly currentByUser = new Map<string, InFlightCounts>();
  private peakByUser = new Map<string, InFlightCounts>();

  /** The OAuth 2.0 / OpenID Connect provider at /-/oauth_* and the discovery and JWKS URLs. */
  readonly oauth: OAuthProvider;

  constructor(data: FakeData = demoData()) {
    this.store = new Store(structuredClone(data));
    this.oauth = new OAuthProvider(this);
    this.oauth.signedInUser = data.tokens.find((t) => t.kind === "oauth")?.userGid ?? data.users[0]?.gid;
  }

  userProfile(gid: string): { gid: string; name: string; email: string } | undefined {
    const user = this.store.users.get(gid);
    return user ? { gid: user.gid, name: user.name, email: user.email } : undefined;
  }

  /** "http://127.0.0.1:PORT"; throws before listen(). */
  get origin(): string {
    if (this.originValue === null) throw new Error("FakeAsana is not listening");
    return this.originValue;
  }

  /** `${origin}/api/1.0` */
  get baseUrl(): string {
    return `${this.origin}${API_PREFIX}`;
  }

  listen(port = 0, host = "127.0.0.1"): Promise<string> {
    if (this.server !== null) return Promise.reject(new Error("FakeAsana is already listening"));
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.internalErrors.push(error);
        if (!res.headersSent) res.destroy();
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        const { port: bound } = server.address() as AddressInfo;
        this.originValue = `http://${host}:${bound}`;
        resolve(this.originValue);
      });
    });
  }

  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    if (server === null) return Promise.resolve();
    this.server = null;
    return new Promise((resolve) => {
      server.close(() => resolve());
      // Keep-alive sockets would otherwise hold close() open until they time out.
      server.closeAllConnections();
    });
  }

  /**
   * Asana is eventually consistent: for `ms` milliseconds after an object (story, task, subtask, section,
   * status update) is created through the API, every listing leaves it out and a GET of it answers 404,
   * as if it did not exist yet. The POST's own answer is immediate and whole. 0 (the default) disables.
   */
  setReadLag(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError("setReadLag: ms must be a finite number >= 0");
    this.store.readLagMs = ms;
  }

  /**
   * Makes the sandbox's clock run `ms` ahead of this machine's (negative: behind): the created_at and
   * modified_at it stamps on new objects and the Date header of every answer use Date.now() + ms.
   */
  setClockOffset(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError("setClockOffset: ms must be a finite number");
    this.store.clockOffsetMs = ms;
  }

  inject(fault: Fault): void {
    this.faults.push({ fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  addToken(seed: FakeTokenSeed): void {
    this.store.addToken(seed);
  }

  revokeToken(token: string): void {
    this.store.tokens.delete(token);
  }

  /** A copy of a task's state, with its sections, tags, custom field values and relations. */
  task(gid: string): ReturnType<typeof describeTask> {
    return describeTask(this.store, gid);
  }

  /** Gids of the tasks named so, for tests that count what a create left behind. */
  tasksNamed(name: string): string[] {
    return [...this.store.tasks.values()].filter((t) => t.name === name).map((t) => t.gid);
  }

  /** Copies of the stories on a task, oldest first. */
  storiesOf(taskGid: string): StoryRecord[] {
    return (this.store.storiesByTask.get(taskGid) ?? []).map((s) => structuredClone(s));
  }

  /** The sections of a project, in order. */
  sectionsOf(projectGid: string): Array<{ gid: string; name: string }> {
    return sectionsOf(this.store, projectGid);
  }

  /** Copies of a project's status updates, newest first. */
  statusUpdatesOf(projectGid: string): ReturnType<typeof statusesOf> {
    return statusesOf(this.store, projectGid).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  inFlight(): InFlightCounts {
    return { ...this.current };
  }

  /** Peak concurrent requests per user gid since construction or the last resetCounters(). */
  maxInFlightByUser(): Map<string, InFlightCounts> {
    return new Map([...this.peakByUser].map(([k, v]) => [k, { ...v }]));
  }

  /** Resets the peaks (to what is in flight right now). Recorded requests are kept. */
  resetCounters(): void {
    const busy = [...this.currentByUser].filter(([, v]) => v.read + v.write > 0);
    this.peakByUser = new Map(busy.map(([k, v]) => [k, { ...v }]));
  }

  private takeFault(method: string, path: string): Fault | null {
    const index = this.faults.findIndex(({ fault }) => {
      if (fault.method !== undefined && fault.method.toUpperCase() !== method) return false;
      if (fault.path === undefined) return true;
      return typeof fault.path === "string" ? fault.path === path : fault.path.test(path);
    });
    const queued = this.faults[index];
    if (queued === undefined) return null;
    queued.remaining -= 1;
    if (queued.remaining <= 0) this.faults.splice(index, 1);
    return queued.fault;
  }

  private track(userGid: string | null, kind: keyof InFlightCounts, delta: 1 | -1): void {
    this.current[kind] += delta;
    if (userGid === null) return;
    let now = this.currentByUser.get(userGid);
    if (now === undefined) {
      now = { read: 0, write: 0 };
      this.currentByUser.set(userGid, now);
    }
    now[kind] += delta;
    const peak = this.peakByUser.get(userGid) ?? { read: 0, write: 0 };
    peak[kind] = Math.max(peak[kind], now[kind]);
    this.peakByUser.set(userGid, peak);
  }

  private authenticate(token: string | null): { seed: FakeTokenSeed; user: UserRec } | "expired" | null {
    if (token === null) return null;
    const seed = this.store.tokens.get(token);
    const user = seed && this.store.users.get(seed.userGid);
    if (!seed || !user) return null;
    if (seed.expiresAt !== undefined && Date.now() >= seed.expiresAt) return "expired";
    return { seed, user };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = randomUUID();
    res.setHeader(REQUEST_ID_HEADER, id);
    // Every Asana answer carries a Date header; this one reads the sandbox's (possibly offset) clock.
    res.setHeader("Date", this.store.now().toUTCString());
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const isApi = url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`);
    const path = isApi ? url.pathname.slice(API_PREFIX.length) || "/" : url.pathname;
    const method = (req.method ?? "GET").toUpperCase();
    const auth = this.authenticate(bearerToken(req.headers.authorization));
    const userGid = auth !== null && auth !== "expired" ? auth.user.gid : null;
    const record: RecordedRequest = {
      id,
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: null,
      userGid,
      status: 0,
      receivedAt: Date.now(),
    };
    this.requests.push(record);

    const kind = method === "GET" || method === "HEAD" ? "read" : "write";
    this.track(userGid, kind, 1);
    res.once("close", () => this.track(userGid, kind, -1));

    const fault = this.takeFault(method, path);
    if (fault?.type === "reset-before") {
      req.socket.destroy();
      return;
    }

    const raw = await readBody(req);
    let parsedBody: unknown = null;
    if (raw === "too-large") parsedBody = "<too large>";
    else if (raw.length > 0) {
      const text = raw.toString("utf8");
      try {
        parsedBody = JSON.parse(text);
      } catch {
        parsedBody = text;
      }
    }
    record.body = parsedBody;

    if (fault?.type === "status" || fault?.type === "bad-json" || fault?.type === "html") {
      this.sendFault(res, record, fault);
      return;
    }

    if (raw !== "too-large" && (await this.oauth.handle(method, url, raw.toString("utf8"), res))) {
      record.status = res.statusCode;
      return;
    }

    let reply: Reply;
    if (raw === "too-large") reply = errorReply(413, "Request body too large");
    else reply = this.process(method, path, isApi, url.searchParams, auth, raw.length > 0, parsedBody);

    if (fault?.type === "reset-after") {
      req.socket.destroy();
      return;
    }
    if (fault?.type === "cut-body") {
      // Content-Length promises the whole answer; half arrives. Status 0: no answer was delivered.
      const payload = Buffer.from(JSON.stringify(reply.body));
      res.writeHead(reply.status, {
        ...reply.headers,
        "Content-Type": JSON_TYPE,
        "Content-Length": payload.length,
      });
      res.write(payload.subarray(0, payload.length >> 1), () => req.socket.destroy());
      return;
    }
    const pretty = url.searchParams.has("opt_pretty") && url.searchParams.get("opt_pretty") !== "false";
    if (fault?.type === "delay") {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.send(res, record, reply, pretty);
      }, fault.ms);
      this.timers.add(timer);
      return;
    }
    this.send(res, record, reply, pretty);
  }

  private process(
    method: string,
    path: string,
    isApi: boolean,
    query: URLSearchParams,
    auth: { seed: FakeTokenSeed; user: UserRec } | "expired" | null,
    hasBody: boolean,
    body: unknown,
  ): Reply {
    let route: Route | undefined;
    let params: Record<string, string> | null = null;
    if (isApi) {
      for (const r of ROUTES) {
        if (r.method !== method) continue;
        params = matchTemplate(r.path, path);
        if (params !== null) {
          route = r;
          break;
        }
      }
    }
    if (route === undefined || params === null) return errorReply(404, "Unknown route");
    if (auth === "expired") {
      return errorReply(
        401,
        "The bearer token has expired. If you have a refresh token, please use it to request a new bearer token, otherwise allow the user to re-authenticate.",
      );
    }
    if (auth === null) return errorReply(401, "Not Authorized");
    const scopes = auth.seed.oauthScopes;
    if (route.scope !== undefined && scopes !== undefined && !scopes.includes("default")) {
      if (!scopes.includes(route.scope)) {
        return errorReply(
          403,
          `Forbidden: this request requires scope ${route.scope}, which was not granted to this token`,
        );
      }
    }
    let data: Record<string, unknown> = {};
    if (method === "POST" || method === "PUT") {
      if (!hasBody || typeof body === "string") {
        return errorReply(400, "Could not parse request data, invalid JSON");
      }
      const inner = typeof body === "object" && body !== null && "data" in body ? body.data : undefined;
      if (typeof inner !== "object" || inner === null || Array.isArray(inner)) {
        return errorReply(400, "data: Missing input");
      }
      data = inner as Record<string, unknown>;
    }
    const fieldsRaw = query.getAll("opt_fields");
    const ctx: HandlerContext = {
      store: this.store,
      viewer: auth.user,
      token: auth.seed,
      params,
      query,
      path,
      body: data,
      fields: parseOptFields(fieldsRaw.length > 0 ? fieldsRaw.join(",") : null),
      origin: this.origin,
      paginator: this.paginator,
    };
    // Handlers are synchronous, so the flag cannot leak into another request.
    this.store.reading = method === "GET";
    try {
      return route.handler(ctx);
    } catch (error) {
      if (error instanceof ApiError) return errorReply(error.status, error.message);
      this.internalErrors.push(error);
      return errorReply(500, "Server Error", makePhrase(this.phraseRand));
    } finally {
      this.store.reading = false;
    }
  }

  private send(res: ServerResponse, record: RecordedRequest, reply: Reply, pretty: boolean): void {
    if (res.destroyed || res.headersSent) return;
    record.status = reply.status;
    res.statusCode = reply.status;
    res.setHeader("Content-Type", JSON_TYPE);
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    res.end(JSON.stringify(reply.body, null, pretty ? 2 : undefined));
  }

  private sendFault(res: ServerResponse, record: RecordedRequest, fault: Fault): void {
    if (res.destroyed) return;
    if (fault.type === "bad-json") {
      record.status = 200;
      res.writeHead(200, { "Content-Type": JSON_TYPE });
      res.end('{"data":{"gid":"12');
    } else if (fault.type === "html") {
      const title = `${fault.status} ${STATUS_CODES[fault.status] ?? "Error"}`;
      record.status = fault.status;
      res.writeHead(fault.status, { "Content-Type": "text/html; charset=utf-8" });
      res.end(
        `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>\n`,
      );
    } else if (fault.type === "status") {
      let payload: string;
      if (fault.body === undefined) {
        const message = DEFAULT_STATUS_MESSAGES[fault.status] ?? STATUS_CODES[fault.status] ?? "Error";
        const phrase = fault.status === 500 ? makePhrase(this.phraseRand) : undefined;
        payload = JSON.stringify(errorReply(fault.status, message, phrase).body);
      } else {
        payload = typeof fault.body === "string" ? fault.body : JSON.stringify(fault.body);
      }
      record.status = fault.status;
      res.writeHead(fault.status, { "Content-Type": JSON_TYPE, ...fault.headers });
      res.end(payload);
    }
  }
}

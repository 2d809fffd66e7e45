/**
 * The sandbox's data model: what tests and demo data seed, the records the store keeps, faults, recorded
 * requests, and the reply and field-value types every module shares. Types and constants only.
 */
import type { FakePortfolioWorldSeed, PortfolioKind, PortfolioWorld } from "./model-portfolios.js";
import type { FakeProjectTemplateSeed, ProjectWriteKind } from "./project-types.js";

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
  /** Set once its text is edited (PUT /stories/:gid). */
  is_edited?: boolean;
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
  /** Sections, tags, custom fields, subtasks, dependencies, attachments, status updates, portfolios (world.ts). */
  world?: FakeWorldSeed;
  /** Project templates (project-model.ts). */
  projectTemplates?: FakeProjectTemplateSeed[];
}

export interface UserRec {
  gid: string;
  name: string;
  email: string;
  kind: UserKind;
  workspaces: string[];
  photo: FakePhoto | null;
}

export interface WorkspaceRec {
  gid: string;
  name: string;
  isOrganization: boolean;
  emailDomains: string[];
}

export interface TeamRec {
  gid: string;
  name: string;
  workspace: string;
  description: string;
}

export interface ProjectRec {
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

export type FaultMatch = {
  method?: string;
  /** Matched against the pathname without the /api/1.0 prefix, e.g. "/tasks/1/stories". */
  path?: string | RegExp;
  /** How many matching requests this fault applies to; default 1. `Infinity` is allowed. */
  times?: number;
  /**
   * Matches an action inside POST /batch (method and path are the action's) instead of a direct
   * request. Only `status` faults apply to actions.
   */
  action?: boolean;
};

export type Fault = FaultMatch &
  (
    | {
        type: "status";
        status: number;
        body?: unknown;
        headers?: Record<string, string>;
        /** For a batch action: it is carried out, then answered with this status instead (answer lost). */
        applied?: boolean;
      }
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
  /**
   * Parsed JSON body, the raw text when it was not JSON, or null when there was none; a
   * multipart/form-data body as its parts (RecordedForm, src/sandbox/multipart.ts).
   */
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

export const API_PREFIX = "/api/1.0";

export const REQUEST_ID_HEADER = "X-Request-Id";

export const ERROR_HELP =
  "For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors";

export const RATE_LIMIT_MESSAGE =
  "You've made too many requests and hit a rate limit. Please retry after the given amount of time.";

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

export type Kind =
  | "user"
  | "workspace"
  | "team"
  | "project"
  | "task"
  | "story"
  | WorldKind
  | PortfolioKind
  | ProjectWriteKind;

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

export type WorldKind =
  | "section"
  | "tag"
  | "agent"
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
  /** AI teammates (GET /workspaces/{workspace_gid}/agents). */
  agents?: AgentRec[];
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
  /** Portfolio items, goals, time periods, goal and portfolio status updates (model-portfolios.ts). */
  portfolioWorld?: FakePortfolioWorldSeed;
}

export interface SectionRec {
  gid: string;
  name: string;
  project: string;
  /** Absent for seeded sections. */
  createdAt?: string;
}

/** An AI teammate. */
export type AgentRec = { gid: string; name: string; workspace: string; description?: string };

export interface TagRec {
  gid: string;
  name: string;
  workspace: string;
  color: string | null;
  /** Absent for seeded tags (read as ""). */
  notes?: string;
  /** Absent for seeded tags. */
  createdAt?: string;
  followers?: string[];
}

export interface OptionRec {
  gid: string;
  name: string;
  color: string;
  enabled: boolean;
}

export interface FieldRec {
  gid: string;
  name: string;
  workspace: string;
  type: "text" | "number" | "enum" | "multi_enum";
  precision: number;
  options: OptionRec[];
}

export type CfValue = string | number | string[] | null;

export interface AttachmentRec {
  gid: string;
  name: string;
  /** The parent's gid: a task's, or a project's when parentType is "project". */
  task: string;
  size: number;
  createdAt: string;
  /** Absent: a task. */
  parentType?: "task" | "project";
  /** Absent: "asana", an uploaded file; "external" is a link Asana stores without fetching it. */
  subtype?: "asana" | "external";
  /** An external attachment's link. */
  url?: string;
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

export interface StatusRec {
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
  agents: Map<string, AgentRec>;
  taskTags: Map<string, string[]>;
  fields: Map<string, FieldRec>;
  projectFields: Map<string, string[]>;
  /** Custom field setting gid -> the project and field it joins (gids from the store's sequence). */
  settings: Map<string, { project: string; field: string }>;
  values: Map<string, Map<string, CfValue>>;
  parent: Map<string, string>;
  /** task -> the tasks it depends on */
  dependencies: Map<string, string[]>;
  htmlNotes: Map<string, string>;
  dueAt: Map<string, string>;
  startAt: Map<string, string>;
  attachments: Map<string, AttachmentRec>;
  statuses: Map<string, StatusRec>;
  portfolios: Map<string, PortfolioRec>;
  portfolioWorld: PortfolioWorld;
}

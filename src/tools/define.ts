// The tool contract: a strict zod input, a zod output, a kind, and a handler that returns a
// plain object. The server derives annotations and wire schemas from this; handlers never
// format errors (the one boundary in server.ts does).
import type { z } from "zod";
import type { AsanaClient } from "../asana/http.js";
import type { Identity } from "../auth/identities.js";
import type { CredentialResolver } from "../auth/resolver.js";
import type { Config } from "../config.js";
import type { Policy } from "../policy.js";
import type { ToolHome, ToolsetName } from "./toolsets.js";

export type ToolKind = "read" | "write" | "destructive";
/** Which identity a tool acts as: the read or write route, the OAuth login, or none (whoami). */
export type ActsAs = "read" | "write" | "oauth" | "none";

export interface ToolContext {
  asana: AsanaClient;
  resolver: CredentialResolver;
  config: Config;
  /** The identity the tool acts as; reading it throws no_identity when none is configured. */
  identity: Identity;
  /** Cancellation from the client combined with the tool's deadline. */
  signal: AbortSignal;
  /** Every tool the server exposes, so whoami can say which acts as whom. */
  tools: ReadonlyArray<Pick<Tool, "name" | "actsAs">>;
  /** The server's policy (src/policy.ts), for tools that filter their own listings. */
  policy: Policy;
  /**
   * Files on the machine the server runs on: present in stdio mode only (the person's own
   * machine), where uploads may read a local file inside one of the client's roots.
   */
  localFiles?: LocalFiles;
  /** The toolsets this session has on, and (where the client can hear tools/list_changed) a way to turn one on. */
  toolsets: ToolsetControl;
}

export interface LocalFiles {
  /**
   * The directories a local file may be read from: the client's MCP roots (file:// URIs, as
   * paths) when it declares the roots capability, else the server's working directory.
   */
  roots(signal: AbortSignal): Promise<string[]>;
}

export interface ToolsetControl {
  enabled(): ReadonlySet<ToolsetName>;
  /** Absent when the transport cannot tell the client its tool list changed (stateless http). */
  enable?(names: readonly ToolsetName[]): Promise<void>;
}

/**
 * What a human is shown before a call that cannot be undone (or, under ASANA_CONFIRM=writes,
 * any write) runs: read from Asana now, as the acting identity, never changing anything.
 */
export interface ConfirmationPreview {
  /** One sentence naming what will change, e.g. 'Delete the task "Ship v2" (1204…) and its 3 subtasks.' */
  summary: string;
  /** Each object the call changes, as it is now (gid, name, what happens to it). */
  changes: Array<Record<string, unknown>>;
}

export interface ConfirmSpec<A> {
  /**
   * Whether these arguments need a human's yes under ASANA_CONFIRM=destructive although the
   * tool is not destructive (a batch touching many tasks). Destructive tools always need it.
   */
  needed?(args: A): boolean;
  /**
   * Reads what the call would change. It runs with a client that refuses anything but GET, so
   * a preview cannot change Asana. Absent: the preview lists the arguments.
   */
  preview?(args: A, context: ToolContext): Promise<ConfirmationPreview>;
}

/**
 * The Asana objects a call touches, declared by each tool from its arguments, so the
 * workspace and project allow-lists can be enforced in one place before the handler runs.
 */
export interface CallScope {
  workspace?: string;
  project?: string;
  task?: string;
  /** A section the call reads or moves a task into; checked through its project. */
  section?: string;
  /** An attachment the call reads; checked through the task or project it is attached to. */
  attachment?: string;
  /** A story (comment) the call edits or deletes; checked through the task it is on. */
  story?: string;
  /**
   * A portfolio the call reads; checked through its workspace (one GET). Under ASANA_PROJECTS only
   * a tool that filtersByPolicy may read one: it shows the allowed projects among its items alone.
   */
  portfolio?: string;
  /**
   * A goal the call reads; checked through its workspace (one GET) and, under ASANA_PROJECTS, allowed
   * only when it is supported by an allowed project (one goals listing per allowed project).
   */
  goal?: string;
  /** Tasks the call changes besides `task`: a new parent, dependencies, dependents. */
  linkedTasks?: string[];
  /**
   * The call changes `task`'s current parent too (detaching or re-parenting it), so that parent
   * must be inside the allow-lists as well (named by the task's lookup, then one GET of its own).
   */
  currentParent?: boolean;
  /**
   * The call changes `task` in every project it is in (deleting it), so each of its projects
   * must be allowed, not just one.
   */
  everyProject?: boolean;
  /** Tags the call adds or removes; each must be of the workspace the call touches (one GET each). */
  tags?: string[];
  /**
   * A tag the call changes itself. A tag spans its workspace (renaming it renames it on every task
   * it is on, in any project), so it must be of an allowed workspace, and ASANA_PROJECTS refuses it.
   */
  tag?: string;
  /**
   * Users the call gives the object to (followers, an assignee) by gid or email; each must be a
   * member of the workspace the call touches (one GET each). "me" is the configured person.
   */
  users?: string[];
  /**
   * Objects rich text mentions (`<a data-asana-gid>`): Asana writes each one's name into the text,
   * and a mentioned user becomes a collaborator. Each must be a member of the call's workspace or
   * a task or project inside the allow-lists (see mentionsIn).
   */
  mentions?: string[];
  /** A team the call makes a project in; checked through its workspace (one GET). */
  team?: string;
  /** A project template the call instantiates; checked through its team's workspace (two GETs). */
  template?: string;
  /** The call makes a new project: refused under ASANA_PROJECTS, which a new project cannot be in. */
  newProject?: boolean;
  /**
   * A call of many independent items (batch_tasks): each entry is checked as the scope of a call of
   * its own, all before any request of the tool; at most MAX_SCOPE_ENTRIES (src/policy-scope.ts).
   */
  each?: CallScope[];
}

export interface DescribeContext {
  /** Whose name the route's actions carry, e.g. "Acme Bot (bot account, bot@acme.com)". */
  attribution(route: "read" | "write" | "oauth"): string;
  /** Whom "me" means in user arguments, e.g. "Ada Lovelace". */
  me(): string;
}

export interface Tool {
  name: string;
  title: string;
  /** The toolset the tool belongs to, or core (src/tools/toolsets.ts). */
  toolset: ToolHome;
  kind: ToolKind;
  actsAs: ActsAs;
  input: z.ZodObject;
  output: z.ZodObject;
  describe(context: DescribeContext): string;
  /**
   * Validates the arguments (throws a ZodError, or an invalid_input AppError from the tool's
   * validate(), on bad input): the whole input, before the policy's lookups cost any request.
   */
  parse(args: unknown): unknown;
  /** What the validated arguments touch; absent for tools that touch no single object. */
  scope?(args: unknown): CallScope;
  /**
   * The handler itself keeps its results within the workspace and project allow-lists
   * (context.policy), so a call scoped to a workspace, or to nothing, is allowed under them.
   * Without it such calls are refused while an allow-list is configured.
   */
  filtersByPolicy?: boolean;
  /** How a human confirms the call; see ConfirmSpec. */
  confirm?: ConfirmSpec<unknown>;
  /** Arguments from `parse` in, a plain object matching `output` out. */
  run(args: unknown, context: ToolContext): Promise<Record<string, unknown>>;
}

export interface ToolSpec<I extends z.ZodObject, O extends z.ZodObject> {
  name: string;
  title: string;
  toolset: ToolHome;
  kind: ToolKind;
  actsAs: ActsAs;
  input: I;
  output: O;
  describe(context: DescribeContext): string;
  /**
   * The checks of the arguments that zod's schema does not express (combinations, per-action
   * needs); throws an invalid_input AppError. Runs in parse, so before scope() and any request.
   */
  validate?(args: z.output<I>): void;
  scope?(args: z.output<I>): CallScope;
  filtersByPolicy?: boolean;
  confirm?: ConfirmSpec<z.output<I>>;
  handler(args: z.output<I>, context: ToolContext): Promise<z.input<O>>;
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(spec: ToolSpec<I, O>): Tool {
  return {
    name: spec.name,
    title: spec.title,
    toolset: spec.toolset,
    kind: spec.kind,
    actsAs: spec.actsAs,
    input: spec.input,
    output: spec.output,
    describe: spec.describe,
    parse: (args) => {
      const parsed = spec.input.parse(args ?? {});
      spec.validate?.(parsed);
      return parsed;
    },
    ...(spec.filtersByPolicy ? { filtersByPolicy: true } : {}),
    ...(spec.confirm ? { confirm: spec.confirm as ConfirmSpec<unknown> } : {}),
    ...(spec.scope ? { scope: (args: unknown) => spec.scope!(args as z.output<I>) } : {}),
    run: async (args, context) =>
      spec.handler(args as z.output<I>, context) as Promise<Record<string, unknown>>,
  };
}

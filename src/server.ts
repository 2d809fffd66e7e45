// The MCP server: one registration of every tool, wire schemas in JSON Schema 2020-12, and the
// one error boundary. Only this file touches the MCP SDK.
import { randomUUID } from "node:crypto";
import { homedir } from "node:os";
import { parse, resolve as resolvePath, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  ErrorCode as McpErrorCode,
  type Tool as McpTool,
} from "@modelcontextprotocol/sdk/types.js";
import type { AsanaClient } from "./asana/http.js";
import { lastWriteRequestId, traced, untraced } from "./asana/trace.js";
import { AuditLog, type AuditRecord, type AuditSink, auditRecord } from "./audit.js";
import type { Identity } from "./auth/identities.js";
import type { CredentialResolver } from "./auth/resolver.js";
import type { Config } from "./config.js";
import { type ConfirmationTokens, MemoryConfirmationTokens, withoutToken } from "./confirm.js";
import { type ConfirmationGate, confirmationGate } from "./confirm-gate.js";
import { AppError, fromZodError, toToolError } from "./errors.js";
import { describeContext, instructions } from "./instructions.js";
import { log, redact } from "./log.js";
import { buildPolicy, hasAllowList, isExposed, type Policy, toolRefusal } from "./policy.js";
import { checkScope } from "./policy-scope.js";
import type { CallScope, Tool, ToolContext, ToolsetControl } from "./tools/define.js";
import { meOf } from "./tools/task-common.js";
import { TOOLSET_NAMES, type ToolsetName } from "./tools/toolsets.js";
import { toWire } from "./wire.js";

export interface ServerDeps {
  config: Config;
  resolver: CredentialResolver;
  asana: AsanaClient;
  tools: readonly Tool[];
  version: string;
  /** Built from config when absent (throws ConfigError for unknown ASANA_TOOLS names). */
  policy?: Policy;
  /** Opened from config.auditLog when absent (throws ConfigError when unwritable). */
  audit?: AuditSink;
  /** How often a call with a progress token reports that it is still running; default 5 s. */
  progressIntervalMs?: number;
  /** Remote mode: the person signed in to this session, recorded with each write in the audit log. */
  person?: { gid: string; name: string };
  /** Stdio mode: the server runs on the person's machine, so uploads may read local files. */
  localFiles?: boolean;
  /**
   * Remote mode: each request gets its own server, so nothing reaches the client outside a
   * request's own answer (no tools/list_changed, no elicitation), and confirmation tokens are kept
   * where every replica finds them, bound to `session` (the sign-in).
   */
  stateless?: { session: string; confirmations: ConfirmationTokens };
}

const PROGRESS_INTERVAL_MS = 5_000;

/** Identity resolution at start-up is bounded so a dead network cannot hold descriptions hostage. */
const RESOLVE_TIMEOUT_MS = 10_000;

export interface AsanaMcpServer {
  server: Server;
  /** Resolves every identity in the background and sends tools/list_changed once names are known. */
  resolveIdentities(): Promise<void>;
  /** Settles when the client's first tools/list has been answered. */
  firstToolsList: Promise<void>;
  /** Settles when no tool call is running. */
  idle(): Promise<void>;
  /**
   * Shutdown: waits up to `graceMs` for the writes in flight to answer (each is then answered and
   * audited as usual), then audits every write still in flight as `interrupted`. Reads are not
   * waited for.
   */
  drain(graceMs: number): Promise<void>;
}

/** A write tool call in flight, as shutdown sees it. */
interface WriteInFlight {
  /** Settles once the call's answer has been handed to the transport. */
  finished: Promise<void>;
  /** Audits the call as interrupted (once; its own late ending is then not audited again). */
  interrupt(): void;
}

export function buildServer(deps: ServerDeps): AsanaMcpServer {
  const { config, resolver, asana } = deps;
  // The session's own copy: enable_toolset turns sets on for this session only.
  const basePolicy = deps.policy ?? buildPolicy(config, deps.tools);
  const enabledToolsets = new Set(basePolicy.toolsets);
  const policy: Policy = { ...basePolicy, toolsets: enabledToolsets };
  const audit: AuditSink | undefined =
    deps.audit ?? (config.auditLog ? AuditLog.open(config.auditLog, config.auditLogBodies) : undefined);
  // Sets can be turned on only where the client hears a list change and the policy lets the
  // agent call enable_toolset (ASANA_TOOLS may leave it out, core though it is).
  const enableTool = deps.tools.find((tool) => tool.name === "enable_toolset");
  const canEnable = !deps.stateless && enableTool !== undefined && isExposed(basePolicy, enableTool);
  // Hidden tools are not listed; called anyway, they are refused below (never "unknown").
  // enable_toolset is listed only while it has something to turn on, for a client that can hear it.
  const exposed = () =>
    deps.tools.filter(
      (tool) =>
        isExposed(policy, tool) &&
        (tool.name !== "enable_toolset" || (canEnable && enabledToolsets.size < TOOLSET_NAMES.length)),
    );
  let tools = exposed();
  const byName = new Map(deps.tools.map((tool) => [tool.name, tool]));
  const server = new Server(
    { name: "asana-mcp", title: config.sandbox ? "Asana (sandbox)" : "Asana", version: deps.version },
    {
      // Remote mode answers each request with its own server: it never sends a list change.
      capabilities: { tools: { listChanged: !deps.stateless } },
      instructions: instructions(config, resolver, policy, canEnable),
    },
  );
  const confirmation: ConfirmationGate = confirmationGate({
    mode: config.confirm,
    server,
    tokens: deps.stateless?.confirmations ?? new MemoryConfirmationTokens(),
    session: deps.stateless?.session ?? randomUUID(),
    elicitation: !deps.stateless,
  });
  const toolsetControl: ToolsetControl = {
    enabled: () => enabledToolsets,
    ...(canEnable
      ? {
          enable: async (names: readonly ToolsetName[]) => {
            const before = enabledToolsets.size;
            for (const name of names) enabledToolsets.add(name);
            if (enabledToolsets.size === before) return;
            tools = exposed();
            sendListChanged();
          },
        }
      : {}),
  };
  if (!deps.audit && audit) server.onclose = () => void audit.close();

  let running = 0;
  const idleWaiters: Array<() => void> = [];
  const writesInFlight = new Set<WriteInFlight>();
  let listed: McpTool[] | undefined;
  let firstListed: () => void = () => undefined;
  const firstToolsList = new Promise<void>((resolve) => {
    firstListed = resolve;
  });
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    listed ??= tools.map((tool) => toWire(tool, describeContext(resolver), confirmation.advertises(tool)));
    firstListed();
    return { tools: listed };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    if (!tool) throw jsonRpcError(McpErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    // One controller for the client's cancellation and the tool's deadline, released when the call
    // ends (AbortSignal.any + AbortSignal.timeout cost ~15 µs a call and leave a timer per call).
    const abort = new AbortController();
    const signal = abort.signal;
    const onCancel = () => abort.abort(extra.signal.reason);
    if (extra.signal.aborted) onCancel();
    else extra.signal.addEventListener("abort", onCancel, { once: true });
    const deadline = setTimeout(
      () => abort.abort(new DOMException("The tool's deadline passed.", "TimeoutError")),
      config.toolDeadlineMs,
    );
    running++;
    const startedAt = Date.now();
    const progress = reportProgress(
      extra,
      tool.name,
      startedAt,
      config.toolDeadlineMs,
      deps.progressIntervalMs,
    );
    let args: unknown;
    let scope: CallScope = {};
    const context: ToolContext = {
      asana,
      resolver,
      config,
      // Read lazily: a tool reaches its identity only when it acts, and a missing one is its error.
      get identity() {
        return identityFor(tool, resolver);
      },
      signal,
      get tools() {
        return tools;
      },
      policy,
      toolsets: toolsetControl,
      ...(deps.localFiles
        ? { localFiles: { roots: (rootsSignal) => clientRoots(server, rootsSignal) } }
        : {}),
    };
    // The policy is enforced here, once, before any handler runs; the trace collects the
    // request ids of every Asana answer the call received, for the audit log. Only audited calls
    // are traced: AsyncLocalStorage would otherwise put promise hooks on every call's promises.
    const work = async () => {
      const refusal = toolRefusal(policy, tool);
      if (refusal) throw new AppError("policy_denied", refusal);
      const { args: given, token } = confirmation.split(request.params.arguments);
      args = tool.parse(given);
      scope = tool.scope?.(args) ?? {};
      if (hasAllowList(policy)) {
        await checkScope(policy, tool, scope, {
          asana,
          identity: () => context.identity,
          signal,
          me: async () => {
            const user = await meOf(context);
            const person = resolver.person();
            const workspaces = person && resolver.resolution(person).workspaces;
            return { gid: user.gid, ...(workspaces ? { workspaces: workspaces.map((w) => w.gid) } : {}) };
          },
        });
      }
      // A person confirms what cannot be undone, after the policy allowed it and before it runs.
      const pending = await confirmation.check(tool, args, token, context, startedAt);
      if (pending) {
        endedUnconfirmed = pending.outcome;
        return pending.answer;
      }
      return tool.run(args, context);
    };
    // Set when the call ended at the confirmation step: nothing was sent to change Asana.
    let endedUnconfirmed: AuditRecord["outcome"] | undefined;
    const { trace, result } =
      audit && tool.kind !== "read" ? traced(work) : { trace: untraced(), result: work() };
    // Every attempt at a write, refused or failed ones included, leaves exactly one audit line.
    let audited = false;
    const recordAttempt = (outcome: AuditRecord["outcome"], requestId: string | null) => {
      if (!audit || tool.kind === "read" || audited) return;
      audited = true;
      audit.append(
        auditRecord(
          tool,
          auditIdentity(tool, resolver),
          // Without the token: a refused call is parsed again from these to name its target.
          { raw: withoutToken(request.params.arguments), parsed: args, scope },
          startedAt,
          {
            outcome,
            requestId: requestId ?? lastWriteRequestId(trace) ?? null,
            bodies: audit.bodies,
            sent: outcome === "interrupted" ? trace.writeSent : undefined,
            person: deps.person,
          },
        ),
      );
    };
    let finished: () => void = () => undefined;
    const inFlight: WriteInFlight | undefined =
      tool.kind === "read"
        ? undefined
        : {
            finished: new Promise<void>((resolve) => {
              finished = resolve;
            }),
            interrupt: () => recordAttempt("interrupted", null),
          };
    if (inFlight) writesInFlight.add(inFlight);
    try {
      const output = await result;
      recordAttempt(endedUnconfirmed ?? "ok", null);
      return redactedResult(output);
    } catch (error) {
      const body = toToolError(fromZodError(error));
      recordAttempt(body.error.code, body.request_id);
      if (body.error.code === "internal")
        log.error(`${tool.name} failed unexpectedly`, { detail: stackOf(error) });
      else log.debug(`${tool.name} answered ${body.error.code}`, { message: body.error.message });
      return { isError: true, content: [{ type: "text", text: redact(JSON.stringify(body)) }] };
    } finally {
      clearTimeout(deadline);
      if (progress) clearInterval(progress);
      extra.signal.removeEventListener("abort", onCancel);
      // The SDK writes the answer after this handler returns: waiters wake one turn later.
      if (--running === 0)
        setImmediate(() => {
          if (running === 0) for (const wake of idleWaiters.splice(0)) wake();
        });
      if (inFlight)
        setImmediate(() => {
          writesInFlight.delete(inFlight);
          finished();
        });
    }
  });

  let initialized = false;
  let announce = false;
  function sendListChanged() {
    listed = undefined;
    server
      .sendToolListChanged()
      .catch((error: unknown) => log.debug(`tools/list_changed not sent: ${error}`));
  }
  server.oninitialized = () => {
    initialized = true;
    if (announce) sendListChanged();
  };

  return {
    server,
    firstToolsList,
    idle: () =>
      running === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    async drain(graceMs) {
      const pending = [...writesInFlight];
      if (pending.length > 0) {
        log.info(`shutting down: waiting up to ${graceMs} ms for ${pending.length} write(s) in flight`);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all(pending.map((write) => write.finished)),
          new Promise((resolve) => {
            timer = setTimeout(resolve, graceMs);
          }),
        ]);
        clearTimeout(timer);
      }
      for (const write of writesInFlight) {
        log.warn("shutting down with a write in flight: audited as interrupted");
        write.interrupt();
      }
    },
    async resolveIdentities() {
      const changed = await resolver.resolveAll(asana, Math.min(RESOLVE_TIMEOUT_MS, config.requestTimeoutMs));
      if (!changed) return;
      if (initialized) sendListChanged();
      else {
        listed = undefined;
        announce = true;
      }
    },
  };
}

/**
 * A JSON-RPC error as the SDK sends it (`code` and `message` of the thrown value). Not an
 * McpError: its message already starts "MCP error -32602:", which clients then prefix again.
 */
function jsonRpcError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}

type CallExtra = Parameters<Parameters<Server["setRequestHandler"]>[1]>[1];

/**
 * When the client asked for progress (a progressToken), a notification every few seconds while
 * the call runs: clients that reset their request timeout on progress keep waiting for the
 * server's own answer (timeout, write_unknown) instead of giving up. Without a token, nothing.
 */
function reportProgress(
  extra: CallExtra,
  toolName: string,
  startedAt: number,
  deadlineMs: number,
  intervalMs = PROGRESS_INTERVAL_MS,
): NodeJS.Timeout | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  const total = Math.ceil(deadlineMs / 1000);
  const timer = setInterval(() => {
    const elapsed = (Date.now() - startedAt) / 1000;
    extra
      .sendNotification({
        method: "notifications/progress",
        params: {
          progressToken,
          progress: elapsed,
          total,
          message: `${toolName} is still waiting for Asana (${Math.floor(elapsed)} s; it answers within ${total} s).`,
        },
      })
      .catch((error: unknown) => log.debug(`progress not sent: ${error}`));
  }, intervalMs);
  // A call in flight must not keep the process alive on its own.
  timer.unref();
  return timer;
}

/**
 * Everything a result carries came from Asana or the arguments, so, success or error, it passes
 * the one redaction before it leaves: a task named after a token, or a proxy echoing one, reaches
 * the agent as "[redacted]". One pass over the serialized text (no walk of the object); the
 * structured copy is re-read from the redacted text only when something was replaced.
 */
function redactedResult(output: Record<string, unknown>): CallToolResult {
  const raw = JSON.stringify(output);
  const text = redact(raw);
  if (text === raw) return { content: [{ type: "text", text }], structuredContent: output };
  let structuredContent: Record<string, unknown>;
  try {
    structuredContent = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A secret holding a quote or a backslash (a client secret may) can cut across JSON escapes:
    // redact each decoded string instead.
    structuredContent = JSON.parse(raw, (_key, value: unknown) =>
      typeof value === "string" ? redact(value) : value,
    ) as Record<string, unknown>;
    return {
      content: [{ type: "text", text: redact(JSON.stringify(structuredContent)) }],
      structuredContent,
    };
  }
  return { content: [{ type: "text", text }], structuredContent };
}

/** Who the call acts as, for its audit record; null when it has no identity. */
function auditIdentity(tool: Tool, resolver: CredentialResolver): AuditRecord["identity"] {
  try {
    const acting = identityFor(tool, resolver);
    const user = resolver.resolution(acting).user;
    return {
      kind: acting.kind,
      variable: acting.variable,
      user_gid: user?.gid ?? null,
      user_name: user?.name ?? null,
    };
  } catch {
    return null;
  }
}

function identityFor(tool: Tool, resolver: CredentialResolver): Identity {
  if (tool.actsAs === "read" || tool.actsAs === "write") return resolver.forRoute(tool.actsAs);
  if (tool.actsAs === "oauth") {
    const oauth = resolver.get("oauth");
    if (!oauth) {
      throw new AppError(
        "oidc_unavailable",
        `${tool.name} needs an OAuth login, and none is configured (personal access tokens and service-account tokens cannot answer OpenID Connect).`,
      );
    }
    return oauth;
  }
  throw new AppError("internal", `${tool.name} acts as no single identity.`);
}

/**
 * The client's roots as local paths (file:// URIs only), or the working directory without any,
 * unless that is the filesystem root or holds the home directory (a client may start the server
 * there): then every file of the machine (~/.ssh, the server's own .env) would be inside.
 */
async function clientRoots(server: Server, signal: AbortSignal): Promise<string[]> {
  if (!server.getClientCapabilities()?.roots) {
    const cwd = resolvePath(process.cwd());
    const home = resolvePath(homedir());
    if (cwd === parse(cwd).root || home === cwd || home.startsWith(cwd + sep)) {
      throw new Error(
        `the client declares no roots, and the server's working directory ${cwd} is the filesystem root or holds the home directory`,
      );
    }
    return [cwd];
  }
  const { roots } = await server.listRoots(undefined, { signal, timeout: 10_000 });
  const paths: string[] = [];
  for (const root of roots) {
    try {
      if (root.uri.startsWith("file://")) paths.push(fileURLToPath(root.uri));
    } catch {
      // A malformed root names no directory; the others still count.
    }
  }
  return paths;
}

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

// A human confirms what cannot be undone. ASANA_CONFIRM chooses which calls need a yes
// (`destructive`: deletes and the tools that say so for their arguments, such as a large batch;
// `writes`: every change; `off`). The server asks through MCP elicitation when the client can
// answer one; otherwise the first call answers a preview and a one-time token, and only a second
// call with the same arguments and that token runs. The preview only reads.
import { randomBytes } from "node:crypto";
import type { AsanaClient } from "./asana/http.js";
import type { ConfirmMode } from "./config.js";
import { AppError } from "./errors.js";
import { log } from "./log.js";
import { digest } from "./store/crypto.js";
import type { Store } from "./store/types.js";
import type { ConfirmationPreview, Tool, ToolContext } from "./tools/define.js";

/** How long a confirmation token may wait for its second call. */
export const CONFIRMATION_TTL_MS = 10 * 60_000;
/**
 * Outstanding tokens a session keeps: past it, a stdio session drops its oldest, and a remote
 * sign-in is refused more until some are used or expire (the store is every sign-in's).
 */
export const MAX_OUTSTANDING_CONFIRMATIONS = 100;

/** The argument the second call carries. It is taken out of the arguments before they are parsed. */
export const CONFIRMATION_ARGUMENT = "confirmation_token";

/** The arguments without the confirmation token (what the tool parses, and the audit records). */
export function withoutToken(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw) || !Object.hasOwn(raw, CONFIRMATION_ARGUMENT)) {
    return raw;
  }
  const { [CONFIRMATION_ARGUMENT]: _token, ...args } = raw as Record<string, unknown>;
  return args;
}

export function needsConfirmation(mode: ConfirmMode, tool: Tool, args: unknown): boolean {
  if (mode === "off" || tool.kind === "read") return false;
  if (mode === "writes" || tool.kind === "destructive") return true;
  return tool.confirm?.needed?.(args) === true;
}

/** Whether any arguments could make the tool need a yes under the mode (so it advertises the token). */
export function mayNeedConfirmation(mode: ConfirmMode, tool: Tool): boolean {
  if (mode === "off" || tool.kind === "read") return false;
  return mode === "writes" || tool.kind === "destructive" || tool.confirm?.needed !== undefined;
}

/** What a call is bound to: the tool, its parsed arguments (keys sorted) and the session. */
export function bindingOf(tool: Tool, args: unknown, session: string): string {
  return digest(JSON.stringify([tool.name, canonical(args), session]));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!value || typeof value !== "object") return value;
  // A Date (or anything JSON writes through toJSON) has no entries of its own: bound by its JSON.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return canonical(toJSON.call(value));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    // A Map or a typed array would be bound as {}, confirming every other one: refused instead.
    throw new AppError(
      "internal",
      `A confirmation cannot be bound to arguments holding a ${value.constructor?.name ?? "non-plain object"}.`,
    );
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonical(v)]),
  );
}

/** Where issued tokens wait: the session's memory (stdio) or the shared store (remote mode). */
export interface ConfirmationTokens {
  /** `session` is what the binding includes besides the call: it bounds what one session holds. */
  issue(binding: string, session: string): Promise<{ token: string; expiresAt: number }>;
  /** Consumes the token whatever happens: a token is used once, by a matching call or not. */
  redeem(token: string, binding: string): Promise<"ok" | "mismatch" | "unknown">;
}

export class MemoryConfirmationTokens implements ConfirmationTokens {
  private readonly issued = new Map<string, { binding: string; expiresAt: number }>();

  async issue(binding: string) {
    const token = newToken();
    const expiresAt = Date.now() + CONFIRMATION_TTL_MS;
    this.issued.set(digest(token), { binding, expiresAt });
    while (this.issued.size > MAX_OUTSTANDING_CONFIRMATIONS) {
      const oldest = this.issued.keys().next().value;
      if (oldest === undefined) break;
      this.issued.delete(oldest);
    }
    return { token, expiresAt };
  }

  async redeem(token: string, binding: string) {
    const key = digest(token);
    const found = this.issued.get(key);
    this.issued.delete(key);
    if (!found || found.expiresAt <= Date.now()) return "unknown" as const;
    return found.binding === binding ? ("ok" as const) : ("mismatch" as const);
  }
}

/** Remote mode: any replica may answer the second call, so tokens live in the shared store. */
export class StoreConfirmationTokens implements ConfirmationTokens {
  constructor(private readonly store: Store) {}

  async issue(binding: string, session: string) {
    const token = newToken();
    const key = digest(token);
    const expiresAt = Date.now() + CONFIRMATION_TTL_MS;
    // A place among the sign-in's outstanding tokens, leased for the token's lifetime: one
    // sign-in asking for previews without end cannot fill the store every sign-in shares.
    const slots = `confirmation:${digest(session)}`;
    if (!(await this.store.acquireSlot(slots, MAX_OUTSTANDING_CONFIRMATIONS, key, CONFIRMATION_TTL_MS))) {
      throw new AppError(
        "rate_limited",
        `${MAX_OUTSTANDING_CONFIRMATIONS} confirmations are already waiting for this sign-in; nothing was changed.`,
        {
          hint: "Use or drop the previews already answered (each token expires 10 minutes after its preview), then ask again.",
        },
      );
    }
    await this.store.put("confirmation", key, { binding, slots }, { expiresAt });
    return { token, expiresAt };
  }

  async redeem(token: string, binding: string) {
    const key = digest(token);
    const found = await this.store.take("confirmation", key);
    if (!found) return "unknown" as const;
    // The place is given back at once; should the store fail here, the lease ends with the token's
    // lifetime anyway, and the call the token confirms still goes ahead.
    if (typeof found.slots === "string") {
      await this.store
        .releaseSlot(found.slots, key)
        .catch((error: unknown) => log.debug(`confirmation slot not released: ${String(error)}`));
    }
    return found.binding === binding ? ("ok" as const) : ("mismatch" as const);
  }
}

function newToken(): string {
  return `confirm_${randomBytes(24).toString("base64url")}`;
}

/** The tool's own preview, or, for a write without one (ASANA_CONFIRM=writes), its arguments. */
export async function previewOf(
  tool: Tool,
  args: unknown,
  context: ToolContext,
): Promise<ConfirmationPreview> {
  if (tool.confirm?.preview) {
    return tool.confirm.preview(args, { ...context, asana: readOnly(context.asana) });
  }
  return {
    summary: `${tool.title}: ${tool.name} will run with the arguments below.`,
    changes: [args as Record<string, unknown>],
  };
}

/**
 * The client a preview reads with: a request that is not a GET is refused before it is sent, so
 * no preview can change Asana, whatever a tool's preview code does.
 */
export function readOnly(asana: AsanaClient): AsanaClient {
  const view = Object.create(asana) as AsanaClient;
  view.request = (identity, call) => {
    // The client's own test of a write (a missing method counts as one).
    if (call.method !== "GET") {
      throw new AppError("internal", `A confirmation preview tried to send ${call.method} ${call.path}.`);
    }
    return asana.request(identity, call);
  };
  return view;
}

/** The answer to a first call: nothing has changed, here is what would, and how to go ahead. */
export function confirmationRequest(
  tool: Tool,
  preview: ConfirmationPreview,
  issued: { token: string; expiresAt: number },
  reason: string,
): Record<string, unknown> {
  return {
    confirmation_required: true,
    nothing_changed: true,
    reason,
    preview,
    confirmation_token: issued.token,
    expires_at: new Date(issued.expiresAt).toISOString(),
    next_step: `Show this preview to the person and ask them. Only if they agree, call ${tool.name} again with exactly the same arguments plus ${CONFIRMATION_ARGUMENT}; the token works once, for these arguments, until expires_at.`,
  };
}

export function reasonFor(mode: ConfirmMode, tool: Tool): string {
  if (tool.kind === "destructive")
    return `${tool.name} cannot be undone from here, so a person confirms it first.`;
  if (mode === "writes") return "ASANA_CONFIRM=writes: a person confirms every change first.";
  return `${tool.name} with these arguments changes many objects, so a person confirms it first.`;
}

// The error model: every failure a tool can meet is an AppError with a code from this table,
// and the server's one boundary turns it into the isError result the agent reads.
import { z } from "zod";
import { redact } from "./log.js";
import { StoreUnavailableError } from "./store/types.js";

export const ERROR_TABLE = {
  invalid_input: { retryable: false, hint: "Fix the arguments as the message says and call again." },
  no_identity: {
    retryable: false,
    hint: "Configure an Asana token (ASANA_PAT, ASANA_BOT_PAT, ASANA_SERVICE_ACCOUNT_TOKEN or an OAuth login) and restart the server.",
  },
  unauthorized: {
    retryable: false,
    hint: "The token may be mistyped, revoked or expired: check or replace it (or sign in again) and restart; `whoami` shows every identity's state.",
  },
  payment_required: {
    retryable: false,
    hint: "This needs a paid Asana plan (Starter, Advanced or Enterprise) for the workspace; use a listing that works on every plan instead.",
  },
  forbidden: {
    retryable: false,
    hint: "The acting identity cannot see or change this object: share the project or task with that user (or act as another identity).",
  },
  not_found: {
    retryable: false,
    hint: "Check that the gid is of the kind the message names (a project's or section's gid is no task's; find, get_project and the task tools return gids); else the object is deleted or invisible to the acting identity.",
  },
  rate_limited: {
    retryable: true,
    hint: "Asana's rate limit for this token was reached: wait the number of seconds given and call again.",
  },
  asana_unavailable: { retryable: true, hint: "Asana had a temporary problem: call again in a few seconds." },
  asana_bad_request: {
    retryable: false,
    hint: "Asana rejected the request as shown: fix the arguments and call again.",
  },
  invalid_rich_text: {
    retryable: false,
    hint: "html_text must be XML wrapped in <body>…</body> using only <strong> <em> <u> <s> <code> <ol> <ul> <li> <a>; or send plain text instead.",
  },
  timeout: { retryable: true, hint: "Asana did not answer in time: call again, or narrow the request." },
  network: { retryable: true, hint: "Asana could not be reached: check the network and call again." },
  cancelled: { retryable: true, hint: "The call was cancelled before it finished." },
  asana_response_too_large: {
    retryable: false,
    hint: "Asana's answer was larger than ASANA_MAX_RESPONSE_BYTES and was not read: ask for less (a smaller limit, fewer fields), or raise the limit. After a write, Asana acted on it (or may have): read the object back before writing again.",
  },
  bad_response: { retryable: true, hint: "Asana's answer could not be read: call again in a few seconds." },
  not_confirmed: {
    retryable: false,
    hint: "The person did not confirm, and nothing was changed: ask them what they want instead.",
  },
  confirmation_invalid: {
    retryable: false,
    hint: "Nothing was changed. Call the tool again without confirmation_token to get a fresh preview and token, show the preview to the person, and send the new token only if they agree.",
  },
  write_not_applied: {
    retryable: true,
    hint: "The write was verified NOT to have happened in Asana, so it is safe to call again.",
  },
  write_unknown: {
    retryable: false,
    hint: "It is not certain whether Asana applied the write: read the object back before trying again, to avoid doing it twice.",
  },
  oidc_unavailable: {
    retryable: false,
    hint: "Sign in with OAuth including the openid, email and profile scopes (`asana-mcp auth login`), then restart.",
  },
  login_required: {
    retryable: false,
    hint: "The OAuth login can no longer be renewed: run `asana-mcp auth login` again, then restart the server.",
  },
  store_unavailable: {
    retryable: true,
    hint: "This server's store (its database) did not answer: call again in a few seconds. Nothing was lost; your sign-in is kept.",
  },
  policy_denied: {
    retryable: false,
    hint: "This server's policy (ASANA_READ_ONLY, ASANA_TOOLS, ASANA_WORKSPACES, ASANA_PROJECTS) does not allow this call: stay within what whoami's policy shows, or ask whoever configured the server.",
  },
  internal: {
    retryable: false,
    hint: "An unexpected error in asana-mcp; please report it with the request_id.",
  },
} as const satisfies Record<string, { retryable: boolean; hint: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export interface AppErrorOptions {
  hint?: string;
  retryable?: boolean;
  requestId?: string;
  status?: number;
  /** For a rate limit: how long Asana asked to wait (Retry-After), when it said. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly hint: string;
  readonly retryable: boolean;
  readonly requestId?: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint ?? ERROR_TABLE[code].hint;
    this.retryable = options.retryable ?? ERROR_TABLE[code].retryable;
    this.requestId = options.requestId;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** What the agent receives in an isError result: never a stack trace, never a token. */
export interface ToolErrorBody {
  error: { code: ErrorCode; message: string; retryable: boolean; hint: string };
  request_id: string | null;
}

/**
 * The server's own store going away (remote mode's database) is not a bug: it is retryable, and
 * says so. Its message names no location (the database's address is the server's business).
 */
export const STORE_UNAVAILABLE_MESSAGE =
  "This server could not reach its store (database) to serve the call; it did not reach Asana.";

export function toToolError(error: unknown): ToolErrorBody {
  const appError =
    error instanceof AppError
      ? error
      : error instanceof StoreUnavailableError
        ? new AppError("store_unavailable", STORE_UNAVAILABLE_MESSAGE, { cause: error })
        : new AppError(
            "internal",
            `Unexpected error: ${error instanceof Error ? error.message : String(error)}`,
          );
  return {
    error: {
      code: appError.code,
      message: redact(appError.message),
      retryable: appError.retryable,
      hint: redact(appError.hint),
    },
    request_id: appError.requestId === undefined ? null : redact(appError.requestId),
  };
}

/** Bad arguments (a ZodError from a tool's schema) as one invalid_input error naming each problem. */
export function fromZodError(error: unknown): unknown {
  if (error instanceof z.ZodError) {
    const problems = error.issues.map((issue) => {
      // A schema's own word on its unknown keys (update_task names the tool that changes them).
      if (issue.code === "unrecognized_keys" && !issue.message.startsWith("Unrecognized key")) {
        return issue.message;
      }
      if (issue.code === "unrecognized_keys") {
        return `unknown argument${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
      }
      // Messages may end in a full stop of their own; the sentence gets one at its end.
      const message = issue.message.replace(/\.+$/, "");
      return issue.path.length ? `${issue.path.join(".")}: ${message}` : message;
    });
    return new AppError("invalid_input", `Invalid arguments: ${problems.join("; ")}.`);
  }
  return error;
}

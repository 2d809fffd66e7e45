// Asana's HTTP failures -> AppError codes, each message naming who acted and what Asana said.
import { describeIdentity, type Identity } from "../auth/identities.js";
import { AppError, type ErrorCode } from "../errors.js";

/**
 * A request id as Asana's answer gave it, kept only when it has the shape of one (hex, a UUID, a
 * short opaque id: letters, digits, `-`, `_`, `.`, at most 64 characters). The header is copied into
 * results, errors and the audit log, so a proxy echoing a token (`N/gid:secret`) or anything long
 * there must not carry it through; such a value is dropped, as if no id had come.
 */
export function requestIdFrom(header: string | undefined): string | undefined {
  return header !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(header) ? header : undefined;
}

/** Asana's error body: `{errors: [{message, help, phrase}]}` (every member optional). */
export interface AsanaErrorBody {
  errors?: Array<{ message?: string; help?: string; phrase?: string }>;
}

export function asanaMessages(body: unknown): { message: string; phrase?: string } {
  const errors = (body as AsanaErrorBody | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return { message: "" };
  const message = errors
    .map((e) => (typeof e?.message === "string" ? e.message : ""))
    .filter(Boolean)
    .join("; ");
  const phrase = errors.find((e) => typeof e?.phrase === "string")?.phrase;
  return { message, phrase };
}

export function statusToError(
  status: number,
  body: unknown,
  context: {
    identity: Identity;
    method: string;
    path: string;
    requestId?: string;
    retryAfterSeconds?: number;
  },
): AppError {
  const { message: asanaMessage, phrase } = asanaMessages(body);
  const who = describeIdentity(context.identity);
  // Asana's own full stop is dropped: each sentence below ends with one of its own.
  const said = asanaMessage ? `: ${asanaMessage.replace(/\.+$/, "")}` : "";
  const base = `Asana answered ${status} to ${context.method} ${context.path} as ${who}${said}`;
  const options = { requestId: context.requestId, status };
  const code = codeFor(status);
  switch (code) {
    case "unauthorized":
      return new AppError(code, `Asana refused the token of ${who} (401)${said}.`, {
        ...options,
        hint:
          context.identity.kind === "oauth"
            ? "The OAuth login is no longer valid: run `asana-mcp auth login` again, then restart the server."
            : // Asana's 401 does not say why; "revoked" would send a person to rotate a token they only mistyped.
              `The token in ${context.identity.variable} may be mistyped, revoked or expired: check it is copied whole (no quotes, no "Bearer"), or create a new one in Asana's developer console; put it in ${context.identity.variable} and restart the server.`,
      });
    case "rate_limited": {
      const wait = context.retryAfterSeconds;
      return new AppError(code, `${base}.`, {
        ...options,
        ...(wait !== undefined ? { retryAfterSeconds: wait } : {}),
        hint:
          wait !== undefined
            ? `Asana's rate limit for ${who} was reached: wait ${wait} s and call again.`
            : undefined,
      });
    }
    case "bad_response":
      // Only 3xx map here: undici does not follow redirects, so the token never leaves ASANA_BASE_URL.
      return new AppError(
        code,
        `Asana answered ${status} (a redirect) to ${context.method} ${context.path} as ${who}; redirects are not followed, so the token is only ever sent to the configured API address.`,
        {
          ...options,
          retryable: false,
          hint: "Check ASANA_BASE_URL: it should be Asana's API address (https://app.asana.com/api/1.0) or a proxy that does not redirect.",
        },
      );
    case "forbidden":
      // An OAuth login granted fewer scopes than the endpoint needs: no sharing helps, a new login does.
      if (context.identity.kind === "oauth" && /\bscope/i.test(asanaMessage)) {
        return new AppError(code, `${base}.`, {
          ...options,
          hint: `The OAuth login of ${who} was not granted the scope this request needs (named above; \`default\` is Full permissions): sign in again with \`asana-mcp auth login --scopes "…"\` including it (Full permissions needs an app registered for them), then restart the server.`,
        });
      }
      return new AppError(code, `${base}.`, options);
    case "asana_unavailable":
      return new AppError(code, `${base}${phrase ? ` (error phrase "${phrase}")` : ""}.`, options);
    default:
      return new AppError(code, `${base}.`, options);
  }
}

function codeFor(status: number): ErrorCode {
  if (status >= 300 && status < 400) return "bad_response";
  if (status === 401) return "unauthorized";
  if (status === 402) return "payment_required";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "asana_unavailable";
  return "asana_bad_request";
}

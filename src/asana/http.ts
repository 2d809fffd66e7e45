// The one HTTP client: every Asana request goes through AsanaClient.request, which owns
// keep-alive, timeouts, the per-identity concurrency caps, retries and error mapping.
import { setTimeout as sleep } from "node:timers/promises";
import type { Agent, Dispatcher } from "undici";
import { describeIdentity, type Identity } from "../auth/identities.js";
import { AppError } from "../errors.js";
import { log } from "../log.js";
import { requestIdFrom, statusToError } from "./errors.js";
import { Limiter } from "./limiter.js";
import { noteRequest } from "./trace.js";
import { loadUndici } from "./undici.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";
export type QueryValue = string | number | boolean | undefined;

export interface NextPage {
  offset: string;
  path?: string;
  uri?: string;
}

export interface AsanaCall {
  method: HttpMethod;
  /** Relative to the API base, built with `apiPath` so every parameter is encoded. */
  path: string;
  query?: Record<string, QueryValue>;
  /** The payload; it is sent wrapped as `{data: body}` as Asana expects. */
  body?: Record<string, unknown>;
  /** Cancellation and the tool's deadline. */
  signal?: AbortSignal;
  /** The answer is plain JSON, not Asana's `{data}` envelope (OpenID Connect userinfo). */
  unwrapped?: boolean;
}

export interface AsanaResult<T> {
  data: T;
  nextPage: NextPage | null;
  requestId?: string;
  status: number;
}

export interface AsanaClientOptions {
  baseUrl: string;
  requestTimeoutMs: number;
  /** Retries of a read after a 5xx, a reset or a timeout (not counting 429 waits). */
  maxReadRetries?: number;
  /** How many 429s a call waits out before giving up. */
  maxRateLimitWaits?: number;
  /** Longest Retry-After honoured; a longer one is reported to the agent instead of waited out. */
  maxRetryAfterMs?: number;
  /** First backoff step; each retry doubles it, with ±50 % jitter. */
  backoffMs?: number;
  readConcurrency?: number;
  writeConcurrency?: number;
}

/** Encodes each interpolated value as one path segment: `apiPath\`/tasks/${gid}/stories\``. */
export function apiPath(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce(
    (out, part, i) => out + part + (i < values.length ? encodeURIComponent(values[i]!) : ""),
    "",
  );
}

/** The code of a cancel or deadline that came before undici had a connection for the request. */
const ABORTED_BEFORE_SENDING = "ASANA_MCP_ABORTED_BEFORE_SENDING";
const REQUEST_ID_HEADERS = ["x-request-id", "x-asana-request-id", "asana-request-id"];
/** Failures before a byte reached Asana: safe to repeat even a write. */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "EHOSTUNREACH",
  ABORTED_BEFORE_SENDING,
]);
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

type Attempt =
  | {
      kind: "response";
      status: number;
      headers: Record<string, string | string[] | undefined>;
      text: string;
      /** The bearer token this attempt sent, so a 401 can say which token was refused. */
      token: string;
    }
  | { kind: "failure"; error: AppError; sent: boolean };

export class AsanaClient {
  /** Created at the first request (see loadUndici). */
  private agent?: Promise<Agent>;
  private readonly limiters = new WeakMap<Identity, { read: Limiter; write: Limiter }>();
  private readonly options: Required<AsanaClientOptions>;
  /** The API base split as undici's dispatch takes it: the origin, and the path every call is under. */
  private readonly origin: string;
  private readonly basePath: string;

  constructor(options: AsanaClientOptions) {
    this.options = {
      maxReadRetries: 3,
      maxRateLimitWaits: 3,
      maxRetryAfterMs: 60_000,
      backoffMs: 200,
      readConcurrency: 50,
      writeConcurrency: 15,
      ...options,
    };
    const base = new URL(this.options.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, "");
  }

  private dispatcher(): Promise<Agent> {
    const { requestTimeoutMs } = this.options;
    this.agent ??= loadUndici().then(
      ({ Agent }) =>
        new Agent({
          keepAliveTimeout: 10_000,
          keepAliveMaxTimeout: 60_000,
          headersTimeout: requestTimeoutMs,
          bodyTimeout: requestTimeoutMs,
          connect: { timeout: Math.min(10_000, requestTimeoutMs) },
        }),
    );
    return this.agent;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  async close(): Promise<void> {
    if (this.agent) await (await this.agent).close();
  }

  /**
   * Sends one call as `identity`. Reads are retried on 429 (after Retry-After), 5xx, resets and
   * timeouts. Writes are repeated only when Asana certainly did not act (429, a refused
   * connection, a 401 followed by a token refresh); any other failure after sending becomes a
   * `write_unknown` error, which the caller settles by reading before it answers.
   */
  async request<T>(identity: Identity, call: AsanaCall): Promise<AsanaResult<T>> {
    const isWrite = call.method !== "GET";
    const path = this.requestPath(call);
    const context = { identity, method: call.method, path: call.path };
    let readRetries = 0;
    let rateLimitWaits = 0;
    let renewed = false;

    for (;;) {
      call.signal?.throwIfAborted();
      const attempt = await this.attempt(identity, call, path, isWrite);

      if (attempt.kind === "failure") {
        if (call.signal?.aborted) throw abortError(call.signal, context, isWrite && attempt.sent);
        const canRepeat = !attempt.sent || !isWrite;
        if (canRepeat && readRetries < this.options.maxReadRetries) {
          readRetries++;
          await this.backoff(readRetries, call.signal);
          continue;
        }
        if (isWrite && attempt.sent) throw writeUnknown(context, attempt.error.message);
        throw attempt.error;
      }

      const { status, headers, text } = attempt;
      const requestId = requestIdFrom(firstHeader(headers, REQUEST_ID_HEADERS));
      noteRequest({ method: call.method, status, requestId });
      logAsanaChange(headers);
      const body = parseJson(text);

      if (status >= 200 && status < 300) {
        if (
          body === undefined ||
          typeof body !== "object" ||
          body === null ||
          (!call.unwrapped && !("data" in body))
        ) {
          if (isWrite) throw writeUnknown(context, `Asana answered ${status} with a body that is not JSON`);
          if (readRetries < this.options.maxReadRetries) {
            readRetries++;
            await this.backoff(readRetries, call.signal);
            continue;
          }
          throw new AppError(
            "bad_response",
            `Asana answered ${call.method} ${call.path} with a body that is not Asana JSON.`,
            { requestId },
          );
        }
        if (call.unwrapped) return { data: body as T, nextPage: null, requestId, status };
        const envelope = body as { data: T; next_page?: NextPage | null };
        return { data: envelope.data, nextPage: envelope.next_page ?? null, requestId, status };
      }

      if (status === 401 && !renewed) {
        renewed = true;
        // Asana did not act on a request it refused, so even a write may be repeated.
        if (await identity.renewAfterUnauthorized(attempt.token)) continue;
      }
      if (status === 429) {
        const waitMs = retryAfterMs(headers);
        if (rateLimitWaits < this.options.maxRateLimitWaits && waitMs <= this.options.maxRetryAfterMs) {
          rateLimitWaits++;
          log.info(`rate limited; waiting ${waitMs} ms before repeating`, {
            method: call.method,
            path: call.path,
          });
          await sleep(waitMs, undefined, { signal: call.signal }).catch(() => {
            throw abortError(call.signal!, context, false);
          });
          continue;
        }
        throw statusToError(status, body, {
          ...context,
          requestId,
          retryAfterSeconds: Math.ceil(waitMs / 1000),
        });
      }
      if (status >= 500) {
        if (isWrite) {
          throw writeUnknown(context, `Asana answered ${status}`, requestId);
        }
        if (readRetries < this.options.maxReadRetries) {
          readRetries++;
          await this.backoff(readRetries, call.signal);
          continue;
        }
      }
      throw statusToError(status, body, { ...context, requestId });
    }
  }

  /** The request's path and query under the API base's origin. */
  private requestPath(call: AsanaCall): string {
    // Paths come from apiPath with validated gids; this guard keeps any other path from
    // leaving the API base (no query, fragment, dot-segment or scheme smuggled in).
    if (!/^\/[A-Za-z0-9_\-./%@]*$/.test(call.path) || /(^|\/)\.\.?(\/|$)/.test(call.path)) {
      throw new AppError("internal", `Refused to build a request for an unsafe path: ${call.path}`);
    }
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) query.set(key, String(value));
    }
    const search = query.size > 0 ? `?${query.toString()}` : "";
    return `${this.basePath}${call.path}${search}`;
  }

  private async attempt(
    identity: Identity,
    call: AsanaCall,
    path: string,
    isWrite: boolean,
  ): Promise<Attempt> {
    const limiter = this.limiterFor(identity)[isWrite ? "write" : "read"];
    return limiter
      .run(async () => {
        const token = await identity.accessToken();
        const headers: Record<string, string> = {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          "user-agent": "asana-mcp",
        };
        let payload: string | undefined;
        if (call.body !== undefined) {
          headers["content-type"] = "application/json";
          payload = JSON.stringify({ data: call.body });
        }
        try {
          const response = await exchange(
            await this.dispatcher(),
            { origin: this.origin, path, method: call.method, headers, body: payload },
            call.signal,
          );
          return { kind: "response", ...response, token } as const;
        } catch (error) {
          return classifyFailure(error, identity, call);
        }
      }, call.signal)
      .catch((error: unknown): Attempt => {
        // Aborted while queued for a slot: nothing was sent.
        if (error instanceof AppError) throw error;
        return { kind: "failure", error: new AppError("cancelled", "The call was cancelled."), sent: false };
      });
  }

  private limiterFor(identity: Identity): { read: Limiter; write: Limiter } {
    let limiters = this.limiters.get(identity);
    if (!limiters) {
      limiters = {
        read: new Limiter(this.options.readConcurrency),
        write: new Limiter(this.options.writeConcurrency),
      };
      this.limiters.set(identity, limiters);
    }
    return limiters;
  }

  private async backoff(retry: number, signal?: AbortSignal): Promise<void> {
    const base = this.options.backoffMs * 2 ** (retry - 1);
    const jittered = base * (0.5 + Math.random());
    await sleep(jittered, undefined, { signal }).catch(() => undefined);
  }
}

/** Drops a leading byte-order mark, as undici's body.text() does: JSON.parse would refuse it. */
const utf8 = new TextDecoder();

/**
 * One HTTP exchange through undici's dispatch API, the answer read whole. `request()` would wrap
 * the body in a stream and the handler in several layers: this costs about a quarter less CPU per
 * call (bench/percall.mjs). Aborting the signal aborts the exchange, closing its connection if
 * the request is in flight.
 */
function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    const settle = () => signal?.removeEventListener("abort", onAbort);
    // Until undici hands the request a connection (onRequestStart) nothing is written, so a cancel
    // or deadline then ends the exchange at once, as not sent, instead of waiting for a connection
    // (up to the connect timeout) only to abort it there.
    const abortUnsent = () => {
      settle();
      reject(Object.assign(new Error("Ended before it was sent."), { code: ABORTED_BEFORE_SENDING }));
    };
    const onAbort = () => (controller ? controller.abort(signal?.reason) : abortUnsent());
    if (signal?.aborted) return abortUnsent();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      dispatcher.dispatch(options, {
        onRequestStart(started) {
          controller = started;
          // Aborted here, undici writes nothing (client-h1 checks right after this call).
          if (signal?.aborted) {
            started.abort(signal.reason);
            abortUnsent();
          }
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          headers = responseHeaders;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          settle();
          resolve({ status, headers, text: utf8.decode(Buffer.concat(chunks)) });
        },
        onResponseError(_controller, error) {
          settle();
          reject(error);
        },
      });
    } catch (error) {
      settle();
      reject(error);
    }
  });
}

function classifyFailure(error: unknown, identity: Identity, call: AsanaCall): Attempt {
  const code = errorCode(error);
  const where = `${call.method} ${call.path} as ${describeIdentity(identity)}`;
  if (code && NOT_SENT_CODES.has(code)) {
    return {
      kind: "failure",
      sent: false,
      error: new AppError("network", `Asana could not be reached (${code}) for ${where}.`),
    };
  }
  if (code && TIMEOUT_CODES.has(code)) {
    return {
      kind: "failure",
      sent: true,
      error: new AppError("timeout", `Asana did not answer ${where} in time.`),
    };
  }
  const detail = code ?? (error instanceof Error ? error.name : "error");
  return {
    kind: "failure",
    sent: true,
    error: new AppError("network", `The connection to Asana failed (${detail}) during ${where}.`),
  };
}

function abortError(
  signal: AbortSignal,
  context: { method: string; path: string },
  sentWrite: boolean,
): AppError {
  const reason: unknown = signal.reason;
  const timedOut = reason instanceof Error && reason.name === "TimeoutError";
  if (sentWrite) {
    return writeUnknown(context, timedOut ? "the tool's deadline passed" : "the call was cancelled");
  }
  return timedOut
    ? new AppError("timeout", `${context.method} ${context.path} did not finish before the tool's deadline.`)
    : new AppError("cancelled", `${context.method} ${context.path} was cancelled.`);
}

function writeUnknown(context: { method: string; path: string }, why: string, requestId?: string): AppError {
  return new AppError(
    "write_unknown",
    `${context.method} ${context.path} may or may not have been applied: ${why.replace(/\.+$/, "")}.`,
    {
      requestId,
    },
  );
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstHeader(
  headers: Record<string, string | string[] | undefined>,
  names: string[],
): string | undefined {
  for (const name of names) {
    const value = headers[name];
    if (typeof value === "string" && value) return value;
  }
  return undefined;
}

/** Retry-After in seconds or as an HTTP date; 1 s when absent or unreadable. */
function retryAfterMs(headers: Record<string, string | string[] | undefined>): number {
  const raw = firstHeader(headers, ["retry-after"]);
  if (!raw) return 1_000;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : 1_000;
}

const seenChanges = new Set<string>();
/** Asana announces API changes in Asana-Change headers; say each once, on stderr. */
function logAsanaChange(headers: Record<string, string | string[] | undefined>): void {
  const raw = headers["asana-change"];
  for (const value of Array.isArray(raw) ? raw : raw ? [raw] : []) {
    if (seenChanges.has(value)) continue;
    seenChanges.add(value);
    log.warn(`Asana announces an API change: ${value}`);
  }
}

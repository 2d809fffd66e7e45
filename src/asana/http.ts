// The one HTTP client: every Asana request goes through AsanaClient.request, which owns
// keep-alive, timeouts, the per-identity concurrency caps, retries and error mapping.
import { setTimeout as sleep } from "node:timers/promises";
import type { Agent } from "undici";
import { describeIdentity, type Identity } from "../auth/identities.js";
import { AppError } from "../errors.js";
import { log } from "../log.js";
import { StoreUnavailableError } from "../store/types.js";
import { BodyBudget } from "./budget.js";
import { AsanaClock } from "./clock.js";
import { requestIdFrom, statusToError } from "./errors.js";
import {
  ABORTED_BEFORE_SENDING,
  BODY_TOO_SLOW,
  exchange,
  firstHeader,
  RESPONSE_TOO_LARGE,
} from "./exchange.js";
import { encodeBody, logAsanaChange, type MultipartForm, parseJson, retryAfterMs } from "./http-body.js";
import { Limiter } from "./limiter.js";
import { SharedLimiter, type SharedLimits } from "./shared-limits.js";
import { noteRequest, noteWriteSent } from "./trace.js";
import { loadUndici } from "./undici.js";

export { MAX_SEEN_CHANGES, type MultipartForm, seenChangeCount } from "./http-body.js";

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
  /** Instead of `body`: a multipart/form-data upload (POST /attachments), a write like any other. */
  form?: MultipartForm;
  /** Cancellation and the tool's deadline. */
  signal?: AbortSignal;
  /** The answer is plain JSON, not Asana's `{data}` envelope (OpenID Connect userinfo). */
  unwrapped?: boolean;
  /** How many requests Asana's limits count this one as: a POST /batch, one per action. Default 1. */
  weight?: number;
  /** Asana-Enable opt-ins the endpoint requires (its early-access features), sent as that header. */
  enable?: readonly string[];
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
  /**
   * The largest answer body read. Counted as it arrives: past it the exchange is aborted, so no
   * answer ever holds more than this in memory. Default 16 MiB.
   */
  maxResponseBytes?: number;
  /**
   * The answer bytes all exchanges in flight may hold together; past it the later ones pause
   * reading until others finish. Default four times maxResponseBytes.
   */
  maxBufferedBytes?: number;
  /** Limits shared with other replicas through their store, for the identities they all use. */
  sharedLimits?: SharedLimits;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Encodes each interpolated value as one path segment: `apiPath\`/tasks/${gid}/stories\``. */
export function apiPath(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce(
    (out, part, i) => out + part + (i < values.length ? encodeURIComponent(values[i]!) : ""),
    "",
  );
}

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
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", BODY_TOO_SLOW]);

type Attempt =
  | {
      kind: "response";
      status: number;
      headers: Record<string, string | string[] | undefined>;
      text: string;
      /** The bearer token this attempt sent, so a 401 can say which token was refused. */
      token: string;
    }
  | {
      kind: "failure";
      error: AppError;
      sent: boolean;
      /** Never repeated, read or write: an answer too large stays too large. */
      final?: boolean;
    };

export class AsanaClient {
  /** Created at the first request (see loadUndici). */
  private agent?: Promise<Agent>;
  private readonly limiters = new WeakMap<Identity, { read: Limiter; write: Limiter }>();
  private readonly options: Required<Omit<AsanaClientOptions, "sharedLimits">>;
  /** Set when limits are shared with other replicas (settling claims gids through it too). */
  readonly shared?: SharedLimiter;
  /** The API base split as undici's dispatch takes it: the origin, and the path every call is under. */
  private readonly origin: string;
  private readonly basePath: string;
  private readonly budget: BodyBudget;
  /** Asana's clock, learnt from the Date header of every answer (settling compares created_at with it). */
  readonly clock = new AsanaClock();

  constructor(options: AsanaClientOptions) {
    this.options = {
      maxReadRetries: 3,
      maxRateLimitWaits: 3,
      maxRetryAfterMs: 60_000,
      backoffMs: 200,
      readConcurrency: 50,
      writeConcurrency: 15,
      maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
      ...options,
      maxBufferedBytes:
        options.maxBufferedBytes ?? 4 * (options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES),
    };
    this.budget = new BodyBudget(this.options.maxBufferedBytes);
    const { readConcurrency: read, writeConcurrency: write, requestTimeoutMs } = this.options;
    if (options.sharedLimits)
      this.shared = new SharedLimiter(options.sharedLimits, { read, write }, requestTimeoutMs);
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

  /** The most answer bytes held at once by the exchanges in flight (for tests). */
  get bufferedBytesPeak(): number {
    return this.budget.peakBytes;
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
      // A retry's backoff ends early when the deadline passes: that is the call's timeout (a
      // repeated write is repeated only when it was certainly not sent).
      if (call.signal?.aborted) throw abortError(call.signal, context, false);
      const sentAt = this.clock.now();
      const attempt = await this.attempt(identity, call, path, isWrite);

      if (attempt.kind === "failure") {
        if (attempt.final) throw attempt.error;
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
      this.clock.observe(firstHeader(headers, ["date"]), sentAt, this.clock.now());
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
        const waitMs = retryAfterMs(firstHeader(headers, ["retry-after"]));
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
        const send = async (): Promise<Attempt> => {
          const headers: Record<string, string> = {
            authorization: `Bearer ${token}`,
            accept: "application/json",
            "user-agent": "asana-mcp",
          };
          const { contentType, body: payload } = await encodeBody(call);
          if (contentType) headers["content-type"] = contentType;
          if (call.enable?.length) headers["asana-enable"] = call.enable.join(",");
          try {
            const response = await exchange(
              await this.dispatcher(),
              { origin: this.origin, path, method: call.method, headers, body: payload },
              {
                signal: call.signal,
                maxBytes: this.options.maxResponseBytes,
                budget: this.budget,
                bodyTimeMs: this.options.requestTimeoutMs,
                onSending: isWrite ? noteWriteSent : undefined,
              },
            );
            return { kind: "response", ...response, token } as const;
          } catch (error) {
            return classifyFailure(error, identity, call, this.options.maxResponseBytes);
          }
        };
        return this.shared?.covers(identity)
          ? this.shared.run(token, isWrite ? "write" : "read", call.signal, send, call.weight)
          : send();
      }, call)
      .catch((error: unknown): Attempt => {
        // Aborted while queued for a slot: nothing was sent. The server's store failing while
        // the identity renewed its token is its own error (store_unavailable), not a cancel.
        if (error instanceof AppError || error instanceof StoreUnavailableError) throw error;
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

function classifyFailure(error: unknown, identity: Identity, call: AsanaCall, maxBytes: number): Attempt {
  const code = errorCode(error);
  const where = `${call.method} ${call.path} as ${describeIdentity(identity)}`;
  if (code === RESPONSE_TOO_LARGE) return tooLarge(error, call, where, maxBytes);
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

/**
 * Never repeated, and for a write never `write_unknown`: that would settle by sending again or
 * reading back, into another answer as large. Asana did answer, so the message says what its
 * status tells: a 2xx write was applied; otherwise it was refused or may have been.
 */
function tooLarge(error: unknown, call: AsanaCall, where: string, maxBytes: number): Attempt {
  const status = (error as { status?: unknown }).status;
  const limit = `${maxBytes} bytes (ASANA_MAX_RESPONSE_BYTES)`;
  let outcome = "";
  if (call.method !== "GET") {
    outcome =
      typeof status === "number" && status >= 200 && status < 300
        ? ` Asana answered ${status}: the write WAS applied; read the object back instead of repeating it.`
        : ` Asana answered ${status}: the write may or may not have been applied; read the object back before repeating it.`;
  }
  return {
    kind: "failure",
    sent: true,
    final: true,
    error: new AppError(
      "asana_response_too_large",
      `Asana's answer to ${where} was larger than ${limit} and was not read.${outcome}`,
      { status: typeof status === "number" ? status : undefined },
    ),
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
    { requestId },
  );
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

// One POST /batch of up to 10 actions, shared by the items whose writes it carries. Each item runs
// its own write (createOnce, idempotentWrite) with a `send` that hands its action to the batch and
// answers with what Asana answered for that action, so a batch action is settled exactly as a
// direct request would be: an uncertain answer (the batch timed out or answered 5xx after sending,
// or the action answered 5xx) is write_unknown for that item, which its own write then settles.

import { asanaMessages, statusToError } from "../asana/errors.js";
import { retryAfterMs } from "../asana/http-body.js";
import { describeIdentity } from "../auth/identities.js";
import { AppError } from "../errors.js";
import type { ToolContext } from "./define.js";

/** Asana's limit: "The maximum number of actions allowed in a single batch request is 10". */
export const MAX_BATCH_ACTIONS = 10;

/** An action as createBatchRequest takes it: methods lowercase, opt_fields as options.fields. */
export interface BatchAction {
  relative_path: string;
  method: "post" | "put";
  data: Record<string, unknown>;
  options?: { fields?: string[] };
}

interface BatchResult {
  status_code?: unknown;
  headers?: unknown;
  body?: unknown;
}

/** An action's Retry-After in whole seconds, from its own headers in the batch's answer. */
function retryAfterOf(result: BatchResult | undefined): number | undefined {
  const headers = result?.headers;
  if (typeof headers !== "object" || headers === null) return undefined;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === "retry-after");
  const raw = typeof entry?.[1] === "string" || typeof entry?.[1] === "number" ? String(entry[1]) : undefined;
  return raw === undefined ? undefined : Math.ceil(retryAfterMs(raw) / 1000);
}

/** What a rate limit asks of the agent: Asana's own wait when it said one. */
function waitFor(retryAfterSeconds: number | undefined): string {
  return retryAfterSeconds !== undefined ? `wait ${retryAfterSeconds} s` : "wait a minute";
}

interface Entry {
  /** The item's place in the batch: actions are sent in the items' order. */
  position: number;
  action: BatchAction;
  /** Asana answers this action's success with an empty object (a section's addTask), not the task. */
  answersEmpty: boolean;
  resolve(data: unknown): void;
  reject(error: AppError): void;
}

export class BatchRequest {
  private readonly entries: Entry[] = [];
  private waiting: number;
  /** Why Asana refused the request (not an uncertain failure) or limited its rate: later batches are not sent. */
  refusal?: AppError;
  /** How long Asana's rate limit asked to wait ("wait 30 s"), when it limited the request or an action. */
  rateLimitWait?: string;
  /** Whether the request was sent (some item handed its action in). */
  sent = false;

  /** `items`: how many items will hand in an action or skip; the request goes once all have. */
  constructor(
    private readonly context: ToolContext,
    items: number,
  ) {
    this.waiting = items;
  }

  /** An item's send: hands its action in; resolves with the action's `data` or rejects with its error. */
  send<T>(position: number, action: BatchAction, answersEmpty = false): Promise<T> {
    const answer = new Promise<T>((resolve, reject) => {
      this.entries.push({ position, action, answersEmpty, resolve: (data) => resolve(data as T), reject });
    });
    this.arrived();
    return answer;
  }

  /** An item that ended without handing in an action. */
  skip(): void {
    this.arrived();
  }

  private arrived(): void {
    this.waiting -= 1;
    if (this.waiting === 0 && this.entries.length > 0) void this.fire();
  }

  private async fire(): Promise<void> {
    const { asana, identity, signal } = this.context;
    const entries = this.entries.splice(0).sort((a, b) => a.position - b.position);
    const actions = entries.map((e) => e.action);
    this.sent = true;
    let data: unknown;
    let requestId: string | undefined;
    try {
      ({ data, requestId } = await asana.request<unknown>(identity, {
        method: "POST",
        path: "/batch",
        body: { actions },
        // Asana counts every action as a request of its own, in its rate and concurrency limits.
        weight: actions.length,
        signal,
      }));
    } catch (error) {
      const failure =
        error instanceof AppError
          ? error
          : new AppError("internal", `POST /batch failed: ${error instanceof Error ? error.message : error}`);
      if (failure.code !== "write_unknown") this.refusal = failure;
      if (failure.code === "rate_limited") this.rateLimitWait = waitFor(failure.retryAfterSeconds);
      for (const entry of entries) entry.reject(failure);
      return;
    }
    const results =
      Array.isArray(data) && data.length === actions.length ? (data as BatchResult[]) : undefined;
    for (const [i, entry] of entries.entries()) {
      const outcome = this.outcomeOf(entry, i, results?.[i], requestId);
      // Asana fails a whole batch with 429 when any action would pass a limit; an action of its own
      // answered 429 still says the limit is reached, so later batches would only be refused too.
      if (outcome instanceof AppError && outcome.code === "rate_limited") this.refusal ??= outcome;
      if (outcome instanceof AppError) entry.reject(outcome);
      else entry.resolve(outcome);
    }
  }

  /** One action's answer: its data, or its error as a direct request's would be (naming the identity). */
  private outcomeOf(
    { action, answersEmpty }: Entry,
    index: number,
    result: BatchResult | undefined,
    requestId: string | undefined,
  ): unknown {
    const method = action.method.toUpperCase();
    const where = `${method} ${action.relative_path} (action ${index + 1} of a POST /batch)`;
    const unknown = (why: string) =>
      new AppError("write_unknown", `${where} may or may not have been applied: ${why}.`, { requestId });
    const status = result?.status_code;
    if (typeof status !== "number" || !Number.isInteger(status)) {
      return unknown("Asana's answer to the batch holds no status for it");
    }
    if (status >= 200 && status < 300) {
      const body = result?.body as { data?: { gid?: unknown } } | undefined;
      if (answersEmpty) return body?.data ?? {};
      if (typeof body?.data?.gid !== "string") return unknown(`Asana answered ${status} without the object`);
      return body.data;
    }
    if (status >= 500) {
      const { message } = asanaMessages(result?.body);
      return unknown(
        `Asana answered ${status} to it as ${describeIdentity(this.context.identity)}${message ? `: ${message}` : ""}`,
      );
    }
    // Refused: Asana did not act on it. The same error a direct request gets, naming the identity.
    const retryAfterSeconds = status === 429 ? retryAfterOf(result) : undefined;
    const error = statusToError(status, result?.body, {
      identity: this.context.identity,
      method,
      path: action.relative_path,
      requestId,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
    if (error.code !== "rate_limited") return error;
    // Not applied, and not repeated here (the batch has answered): the item is the agent's to send again.
    const wait = waitFor(retryAfterSeconds);
    this.rateLimitWait ??= wait;
    return new AppError(error.code, error.message, {
      requestId,
      status,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      hint: `Asana's rate limit for ${describeIdentity(this.context.identity)} was reached; it did not act on this item: ${wait} and send this item again.`,
    });
  }
}

// Asana's limits are per token, and replicas of one deployment send as the same shared identities
// (the bot, the service account). The in-process Limiter keeps one process within them; this keeps
// all replicas within them together, through the store they share: before a request is sent it
// takes a slot of the token's semaphore (50 reads, 15 writes), and optionally its per-minute quota.
// Waiting is polling with short jittered backoff, bounded by the call's signal, so a call still
// queued at its deadline ends before anything is sent. Slots are leased: a replica killed while
// holding some gives them back when the lease ends.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Identity } from "../auth/identities.js";
import { AppError } from "../errors.js";
import { log } from "../log.js";
import { digest } from "../store/crypto.js";
import type { Store } from "../store/types.js";

export interface SharedLimits {
  store: Store;
  /** The identities whose budget is shared (the deployment's bot and service account). */
  identities: Identity[];
  /** Requests per minute per token, across every replica; none when unset. */
  perMinute?: number;
}

export type RequestKind = "read" | "write";

/** The polling backoff, before jitter: doubling from the first step up to the last. */
const FIRST_POLL_MS = 20;
const LAST_POLL_MS = 200;
/** Beyond the longest an exchange may take (headers, then body, each up to the request timeout). */
const LEASE_MARGIN_MS = 5_000;

export class SharedLimiter {
  private readonly shared: Set<Identity>;
  readonly store: Store;

  constructor(
    private readonly limits: SharedLimits,
    private readonly capacity: Record<RequestKind, number>,
    requestTimeoutMs: number,
    private readonly leaseMs = 2 * requestTimeoutMs + LEASE_MARGIN_MS,
  ) {
    this.shared = new Set(limits.identities);
    this.store = limits.store;
  }

  covers(identity: Identity): boolean {
    return this.shared.has(identity);
  }

  /** The store shared with the other replicas, when `identity` is one they all act as. */
  storeFor(identity: Identity): Store | undefined {
    return this.covers(identity) ? this.store : undefined;
  }

  /**
   * Runs `send` once this request has its share of the token's budget. Rejects with the signal's
   * reason when it aborts first, and with a retryable AppError when the store fails; in both cases
   * nothing was sent.
   */
  async run<T>(
    token: string,
    kind: RequestKind,
    signal: AbortSignal | undefined,
    send: () => Promise<T>,
    weight = 1,
  ): Promise<T> {
    const tag = digest(token).slice(0, 16);
    // A batch request of n actions counts as n requests, in the quota and in flight (Asana's rule).
    const units = Math.max(1, Math.min(Math.floor(weight), this.capacity[kind]));
    if (this.limits.perMinute !== undefined) {
      for (let i = 0; i < units; i++) await this.quota(`asana:${tag}:minute`, signal);
    }
    const name = `asana:${tag}:${kind}`;
    let holders: string[];
    if (units === 1) {
      holders = [randomUUID()];
      await this.acquire(name, this.capacity[kind], holders[0]!, signal);
    } else holders = await this.acquireAll(name, this.capacity[kind], units, signal);
    try {
      return await send();
    } finally {
      await this.release(name, holders);
    }
  }

  /**
   * `units` slots at once, or none: a round that cannot take them all gives back what it took
   * before waiting, so two replicas' heavy requests never each hold part and wait for the rest.
   */
  private async acquireAll(
    name: string,
    capacity: number,
    units: number,
    signal: AbortSignal | undefined,
  ): Promise<string[]> {
    for (let step = FIRST_POLL_MS; ; step = Math.min(LAST_POLL_MS, step * 2)) {
      signal?.throwIfAborted();
      const holders: string[] = [];
      try {
        while (holders.length < units) {
          const holder = randomUUID();
          const got = await this.store
            .acquireSlot(name, capacity, holder, this.leaseMs)
            .catch((error: unknown) => {
              throw unavailable(error);
            });
          if (!got) break;
          holders.push(holder);
        }
      } catch (error) {
        await this.release(name, holders);
        throw error;
      }
      if (holders.length === units && !signal?.aborted) return holders;
      await this.release(name, holders);
      signal?.throwIfAborted();
      await sleep(step * (0.5 + Math.random()), undefined, { signal });
    }
  }

  /** A slot not given back is free again when its lease ends: a failure here costs only time. */
  private async release(name: string, holders: string[]): Promise<void> {
    for (const holder of holders) {
      await this.store.releaseSlot(name, holder).catch((error: unknown) => {
        log.warn(`a shared Asana request slot could not be given back: ${reason(error)}`);
      });
    }
  }

  private async acquire(
    name: string,
    capacity: number,
    holder: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    for (let step = FIRST_POLL_MS; ; step = Math.min(LAST_POLL_MS, step * 2)) {
      signal?.throwIfAborted();
      const got = await this.store
        .acquireSlot(name, capacity, holder, this.leaseMs)
        .catch((error: unknown) => {
          throw unavailable(error);
        });
      if (got) {
        // Aborted while the store answered: the slot goes back, the call ends unsent.
        if (signal?.aborted) {
          await this.store.releaseSlot(name, holder).catch(() => undefined);
          signal.throwIfAborted();
        }
        return;
      }
      await sleep(step * (0.5 + Math.random()), undefined, { signal });
    }
  }

  private async quota(name: string, signal: AbortSignal | undefined): Promise<void> {
    const perMinute = this.limits.perMinute!;
    for (;;) {
      signal?.throwIfAborted();
      const wait = await this.store.takeQuota(name, perMinute).catch((error: unknown) => {
        throw unavailable(error);
      });
      if (wait === 0) return;
      await sleep(Math.min(wait, 60_000) * (1 + Math.random() * 0.1), undefined, { signal });
    }
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The store could not say whether a slot is free: the request is not sent (it could take Asana
 * past its limits for every replica). Retryable: the store is usually back in seconds.
 */
function unavailable(error: unknown): AppError {
  return new AppError(
    "store_unavailable",
    `The request was not sent to Asana: the store that shares Asana's request limits between replicas is unavailable (${reason(error)}).`,
    {
      retryable: true,
      cause: error,
      hint: "The shared store (PostgreSQL) had a temporary problem: call again in a few seconds.",
    },
  );
}

// The one store interface of remote mode: where sign-ins live between requests, restarts and
// replicas. Records are JSON objects under (kind, key); the store never sees a token in clear:
// callers hash their own tokens into keys and seal Asana tokens before putting them.
//
// The atomic operations are what the OAuth flows need to hold under concurrency: `take` is a
// single-use read (an authorization code, a refresh token, a pending sign-in is consumed once,
// however many requests race for it), and `withLock` serialises one piece of work (refreshing a
// person's Asana token) across every process sharing the store.
//
// The budget operations are what replicas sharing one Asana token need to stay within Asana's
// limits together: a counting semaphore whose slots are leased (a replica killed mid-request gives
// its slots back when the lease ends), a per-minute quota, and first-writer-wins claims. They are
// short-lived by nature, so the embedded store (one process) keeps them in memory only.

import type { AuditSink } from "../audit.js";

/** What a record is. Each kind is one table (PostgreSQL) or one map (the embedded file). */
export type RecordKind =
  /** Registered OAuth clients (dynamic client registration), by client_id. */
  | "client"
  /** Sign-ins in progress (authorize → consent → Asana → callback), by their random id. */
  | "pending"
  /** A person's approval of a client and redirect URI, by a digest of the three. */
  | "consent"
  /** Authorization codes this server issued, by the code's digest. */
  | "code"
  /** A person's sign-in: who they are and their sealed Asana tokens, by grant id. */
  | "grant"
  /** Access tokens this server issued, by the token's digest. */
  | "access"
  /** Refresh tokens this server issued, by the token's digest. */
  | "refresh"
  /** One-time confirmation tokens of destructive calls (src/confirm.ts), by the token's digest. */
  | "confirmation";

export const RECORD_KINDS: readonly RecordKind[] = [
  "client",
  "pending",
  "consent",
  "code",
  "grant",
  "access",
  "refresh",
  "confirmation",
];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface PutOptions {
  /** Epoch milliseconds after which the record is gone (get/take answer undefined, sweep deletes it). */
  expiresAt?: number;
}

/** The store is unreachable or failed: retryable, and never a reason to drop a sign-in. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
}

/** The audit table's sink, for a store that has one (see PostgresAuditSink). */
export interface AuditTableOptions {
  /** ASANA_AUDIT_LOG_BODIES. */
  bodies: boolean;
  /** Records held while the database does not answer; past it, new ones are dropped and counted. */
  maxQueue?: number;
  /** The longest closing waits for queued records to be written. */
  closeTimeoutMs?: number;
}

export interface Store {
  readonly kind: "file" | "postgres";
  /** Where the store is, for people: a file path or a database URL without its password. */
  readonly location: string;
  /** Creates or replaces a record. */
  put(kind: RecordKind, key: string, value: JsonObject, options?: PutOptions): Promise<void>;
  /** Creates a record only when none (unexpired) exists under the key; resolves whether it did. */
  putNew(kind: RecordKind, key: string, value: JsonObject, options?: PutOptions): Promise<boolean>;
  /** The record, or undefined when absent or expired. */
  get(kind: RecordKind, key: string): Promise<JsonObject | undefined>;
  /**
   * Reads and deletes in one step: of any number of concurrent takes of one key (across every
   * process sharing the store), exactly one gets the record.
   */
  take(kind: RecordKind, key: string): Promise<JsonObject | undefined>;
  /** Resolves true when a record was deleted. */
  delete(kind: RecordKind, key: string): Promise<boolean>;
  /**
   * Runs `work` while holding the named lock, exclusive across every process sharing the store;
   * a waiter that does not get the lock within `waitMs` rejects with StoreUnavailableError.
   */
  withLock<T>(name: string, waitMs: number, work: () => Promise<T>): Promise<T>;
  /**
   * Takes one of `capacity` slots of the named semaphore for `holder` (unique per acquisition) when
   * one is free; a slot whose lease (`leaseMs` from now) has ended counts as free. Resolves whether
   * it did; of any number of racing acquirers, across every process, at most `capacity` hold one.
   */
  acquireSlot(name: string, capacity: number, holder: string, leaseMs: number): Promise<boolean>;
  /** Gives back the slot `holder` took (nothing when it holds none, or its lease ended). */
  releaseSlot(name: string, holder: string): Promise<void>;
  /** How many slots of the named semaphore are held now (leases not ended), across every process. */
  countSlots(name: string): Promise<number>;
  /**
   * Counts one request against the named quota of `perMinute` requests a minute (bursts up to
   * `perMinute`, then spaced evenly): resolves 0 when it may go now (and it is counted), otherwise
   * the milliseconds until one may (and nothing is counted).
   */
  takeQuota(name: string, perMinute: number): Promise<number>;
  /**
   * First writer wins: resolves true for the first claim of `name` across every process, false
   * while that claim lasts (until `expiresAt`, epoch milliseconds).
   */
  claim(name: string, expiresAt: number): Promise<boolean>;
  /** Deletes expired records (and claims); resolves how many. */
  sweep(now?: number): Promise<number>;
  /** How many live records of a kind (tests and benches). */
  count(kind: RecordKind): Promise<number>;
  /**
   * An append-only audit table beside the records, where the store has one (PostgreSQL; the
   * embedded file has none). Closing the store closes the sinks it opened, flushing them first.
   */
  openAudit?(options: AuditTableOptions): AuditSink;
  close(): Promise<void>;
}

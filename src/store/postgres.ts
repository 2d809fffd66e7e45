// The PostgreSQL store: remote mode's store when replicas share sign-ins. Every record is a row of
// asana_mcp_records under (kind, key); each operation is one statement, so its atomicity is the
// database's: `take` is a DELETE … RETURNING (of racing takes, one deletes the row), `putNew` an
// INSERT … ON CONFLICT that overwrites only an expired row. Expiry is judged by the database's
// clock, the one clock every replica shares. `withLock` is a transaction-scoped advisory lock.
//
// The driver (pg) is loaded by import() here only: stdio mode never pays for it.
import { createHash } from "node:crypto";
import type { Pool, PoolClient, QueryResultRow } from "pg";
import type { AuditSink } from "../audit.js";
import { log, registerSecret } from "../log.js";
import { PostgresAuditSink } from "./postgres-audit.js";
import * as budget from "./postgres-budget.js";
import { migrate } from "./postgres-migrations.js";
import {
  type AuditTableOptions,
  type JsonObject,
  type PutOptions,
  type RecordKind,
  type Store,
  StoreUnavailableError,
} from "./types.js";

export interface PostgresStoreOptions {
  /** Connections per process (default 10). Half at most are ever held by withLock. */
  poolSize?: number;
  /** The longest opening waits for another replica's migrations (default 30 s). */
  lockTimeoutMs?: number;
  /** The longest a connection attempt, or a wait for a pooled connection, takes (default 2 s). */
  connectTimeoutMs?: number;
}

/** The URL for people: any password, in the authority or as a parameter, is `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    if (parsed.searchParams.has("password")) parsed.searchParams.set("password", "***");
    return parsed.toString().replace("password=%2A%2A%2A", "password=***");
  } catch {
    // Not a URL (a libpq key=value string): hide every password=… value.
    return url.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, "$1***");
  }
}

function passwordOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return decodeURIComponent(parsed.password) || parsed.searchParams.get("password") || undefined;
  } catch {
    return /password\s*=\s*'?([^'\s]+)/i.exec(url)?.[1];
  }
}

/** Socket errors that mean "the database is not reachable now", not "the request is wrong". */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs that say the same: connection exceptions (08…), insufficient resources (53…, e.g. too
 * many connections), the server shutting down or starting (57P01–57P03), and lock_not_available
 * (55P03), which is how a lock wait past lock_timeout ends.
 */
function unavailableSqlState(code: string): boolean {
  return (
    code.startsWith("08") || code.startsWith("53") || ["57P01", "57P02", "57P03", "55P03"].includes(code)
  );
}

/** The driver's own words for a connection lost or never made (it sets no code on these). */
const DRIVER_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection timeout/i;

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (NETWORK_CODES.has(code) || unavailableSqlState(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return DRIVER_MESSAGES.test(error.message);
}

/** A 64-bit advisory lock key for a lock name: the first 8 bytes of its SHA-256, signed. */
export function lockKey(name: string): string {
  return createHash("sha256").update(`asana-mcp lock ${name}`).digest().readBigInt64BE(0).toString();
}

/** Milliseconds for a PostgreSQL timeout setting: 0 there means "wait forever", so never 0. */
function pgMs(ms: number): string {
  return `${Math.max(1, Math.ceil(ms))}ms`;
}

/** Waits for `promise` until `deadline` (epoch ms); resolves whether it settled in time. */
async function settledBy(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const LIVE = "(expires_at IS NULL OR expires_at > now())";
/**
 * Expiry is kept in the database's clock: callers give an epoch in their own, which is sent as
 * the time left (`ttl()`) and added to the database's now(), so a replica whose clock is off
 * neither ages records early nor keeps them late.
 */
const EXPIRES = "now() + $4::double precision * interval '1 millisecond'";

export function ttl(expiresAt: number | undefined): number | null {
  return expiresAt === undefined ? null : expiresAt - Date.now();
}

class PostgresStore implements Store {
  readonly kind = "postgres";
  /** In-process queues per lock name: one session per name waits on the database, not many. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Sessions withLock may hold at once; the rest of the pool stays for the work inside. */
  private lockSlots: number;
  private readonly slotWaiters: Array<() => void> = [];
  private readonly audits = new Set<PostgresAuditSink>();

  constructor(
    private readonly pool: Pool,
    readonly location: string,
    poolSize: number,
  ) {
    this.lockSlots = Math.max(1, Math.floor(poolSize / 2));
  }

  /** Rethrows an unreachable database as StoreUnavailableError; anything else as it is. */
  translate(error: unknown): unknown {
    return isUnavailable(error) ? unavailableAt(this.location, error) : error;
  }

  private readonly query = async <R extends QueryResultRow>(text: string, values: unknown[]) => {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw this.translate(error);
    }
  };

  acquireSlot(name: string, capacity: number, holder: string, leaseMs: number): Promise<boolean> {
    return budget.acquireSlot(this.query, name, capacity, holder, leaseMs);
  }

  countSlots(name: string): Promise<number> {
    return budget.countSlots(this.query, name);
  }

  releaseSlot(name: string, holder: string): Promise<void> {
    return budget.releaseSlot(this.query, name, holder);
  }

  takeQuota(name: string, perMinute: number): Promise<number> {
    return budget.takeQuota(this.query, name, perMinute);
  }

  claim(name: string, expiresAt: number): Promise<boolean> {
    return budget.claim(this.query, name, expiresAt);
  }

  async put(kind: RecordKind, key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    await this.query(
      `INSERT INTO asana_mcp_records (kind, key, value, expires_at) VALUES ($1, $2, $3::jsonb, ${EXPIRES})
       ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [kind, key, JSON.stringify(value), ttl(options?.expiresAt)],
    );
  }

  async putNew(kind: RecordKind, key: string, value: JsonObject, options?: PutOptions): Promise<boolean> {
    // Of concurrent inserts of one key, one inserts; the others wait for it, then see a live row
    // and write nothing. Only an expired row is overwritten, as if it were already swept.
    const result = await this.query(
      `INSERT INTO asana_mcp_records AS r (kind, key, value, expires_at)
       VALUES ($1, $2, $3::jsonb, ${EXPIRES})
       ON CONFLICT (kind, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
       WHERE r.expires_at IS NOT NULL AND r.expires_at <= now()
       RETURNING 1`,
      [kind, key, JSON.stringify(value), ttl(options?.expiresAt)],
    );
    return result.rowCount === 1;
  }

  async get(kind: RecordKind, key: string): Promise<JsonObject | undefined> {
    const result = await this.query<{ value: JsonObject }>(
      `SELECT value FROM asana_mcp_records WHERE kind = $1 AND key = $2 AND ${LIVE}`,
      [kind, key],
    );
    return result.rows[0]?.value;
  }

  async take(kind: RecordKind, key: string): Promise<JsonObject | undefined> {
    const result = await this.query<{ value: JsonObject }>(
      `DELETE FROM asana_mcp_records WHERE kind = $1 AND key = $2 AND ${LIVE} RETURNING value`,
      [kind, key],
    );
    return result.rows[0]?.value;
  }

  async delete(kind: RecordKind, key: string): Promise<boolean> {
    const result = await this.query("DELETE FROM asana_mcp_records WHERE kind = $1 AND key = $2", [
      kind,
      key,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async count(kind: RecordKind): Promise<number> {
    const result = await this.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM asana_mcp_records WHERE kind = $1 AND ${LIVE}`,
      [kind],
    );
    return result.rows[0]?.n ?? 0;
  }

  async sweep(now?: number): Promise<number> {
    // Without `now`, the database's clock; with it, the caller's instant (tests, a catch-up).
    const result = await this.query(
      `DELETE FROM asana_mcp_records
       WHERE expires_at IS NOT NULL AND expires_at <= coalesce(to_timestamp($1::double precision / 1000), now())`,
      [now ?? null],
    );
    return (result.rowCount ?? 0) + (await budget.sweepBudget(this.query, now));
  }

  async withLock<T>(name: string, waitMs: number, work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + waitMs;
    const timedOut = () =>
      new StoreUnavailableError(
        `the lock "${name}" was not free within ${waitMs} ms; the request can be retried`,
      );

    // First in line in this process for the name…
    const previous = this.queues.get(name) ?? Promise.resolve();
    let leave!: () => void;
    const mine = new Promise<void>((resolve) => {
      leave = resolve;
    });
    const tail = previous.then(() => mine);
    this.queues.set(name, tail);
    try {
      if (!(await settledBy(previous, deadline))) throw timedOut();
      // …then a lock session slot, so lock holders never take the connections their work needs…
      if (!(await this.takeSlot(deadline))) throw timedOut();
      try {
        // …then the database lock, which orders this process among the other replicas.
        return await this.lockedWork(name, deadline, work, timedOut);
      } finally {
        this.giveSlot();
      }
    } finally {
      leave();
      if (this.queues.get(name) === tail) this.queues.delete(name);
    }
  }

  private async lockedWork<T>(
    name: string,
    deadline: number,
    work: () => Promise<T>,
    timedOut: () => StoreUnavailableError,
  ): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.translate(error);
    }
    let broken: Error | undefined;
    // pg-pool listens for a checked-out client's errors no more: the lock's session dying while
    // the work runs (a failover, a terminated backend) would otherwise be an uncaught error.
    // The lock is gone with it, so the work's result cannot be trusted to have been exclusive.
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost = error;
      broken = error;
    };
    client.on("error", onError);
    try {
      try {
        await client.query("BEGIN");
        await client.query("SELECT set_config('lock_timeout', $1, true)", [pgMs(deadline - Date.now())]);
        await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey(name)]);
      } catch (error) {
        await client.query("ROLLBACK").catch((e: Error) => {
          broken = e;
        });
        if ((error as { code?: unknown }).code === "55P03") throw timedOut();
        if (isUnavailable(error)) broken = error as Error;
        throw this.translate(error);
      }
      let result: T;
      try {
        result = await work();
      } catch (error) {
        await client.query("ROLLBACK").catch((e: Error) => {
          broken = e;
        });
        throw error;
      }
      // The transaction holds nothing but the lock: a failed COMMIT loses no data, and the work
      // is done, so its result stands (the lock ended with the session either way).
      if (lost) throw this.lockLost(name, lost);
      await client.query("COMMIT").catch((e: Error) => {
        broken = e;
      });
      if (lost) throw this.lockLost(name, lost);
      return result;
    } finally {
      client.off("error", onError);
      // A session whose state is unknown is discarded, never handed to the next caller.
      client.release(broken);
    }
  }

  private lockLost(name: string, error: Error): StoreUnavailableError {
    log.warn(`the lock ${JSON.stringify(name)} was lost with its database session (${error.message})`);
    return new StoreUnavailableError(
      `The lock held in ${this.location} was lost while its work ran (${error.message}); call again.`,
    );
  }

  private async takeSlot(deadline: number): Promise<boolean> {
    if (this.lockSlots > 0) {
      this.lockSlots--;
      return true;
    }
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.slotWaiters.push(wake);
    if (await settledBy(woken, deadline)) return true; // giveSlot handed its slot over
    const at = this.slotWaiters.indexOf(wake);
    if (at >= 0) {
      this.slotWaiters.splice(at, 1);
      return false;
    }
    // Handed a slot just as the deadline passed: keep it rather than lose it.
    return true;
  }

  private giveSlot(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.lockSlots++;
  }

  openAudit(options: AuditTableOptions): AuditSink {
    const sink = new PostgresAuditSink(this.pool, this.location, options);
    this.audits.add(sink);
    return sink;
  }

  async close(): Promise<void> {
    // Queued audit records go before the connections do (each sink's close is bounded in time).
    await Promise.all([...this.audits].map((sink) => sink.close()));
    await this.pool.end();
  }
}

/**
 * Opens the store at a PostgreSQL URL (postgres://user:password@host:port/database?sslmode=…),
 * bringing its schema up to date. An unreachable database rejects with StoreUnavailableError.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 2)
    throw new Error(
      "the PostgreSQL store needs a pool of at least 2 connections (one for a lock, one for work)",
    );
  const location = redactUrl(url);
  registerSecret(passwordOf(url));
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: "asana-mcp",
  });
  // An idle connection that dies (a database restart) is an 'error' on the pool; unheard, it would
  // end the process. The pool drops that client and connects afresh on the next query.
  pool.on("error", (error) => {
    log.debug("a pooled PostgreSQL connection closed", { location, reason: error.message });
  });
  const store = new PostgresStore(pool, location, poolSize);
  try {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw store.translate(error);
    }
    let broken: Error | undefined;
    try {
      await migrate(client, options.lockTimeoutMs ?? 30_000);
    } catch (error) {
      broken = error as Error;
      throw store.translate(error);
    } finally {
      client.release(broken);
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return store;
}

function unavailableAt(location: string, error: unknown): StoreUnavailableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(
    `the PostgreSQL store at ${location} is unavailable (${reason}); the request can be retried`,
  );
}

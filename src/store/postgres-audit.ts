// The audit log in PostgreSQL: the append-only table asana_mcp_audit (migration "audit"), written
// by a buffered sink and read back in id order by `asana-mcp audit export`.
//
// The sink never makes a tool's answer wait for the database: append() queues the record and
// returns; one insert at a time drains the queue in batches. While the database is down, records
// wait in the queue (retried with backoff) up to a bound; past it, new records are dropped and
// counted, and the count is logged, once when dropping starts and again when the database is back
// or the sink closes. Closing writes what is queued, as far as the database allows in time.
import type { Pool } from "pg";
import type { AuditRecord, AuditSink } from "../audit.js";
import { log, redact } from "../log.js";

export interface PostgresAuditOptions {
  /** ASANA_AUDIT_LOG_BODIES. */
  bodies: boolean;
  /** Records held while the database does not answer; past it, new ones are dropped (default 10,000). */
  maxQueue?: number;
  /** Records per INSERT (default 500). */
  batchSize?: number;
  /** The longest close() waits for the queue to be written (default 5 s). */
  closeTimeoutMs?: number;
}

/** What the sink needs of a pool: the store's own, so the audit adds one connection at most. */
export type AuditPool = Pick<Pool, "query">;

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export class PostgresAuditSink implements AuditSink {
  readonly bodies: boolean;
  private readonly queue: string[] = [];
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly closeTimeoutMs: number;
  private writing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private failing = false;
  private closed = false;
  /** Dropped since the last report, and in all. */
  private droppedUnreported = 0;
  dropped = 0;
  /** Records written to the table, in all (tests and benches). */
  written = 0;

  constructor(
    private readonly pool: AuditPool,
    private readonly location: string,
    options: PostgresAuditOptions,
  ) {
    this.bodies = options.bodies;
    this.maxQueue = Math.max(1, options.maxQueue ?? 10_000);
    this.batchSize = Math.max(1, options.batchSize ?? 500);
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
  }

  append(record: AuditRecord): void {
    if (this.closed || this.queue.length >= this.maxQueue) {
      this.drop(this.closed ? "the audit log is closed" : `${this.maxQueue} records are waiting`);
      return;
    }
    this.queue.push(serialize(record));
    if (!this.failing) this.kick();
  }

  /** Resolves once everything queued so far is written, or the database failed meanwhile. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 && !this.failing) {
      this.kick();
      await this.writing;
    }
    await this.writing;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    // One more try for what waited through an outage, bounded: shutdown must not hang on it.
    this.failing = false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.flush(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.closeTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    clearTimeout(this.retryTimer);
    if (this.queue.length > 0) {
      this.dropped += this.queue.length;
      this.droppedUnreported += this.queue.length;
      this.queue.length = 0;
    }
    this.report();
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
    });
  }

  /** Writes batches until the queue is empty or an insert fails (then retries later). */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.batchSize);
      try {
        // One parameter, a JSON array: one statement however many records, and no SQL built.
        await this.pool.query(
          "INSERT INTO asana_mcp_audit (record) SELECT value FROM jsonb_array_elements($1::jsonb)",
          [`[${batch.join(",")}]`],
        );
      } catch (error) {
        // A record the database refuses as data (SQLSTATE class 22) would be refused forever:
        // that batch is dropped and counted, and the records behind it go on.
        if (isDataError(error)) {
          this.queue.splice(0, batch.length);
          this.drop(
            `the audit table refused ${batch.length} record(s) as data (${(error as Error).message})`,
            batch.length,
          );
          continue;
        }
        this.fail(error);
        return;
      }
      this.queue.splice(0, batch.length);
      this.written += batch.length;
      if (this.failing || this.droppedUnreported > 0) {
        log.info(`the audit table at ${this.location} answers again`);
        this.failing = false;
        this.report();
      }
      this.retryMs = FIRST_RETRY_MS;
    }
  }

  private fail(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    if (!this.failing) {
      log.error(
        `could not append to the audit table at ${this.location} (${reason}): records wait in memory (at most ${this.maxQueue}) and are retried`,
      );
    }
    this.failing = true;
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.kick(), this.retryMs);
    // A retry pending must not keep a process alive that has nothing else to do.
    this.retryTimer.unref();
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
  }

  private drop(why: string, count = 1): void {
    const first = this.droppedUnreported === 0;
    this.dropped += count;
    this.droppedUnreported += count;
    if (first) log.error(`audit records are being dropped (${why}); the count is logged when it stops`);
  }

  private report(): void {
    if (this.droppedUnreported === 0) return;
    log.error(
      `${this.droppedUnreported} audit record(s) were dropped while the audit table at ${this.location} did not answer (${this.dropped} in all)`,
    );
    this.droppedUnreported = 0;
  }
}

/**
 * The record as the file would hold it: one redaction pass over the line. A secret holding a
 * quote or a backslash could cut across JSON escapes; then each string is redacted instead.
 */
function serialize(record: AuditRecord): string {
  return redactedLine(storable(record));
}

/**
 * PostgreSQL's jsonb refuses two things JSON allows: the NUL character and a lone UTF-16
 * surrogate, in any string or key. Argument names and values come from callers, so both become
 * U+FFFD here: one caller's odd text must not stop the audit log for everyone.
 */
export function storable(value: unknown): unknown {
  if (typeof value === "string") return clean(value);
  if (Array.isArray(value)) return value.map(storable);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [clean(key), storable(inner)]));
  }
  return value;
}

function clean(text: string): string {
  // Lone surrogates: String.prototype.toWellFormed is Node 20's, typed from ES2024 lib.
  const wellFormed = (text as string & { toWellFormed(): string }).toWellFormed();
  return wellFormed.includes("\u0000") ? wellFormed.replaceAll("\u0000", "\uFFFD") : wellFormed;
}

function redactedLine(record: unknown): string {
  const line = redact(JSON.stringify(record));
  try {
    JSON.parse(line);
    return line;
  } catch {
    return redact(
      JSON.stringify(record, (_key, value: unknown) => (typeof value === "string" ? redact(value) : value)),
    );
  }
}

function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("22");
}

export interface AuditRow {
  id: number;
  at: string;
  record: Record<string, unknown>;
}

/**
 * The table's rows from `since` on, in id order, a batch at a time: keyset pagination on the
 * primary key, so a table of any size is read in constant memory, and rows appended meanwhile
 * are read too (the export ends at the last row it finds).
 */
export async function* auditRows(
  pool: AuditPool,
  options: { since?: Date; batchSize?: number } = {},
): AsyncGenerator<AuditRow> {
  const batchSize = options.batchSize ?? 1000;
  let after = "0";
  for (;;) {
    const result = await pool.query<{ id: string; at: Date; record: Record<string, unknown> }>(
      `SELECT id, at, record FROM asana_mcp_audit
       WHERE id > $1::bigint AND ($2::timestamptz IS NULL OR at >= $2::timestamptz)
       ORDER BY id LIMIT $3`,
      [after, options.since?.toISOString() ?? null, batchSize],
    );
    for (const row of result.rows) yield { id: Number(row.id), at: row.at.toISOString(), record: row.record };
    const last = result.rows.at(-1);
    if (!last || result.rows.length < batchSize) return;
    after = last.id;
  }
}

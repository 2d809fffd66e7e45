// The embedded store: every record in one JSON file, for one asana-mcp process. Reads are served
// from memory; writes go through one queue per file and are committed in groups (every operation
// waiting while a write is in flight goes into the next one), each group written atomically: a
// 0600 temp file, flushed, renamed over the old file, so a crash leaves the old or the new state.
// A lock file keeps a second process away: two processes rewriting one file would lose each
// other's sign-ins, and several processes are what PostgreSQL is for.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { MemoryBudget } from "./budget-memory.js";
import { parseStoreFile, type Row, serializeStore } from "./json-file-format.js";
import { acquireLockFile, releaseLockFile } from "./json-file-lock.js";
import { Mutexes } from "./mutex.js";
import {
  type JsonObject,
  type PutOptions,
  RECORD_KINDS,
  type RecordKind,
  type Store,
  StoreUnavailableError,
} from "./types.js";

/** Past this many records the file (rewritten whole on every write) is the wrong store. */
export const MAX_RECORDS = 100_000;
/** Writes sweep expired records at most this often. */
const SWEEP_EVERY_MS = 60_000;

/** One operation of a write group: changes memory, answers, and knows how to put memory back. */
type Change<T> = () => { result: T; undo: () => void };

interface Queued {
  change: Change<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** The state of one file, shared by every handle this process has on it. */
class SharedFile {
  refs = 0;
  readonly mutexes = new Mutexes();
  /** Slots, quotas and claims: in memory only (see budget-memory.ts). */
  readonly budget = new MemoryBudget();
  private queue: Queued[] = [];
  private writing: Promise<void> | undefined;
  private lastSweep = 0;
  private leftoversChecked = false;

  constructor(
    readonly path: string,
    readonly rows: Map<RecordKind, Map<string, Row>>,
  ) {}

  get size(): number {
    let size = 0;
    for (const rows of this.rows.values()) size += rows.size;
    return size;
  }

  /** The live row under a key (an expired one counts as absent). */
  live(kind: RecordKind, key: string, now = Date.now()): Row | undefined {
    const row = this.rows.get(kind)?.get(key);
    return row && (row.expiresAt === undefined || row.expiresAt > now) ? row : undefined;
  }

  /** Queues a change; resolves its answer once the file holding it is on disk. */
  enqueue<T>(change: Change<T>): Promise<T> {
    return new Promise<T>((resolvePromise, reject) => {
      this.queue.push({ change, resolve: resolvePromise as (value: unknown) => void, reject });
      if (!this.writing) this.writing = this.drain();
    });
  }

  /** Resolves when every queued write is done. */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      await this.commit(group);
    }
    this.writing = undefined;
  }

  private async commit(group: Queued[]): Promise<void> {
    const applied: { entry: Queued; result: unknown; undo: () => void }[] = [];
    for (const entry of group) {
      try {
        const { result, undo } = entry.change();
        applied.push({ entry, result, undo });
      } catch (error) {
        entry.reject(error);
      }
    }
    if (applied.length === 0) return;
    this.sweepIfDue();
    try {
      await this.write();
    } catch (error) {
      // Memory goes back to what the file holds, so no one reads what was never stored.
      for (const { undo } of applied.reverse()) undo();
      const failure = new StoreUnavailableError(
        `The store file ${this.path} could not be written (${codeOf(error)}).`,
      );
      for (const { entry } of applied) entry.reject(failure);
      return;
    }
    for (const { entry, result } of applied) entry.resolve(result);
  }

  /** Drops expired rows from memory; the write in progress persists it. Resolves how many. */
  dropExpired(now: number): number {
    let dropped = 0;
    for (const rows of this.rows.values()) {
      for (const [key, row] of rows) {
        if (row.expiresAt !== undefined && row.expiresAt <= now) {
          rows.delete(key);
          dropped++;
        }
      }
    }
    return dropped;
  }

  private sweepIfDue(): void {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    this.dropExpired(now);
  }

  private async write(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    if (!this.leftoversChecked) {
      await removeLeftovers(this.path);
      this.leftoversChecked = true;
    }
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    // Created 0600 from the first byte (no chmod window), flushed, then renamed over the old file.
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(serializeStore(this.rows), "utf8");
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}

/**
 * A write killed between creating its temp file and renaming it leaves `<path>.<pid>.<hex>.tmp`
 * behind (it holds sealed tokens and token digests). The lock file means no other process writes
 * this store, and this process writes one group at a time, so every such file is a leftover.
 */
async function removeLeftovers(path: string): Promise<void> {
  const dir = dirname(path);
  const ours = new RegExp(`^${escapeRegExp(basename(path))}\\.\\d+\\.[0-9a-f]{8}\\.tmp$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (ours.test(name)) await rm(join(dir, name), { force: true });
  }
}

/** Open files of this process, by resolved path: every handle on one file shares its memory. */
const openFiles = new Map<string, Promise<SharedFile>>();
/** Files whose last handle is closing: an open waits for the lock file to be released first. */
const closingFiles = new Map<string, Promise<void>>();

async function load(path: string): Promise<SharedFile> {
  let text: string | undefined;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new StoreUnavailableError(`The store file ${path} cannot be read (${codeOf(error)}).`);
    }
  }
  if (text !== undefined && process.platform !== "win32") {
    const mode = (await stat(path)).mode & 0o777;
    if (mode & 0o077) await chmod(path, 0o600);
  }
  const rows = text === undefined ? emptyRows() : parseStoreFile(text, path);
  const shared = new SharedFile(path, rows);
  shared.dropExpired(Date.now());
  return shared;
}

function emptyRows(): Map<RecordKind, Map<string, Row>> {
  return new Map(RECORD_KINDS.map((kind) => [kind, new Map<string, Row>()]));
}

async function acquire(path: string): Promise<SharedFile> {
  const closing = closingFiles.get(path);
  if (closing) await closing.catch(() => undefined);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await acquireLockFile(`${path}.lock`);
  try {
    return await load(path);
  } catch (error) {
    await releaseLockFile(`${path}.lock`);
    throw error;
  }
}

/**
 * Opens the store kept in `path` (created on the first write). Opening a path this process has
 * open already answers another handle on the same memory; the lock file is released when the last
 * handle closes. Throws StoreUnavailableError when another process holds the store or the file is
 * unreadable or corrupt (it is never overwritten then).
 */
export async function openFileStore(path: string): Promise<Store> {
  const resolved = resolve(path);
  for (;;) {
    let opening = openFiles.get(resolved);
    if (!opening) {
      opening = acquire(resolved);
      openFiles.set(resolved, opening);
      opening.catch(() => openFiles.delete(resolved));
    }
    const shared = await opening;
    // The last handle may have closed (and released the lock) while this open waited: start over.
    if (openFiles.get(resolved) !== opening) continue;
    shared.refs++;
    return new FileStoreHandle(shared, resolved);
  }
}

class FileStoreHandle implements Store {
  readonly kind = "file";
  private closed = false;

  constructor(
    private readonly shared: SharedFile,
    readonly location: string,
  ) {}

  private open(): SharedFile {
    if (this.closed) throw new StoreUnavailableError(`The store ${this.location} is closed.`);
    return this.shared;
  }

  async put(kind: RecordKind, key: string, value: JsonObject, options?: PutOptions): Promise<void> {
    const shared = this.open();
    const row = toRow(value, options);
    await shared.enqueue(() => ({ result: undefined, undo: this.set(kind, key, row) }));
  }

  async putNew(kind: RecordKind, key: string, value: JsonObject, options?: PutOptions): Promise<boolean> {
    const shared = this.open();
    const row = toRow(value, options);
    return shared.enqueue(() => {
      if (shared.live(kind, key)) return { result: false, undo: () => {} };
      return { result: true, undo: this.set(kind, key, row) };
    });
  }

  async get(kind: RecordKind, key: string): Promise<JsonObject | undefined> {
    const row = this.open().live(kind, key);
    return row ? (JSON.parse(row.json) as JsonObject) : undefined;
  }

  async take(kind: RecordKind, key: string): Promise<JsonObject | undefined> {
    const shared = this.open();
    // Decided inside the write queue, so of racing takes exactly one finds the record.
    const row = await shared.enqueue(() => {
      const found = shared.live(kind, key);
      if (!found) return { result: undefined, undo: () => {} };
      return { result: found, undo: this.remove(kind, key) };
    });
    return row ? (JSON.parse(row.json) as JsonObject) : undefined;
  }

  async delete(kind: RecordKind, key: string): Promise<boolean> {
    const shared = this.open();
    return shared.enqueue(() => {
      if (!shared.live(kind, key)) return { result: false, undo: () => {} };
      return { result: true, undo: this.remove(kind, key) };
    });
  }

  async withLock<T>(name: string, waitMs: number, work: () => Promise<T>): Promise<T> {
    const release = await this.open().mutexes.acquire(name, waitMs);
    try {
      return await work();
    } finally {
      release();
    }
  }

  async acquireSlot(name: string, capacity: number, holder: string, leaseMs: number): Promise<boolean> {
    return this.open().budget.acquireSlot(name, capacity, holder, leaseMs);
  }

  async countSlots(name: string): Promise<number> {
    return this.open().budget.countSlots(name);
  }

  async releaseSlot(name: string, holder: string): Promise<void> {
    this.open().budget.releaseSlot(name, holder);
  }

  async takeQuota(name: string, perMinute: number): Promise<number> {
    return this.open().budget.takeQuota(name, perMinute);
  }

  async claim(name: string, expiresAt: number): Promise<boolean> {
    return this.open().budget.claim(name, expiresAt);
  }

  async sweep(now = Date.now()): Promise<number> {
    const shared = this.open();
    const claims = shared.budget.sweep(now);
    // Nothing to put back when the write fails: an expired row answers nothing either way.
    return claims + (await shared.enqueue(() => ({ result: shared.dropExpired(now), undo: () => {} })));
  }

  async count(kind: RecordKind): Promise<number> {
    const now = Date.now();
    let live = 0;
    for (const row of this.open().rows.get(kind)?.values() ?? []) {
      if (row.expiresAt === undefined || row.expiresAt > now) live++;
    }
    return live;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const shared = this.shared;
    shared.refs--;
    if (shared.refs > 0) return;
    openFiles.delete(this.location);
    const closing = (async () => {
      await shared.idle();
      await releaseLockFile(`${this.location}.lock`);
    })();
    closingFiles.set(this.location, closing);
    try {
      await closing;
    } finally {
      if (closingFiles.get(this.location) === closing) closingFiles.delete(this.location);
    }
  }

  /** Sets a row; answers how to put back what was there. Refuses to grow past MAX_RECORDS. */
  private set(kind: RecordKind, key: string, row: Row): () => void {
    const rows = this.shared.rows.get(kind)!;
    const previous = rows.get(key);
    if (previous === undefined && this.shared.size >= MAX_RECORDS) {
      this.shared.dropExpired(Date.now());
      if (this.shared.size >= MAX_RECORDS) {
        throw new StoreUnavailableError(
          `The store file ${this.location} holds ${MAX_RECORDS} records, as many as it takes; ` +
            "for more sign-ins use PostgreSQL (ASANA_DATABASE_URL=postgres://…).",
        );
      }
    }
    rows.set(key, row);
    return () => (previous === undefined ? rows.delete(key) : rows.set(key, previous));
  }

  /** Deletes a row; answers how to put it back. */
  private remove(kind: RecordKind, key: string): () => void {
    const rows = this.shared.rows.get(kind)!;
    const previous = rows.get(key);
    rows.delete(key);
    return () => {
      if (previous !== undefined) rows.set(key, previous);
    };
  }
}

/** The value as stored: its JSON text, which is also the copy (no one can change it afterwards). */
function toRow(value: JsonObject, options?: PutOptions): Row {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError("a store record is a JSON object");
  }
  return { json: JSON.stringify(value), expiresAt: options?.expiresAt };
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

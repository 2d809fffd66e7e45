// The PostgreSQL store where a database misbehaves under it: text jsonb refuses, a lock whose
// session dies while its work runs, and a replica whose clock is off from the database's.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AuditRecord } from "../../src/audit.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import { StoreUnavailableError } from "../../src/store/types.js";
import { postgresAvailable, startPostgres, type TestPostgres } from "../helpers/postgres.js";

const available = postgresAvailable();

function record(names: string[]): AuditRecord {
  return {
    time: new Date().toISOString(),
    tool: "create_comment",
    kind: "write",
    identity: null,
    target: {},
    outcome: "invalid_input",
    request_id: null,
    duration_ms: 1,
    argument_names: names,
  };
}

async function count(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>(sql)).rows[0]?.n ?? -1;
  } finally {
    await client.end();
  }
}

describe.skipIf(!available)("PostgreSQL store faults", () => {
  let db: TestPostgres;
  beforeAll(async () => {
    db = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await db?.stop();
  });

  it("audits a record with a NUL or a lone surrogate (cleaned), and the records after it", async () => {
    const url = await db.freshDatabase();
    const store = await openPostgresStore(url);
    const sink = store.openAudit?.({ bodies: false });
    if (!sink) throw new Error("no audit sink");
    sink.append(record(["\u0000"]));
    sink.append(record(["\ud800"]));
    for (let i = 0; i < 5; i++) sink.append(record([`after_${i}`]));
    await store.close();
    expect(await count(url, "SELECT count(*)::int AS n FROM asana_mcp_audit")).toBe(7);
    expect(
      await count(
        url,
        "SELECT count(*)::int AS n FROM asana_mcp_audit WHERE record->'argument_names'->>0 = '\uFFFD'",
      ),
    ).toBe(2);
  });

  it("a lock whose session dies while its work runs fails the call, with no uncaught error", async () => {
    const url = await db.freshDatabase();
    const store = await openPostgresStore(url);
    const uncaught: unknown[] = [];
    const onError = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onError);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const result = await store
        .withLock("grant:x", 5_000, async () => {
          await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()",
          );
          await new Promise((resolve) => setTimeout(resolve, 300));
          return "done";
        })
        .catch((error: unknown) => error);
      expect(result).toBeInstanceOf(StoreUnavailableError);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(uncaught).toEqual([]);
      // The store goes on.
      await store.put("grant", "g", { v: 1 });
      expect(await store.get("grant", "g")).toEqual({ v: 1 });
    } finally {
      process.off("uncaughtException", onError);
      await admin.end();
      await store.close();
    }
  });

  it("keeps expiry in the database's clock: a replica two minutes behind writes a 60 s record that lives", async () => {
    const url = await db.freshDatabase();
    const store = await openPostgresStore(url);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() - 120_000);
      await store.put("code", "k", { a: 1 }, { expiresAt: Date.now() + 60_000 });
      expect(await store.get("code", "k")).toEqual({ a: 1 });
      expect(await store.claim("settle:1", Date.now() + 60_000)).toBe(true);
      expect(await store.claim("settle:1", Date.now() + 60_000)).toBe(false);
    } finally {
      vi.useRealTimers();
      await store.close();
    }
  });
});

// The PostgreSQL store against a real PostgreSQL: the shared store suite, then what only a
// database shared by replicas has to show — migrations raced by replicas starting together,
// atomicity across handles, and a database that goes away and comes back.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore, redactUrl } from "../../src/store/postgres.js";
import { type Store, StoreUnavailableError } from "../../src/store/types.js";
import { postgresAvailable, startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { storeSuite } from "./suite.js";

const available = postgresAvailable();

describe.skipIf(!available)("PostgreSQL store", () => {
  let server: TestPostgres;

  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  /** Rows of a query on a database, through a connection of its own. */
  async function rows<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  storeSuite("postgres", async () => {
    const url = await server.freshDatabase();
    return {
      store: await openPostgresStore(url),
      reopen: () => openPostgresStore(url),
      // Each test has its own database; the cluster goes at the end of the file.
      cleanup: async () => undefined,
    };
  });

  it("migrates once when five replicas open a new database at the same moment", async () => {
    const url = await server.freshDatabase();
    const stores = await Promise.all(Array.from({ length: 5 }, () => openPostgresStore(url)));
    try {
      const versions = await rows<{ version: number; name: string }>(
        url,
        "SELECT version, name FROM asana_mcp_schema_version ORDER BY version",
      );
      expect(versions).toEqual([
        { version: 1, name: "records" },
        { version: 2, name: "budget" },
      ]);
      await stores[0]?.put("grant", "g", { v: 1 });
      for (const store of stores) expect(await store.get("grant", "g")).toEqual({ v: 1 });
      // Opening an up-to-date database changes nothing.
      const later = await openPostgresStore(url);
      await later.close();
      expect(await rows(url, "SELECT version FROM asana_mcp_schema_version")).toHaveLength(2);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("gives a lock to one of two replicas at a time, and the other its turn after", async () => {
    const url = await server.freshDatabase();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    try {
      const order: string[] = [];
      let release!: () => void;
      let entered!: () => void;
      const holding = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const first = a.withLock("refresh:ada", 5_000, async () => {
        order.push("a in");
        entered();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        order.push("a out");
      });
      await holding;
      const second = b.withLock("refresh:ada", 10_000, async () => {
        order.push("b in");
      });
      // b's session waits on the database's advisory lock, behind a's transaction.
      const waiters = () =>
        rows<{ n: number }>(
          url,
          "SELECT count(*)::integer AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        );
      while ((await waiters())[0]?.n !== 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(order).toEqual(["a in"]);
      release();
      await Promise.all([first, second]);
      expect(order).toEqual(["a in", "a out", "b in"]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("keeps withLock's work supplied with connections when every lock session is taken", async () => {
    const url = await server.freshDatabase();
    const store = await openPostgresStore(url, { poolSize: 4 });
    try {
      // Ten locks of different names at once on a pool of four: the work inside each still runs.
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.withLock(`person:${i}`, 10_000, async () => {
            await store.put("grant", `g${i}`, { i });
            return (await store.get("grant", `g${i}`))?.i;
          }),
        ),
      );
      expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await store.close();
    }
  });

  it("queues waiters for one lock in the process, so they hold no session from other locks", async () => {
    const url = await server.freshDatabase();
    // A pool of four: two sessions for locks. Five waiters behind "a" must not take the second.
    const store = await openPostgresStore(url, { poolSize: 4 });
    try {
      let release!: () => void;
      let entered!: () => void;
      const holding = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const held = store.withLock("a", 10_000, async () => {
        entered();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      await holding;
      const waiters = Array.from({ length: 5 }, (_, i) => store.withLock("a", 10_000, async () => i));
      expect(await store.withLock("b", 2_000, async () => "b ran")).toBe("b ran");
      release();
      await held;
      expect(await Promise.all(waiters)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await store.close();
    }
  });

  it("answers StoreUnavailableError while the database is down, and works again once it is back", async () => {
    const url = await server.freshDatabase();
    const store = await openPostgresStore(url);
    let closed = false;
    try {
      await store.put("grant", "g", { person: "ada" });
      await store.put("code", "c", { once: true });
      await server.kill();
      for (const attempt of [
        () => store.get("grant", "g"),
        () => store.put("grant", "h", { person: "grace" }),
        () => store.take("code", "c"),
        () => store.withLock("refresh:ada", 1_000, async () => "ran"),
      ]) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as Error).message).toContain(`127.0.0.1:${server.port}`);
        expect((error as Error).message).toMatch(/retried/);
      }
      await expect(openPostgresStore(url)).rejects.toBeInstanceOf(StoreUnavailableError);
      await server.startAgain();
      // The same handle: its pool dropped the dead connections and connects afresh.
      expect(await store.get("grant", "g")).toEqual({ person: "ada" });
      expect(await store.take("code", "c")).toEqual({ once: true });
      expect(await store.withLock("refresh:ada", 1_000, async () => "ran")).toBe("ran");
      await store.close();
      closed = true;
    } finally {
      if (!closed) await store.close().catch(() => undefined);
    }
  });

  it("survives a restart with idle connections in its pool", async () => {
    const url = await server.freshDatabase();
    const store = await openPostgresStore(url);
    try {
      // Several connections open and idle in the pool when the server restarts under them.
      await Promise.all(Array.from({ length: 5 }, (_, i) => store.put("grant", `g${i}`, { i })));
      await server.restart();
      expect(await store.count("grant")).toBe(5);
    } finally {
      await store.close();
    }
  });

  it("works from the bundle, whose copy of the driver needs nothing from node_modules", async () => {
    const bundled = resolve(import.meta.dirname, "../../dist/store/postgres.js");
    if (!existsSync(bundled))
      throw new Error("dist/store/postgres.js is missing: run `npm run build` first.");
    const { openPostgresStore: openBundled } = (await import(pathToFileURL(bundled).href)) as {
      openPostgresStore: typeof openPostgresStore;
    };
    const url = await server.freshDatabase();
    const store = await openBundled(url);
    try {
      await store.put("grant", "g", { person: "ada" });
      expect(await store.take("grant", "g")).toEqual({ person: "ada" });
    } finally {
      await store.close();
    }
  });

  it("never shows the password in its location or its errors", async () => {
    const url = `postgres://asana:s3cret-pw@127.0.0.1:${server.port}/nowhere`;
    expect(redactUrl(url)).toBe(`postgres://asana:***@127.0.0.1:${server.port}/nowhere`);
    expect(redactUrl("postgres://h/db?user=a&password=s3cret-pw")).not.toContain("s3cret-pw");
    expect(redactUrl("host=h password=s3cret-pw dbname=db")).toBe("host=h password=*** dbname=db");
    const error = await openPostgresStore(url).then(
      (store: Store) => store.close(),
      (e: unknown) => e,
    );
    // The role does not exist: a configuration error, not an outage, and it says so as it is.
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect(String(error)).not.toContain("s3cret-pw");
  });
});

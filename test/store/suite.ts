// The one behaviour every store must have, run against each implementation (the embedded JSON file
// and PostgreSQL). What the OAuth flows rely on is here: namespaces by kind, create-only writes,
// expiry, single-use takes under concurrency, a lock that excludes across handles, durability.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type JsonObject, RECORD_KINDS, type Store, StoreUnavailableError } from "../../src/store/types.js";

export interface StoreUnderTest {
  /** A fresh, empty store. */
  store: Store;
  /**
   * A second, independent handle on the same data, as another process or replica would have. The
   * suite closes every handle it gets (and `store`) before calling cleanup.
   */
  reopen(): Promise<Store>;
  /** Removes the data (files, tables); every handle is already closed. */
  cleanup(): Promise<void>;
}

const HOUR = 3_600_000;

/** Lets every other pending callback run, so racing operations really interleave. */
function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function storeSuite(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`store: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: Store;
    let handles: Store[];

    /** A second handle on the same data, closed after the test. */
    async function reopen(): Promise<Store> {
      const other = await subject.reopen();
      handles.push(other);
      return other;
    }

    /** Closes the first handle (and spares it from the closing after the test). */
    async function closeFirst(): Promise<void> {
      await store.close();
      handles = handles.filter((h) => h !== store);
    }

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
      handles = [store];
    });

    afterEach(async () => {
      for (const handle of handles) await handle.close();
      await subject.cleanup();
    });

    it("puts, gets and deletes a record of every kind", async () => {
      for (const kind of RECORD_KINDS) {
        expect(await store.get(kind, "k1")).toBeUndefined();
        await store.put(kind, "k1", { kind, n: 1 });
        expect(await store.get(kind, "k1")).toEqual({ kind, n: 1 });
        await store.put(kind, "k1", { kind, n: 2 });
        expect(await store.get(kind, "k1")).toEqual({ kind, n: 2 });
        expect(await store.delete(kind, "k1")).toBe(true);
        expect(await store.get(kind, "k1")).toBeUndefined();
        expect(await store.delete(kind, "k1")).toBe(false);
      }
    });

    it("keeps each kind a separate namespace", async () => {
      await store.put("code", "same", { from: "code" });
      await store.put("refresh", "same", { from: "refresh" });
      expect(await store.get("code", "same")).toEqual({ from: "code" });
      expect(await store.get("refresh", "same")).toEqual({ from: "refresh" });
      expect(await store.get("access", "same")).toBeUndefined();
      expect(await store.take("code", "same")).toEqual({ from: "code" });
      expect(await store.get("refresh", "same")).toEqual({ from: "refresh" });
      expect(await store.delete("refresh", "same")).toBe(true);
      expect(await store.count("code")).toBe(0);
    });

    it("putNew creates only when no unexpired record holds the key", async () => {
      expect(await store.putNew("client", "c1", { v: 1 })).toBe(true);
      expect(await store.putNew("client", "c1", { v: 2 })).toBe(false);
      expect(await store.get("client", "c1")).toEqual({ v: 1 });
      await store.put("client", "c2", { v: 1 }, { expiresAt: Date.now() - 1 });
      expect(await store.putNew("client", "c2", { v: 2 })).toBe(true);
      expect(await store.get("client", "c2")).toEqual({ v: 2 });
    });

    it("putNew of one key by many racers creates it once", async () => {
      const other = await reopen();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).putNew("consent", "c", { by: i })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await store.get("consent", "c")).toEqual({ by: winner });
    });

    it("answers undefined for an expired record, from get and from take", async () => {
      await store.put("pending", "gone", { v: 1 }, { expiresAt: Date.now() - 1 });
      await store.put("pending", "live", { v: 2 }, { expiresAt: Date.now() + HOUR });
      expect(await store.get("pending", "gone")).toBeUndefined();
      expect(await store.take("pending", "gone")).toBeUndefined();
      expect(await store.get("pending", "live")).toEqual({ v: 2 });
      expect(await store.count("pending")).toBe(1);
    });

    it("sweep deletes expired records and counts them", async () => {
      const now = Date.now();
      await store.put("access", "a", { v: 1 }, { expiresAt: now + HOUR });
      await store.put("access", "b", { v: 2 }, { expiresAt: now + HOUR });
      await store.put("refresh", "c", { v: 3 }, { expiresAt: now + HOUR });
      await store.put("access", "d", { v: 4 }, { expiresAt: now + 3 * HOUR });
      await store.put("grant", "e", { v: 5 });
      expect(await store.sweep(now)).toBe(0);
      expect(await store.sweep(now + 2 * HOUR)).toBe(3);
      expect(await store.count("access")).toBe(1);
      expect(await store.count("refresh")).toBe(0);
      expect(await store.get("access", "d")).toEqual({ v: 4 });
      expect(await store.get("grant", "e")).toEqual({ v: 5 });
      expect(await store.sweep(now + 2 * HOUR)).toBe(0);
    });

    it("take is single-use: of 50 concurrent takes, exactly one gets the record", async () => {
      await store.put("code", "once", { code: "x" });
      const results = await Promise.all(Array.from({ length: 50 }, () => store.take("code", "once")));
      expect(results.filter((r) => r !== undefined)).toEqual([{ code: "x" }]);
      expect(await store.get("code", "once")).toBeUndefined();
    });

    it("take is single-use across two handles on the same data", async () => {
      const other = await reopen();
      for (let round = 0; round < 5; round++) {
        await store.put("refresh", `r${round}`, { round });
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => (i % 2 ? other : store).take("refresh", `r${round}`)),
        );
        expect(results.filter((r) => r !== undefined)).toEqual([{ round }]);
      }
      expect(await other.count("refresh")).toBe(0);
    });

    it("withLock excludes: 20 workers incrementing a counter end at 20, one at a time", async () => {
      const other = await reopen();
      await store.put("grant", "counter", { n: 0 });
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const handle = i % 2 ? other : store;
          return handle.withLock("counter", 20_000, async () => {
            inside++;
            most = Math.max(most, inside);
            const current = await handle.get("grant", "counter");
            await yieldTurn();
            await handle.put("grant", "counter", { n: Number(current?.n) + 1 });
            inside--;
          });
        }),
      );
      expect(await store.get("grant", "counter")).toEqual({ n: 20 });
      expect(most).toBe(1);
    });

    it("withLock answers what the work resolves, and locks of other names do not wait", async () => {
      let release!: () => void;
      let entered!: () => void;
      const holding = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const held = store.withLock("a", 5_000, async () => {
        entered();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return "a done";
      });
      await holding;
      expect(await store.withLock("b", 5_000, async () => "b done")).toBe("b done");
      release();
      expect(await held).toBe("a done");
    });

    it("withLock rejects with StoreUnavailableError when the lock is not free within waitMs", async () => {
      const other = await reopen();
      let release!: () => void;
      let entered!: () => void;
      const holding = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const held = store.withLock("refresh:person", 10_000, async () => {
        entered();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      await holding;
      let ran = false;
      const waiter = other.withLock("refresh:person", 100, async () => {
        ran = true;
      });
      await expect(waiter).rejects.toBeInstanceOf(StoreUnavailableError);
      const sameHandle = store.withLock("refresh:person", 100, async () => {
        ran = true;
      });
      await expect(sameHandle).rejects.toBeInstanceOf(StoreUnavailableError);
      release();
      await held;
      // The waiters that gave up never run their work, and do not keep the lock from the next one.
      expect(ran).toBe(false);
      expect(await other.withLock("refresh:person", 5_000, async () => "next")).toBe("next");
    });

    it("withLock releases the lock when the work throws", async () => {
      const failing = store.withLock("x", 5_000, async () => {
        throw new Error("work failed");
      });
      await expect(failing).rejects.toThrow("work failed");
      expect(await store.withLock("x", 1_000, async () => "again")).toBe("again");
      const other = await reopen();
      expect(await other.withLock("x", 1_000, async () => "elsewhere")).toBe("elsewhere");
    });

    it("keeps the data through close and reopen", async () => {
      await store.put("grant", "g1", { person: "ada" });
      await store.put("access", "a1", { grant: "g1" }, { expiresAt: Date.now() + HOUR });
      await store.put("code", "c1", { v: 1 });
      await store.take("code", "c1");
      await closeFirst();
      const again = await reopen();
      expect(await again.get("grant", "g1")).toEqual({ person: "ada" });
      expect(await again.get("access", "a1")).toEqual({ grant: "g1" });
      expect(await again.get("code", "c1")).toBeUndefined();
      expect(await again.count("grant")).toBe(1);
    });

    it("a second handle sees what the first one wrote", async () => {
      const other = await reopen();
      await store.put("client", "c", { name: "first" });
      expect(await other.get("client", "c")).toEqual({ name: "first" });
      expect(await other.delete("client", "c")).toBe(true);
      expect(await store.get("client", "c")).toBeUndefined();
    });

    it("round-trips values as JSON exactly (unicode, nesting, odd keys)", async () => {
      const value: JsonObject = {
        text: 'Ada Lovelace — 数学者 🧮 \t \u001f "quoted" \\ back\nslash',
        empty: "",
        numbers: [0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER],
        flags: [true, false, null],
        nested: { deeper: { deepest: [{ a: [] }, {}] } },
        "key with spaces / and 🔑": "ok",
      };
      const key = "kéy/with:odd chars 🗝 and a long tail ".repeat(4);
      await store.put("grant", key, value);
      expect(await store.get("grant", key)).toStrictEqual(value);
      const other = await reopen();
      expect(await other.get("grant", key)).toStrictEqual(value);
      await other.close();
      handles = handles.filter((h) => h !== other);
      await closeFirst();
      const again = await reopen();
      expect(await again.get("grant", key)).toStrictEqual(value);
    });

    it("keeps its own copy: changing a value after put or after get changes nothing stored", async () => {
      const value: JsonObject = { list: [1], inner: { n: 1 } };
      await store.put("client", "c", value);
      (value.list as number[]).push(2);
      const read = await store.get("client", "c");
      expect(read).toEqual({ list: [1], inner: { n: 1 } });
      (read?.inner as { n: number }).n = 99;
      expect(await store.get("client", "c")).toEqual({ list: [1], inner: { n: 1 } });
    });

    it("counts live records per kind", async () => {
      expect(await store.count("access")).toBe(0);
      for (let i = 0; i < 7; i++) await store.put("access", `a${i}`, { i });
      await store.put("access", "old", { i: -1 }, { expiresAt: Date.now() - 1 });
      await store.put("refresh", "r", { i: 0 });
      expect(await store.count("access")).toBe(7);
      expect(await store.count("refresh")).toBe(1);
      await store.delete("access", "a0");
      await store.take("access", "a1");
      expect(await store.count("access")).toBe(5);
    });

    it("acquireSlot: 100 racers from two handles never hold more than the capacity at once", async () => {
      const other = await reopen();
      const capacity = 7;
      let held = 0;
      let most = 0;
      let served = 0;
      // Each racer polls until it gets a slot, holds it across a turn of the event loop, releases.
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const handle = i % 2 ? other : store;
          const holder = `racer-${i}`;
          while (!(await handle.acquireSlot("sem", capacity, holder, HOUR))) await yieldTurn();
          held++;
          most = Math.max(most, held);
          await yieldTurn();
          await yieldTurn();
          held--;
          served++;
          await handle.releaseSlot("sem", holder);
        }),
      );
      expect(served).toBe(100);
      expect(most).toBeLessThanOrEqual(capacity);
      expect(most).toBeGreaterThan(1);
    });

    it("acquireSlot refuses past the capacity, and a released or expired slot is free again", async () => {
      const other = await reopen();
      expect(await store.acquireSlot("s", 2, "a", HOUR)).toBe(true);
      expect(await other.acquireSlot("s", 2, "b", 150)).toBe(true);
      expect(await store.countSlots("s")).toBe(2);
      expect(await other.countSlots("nothing held")).toBe(0);
      expect(await store.acquireSlot("s", 2, "c", HOUR)).toBe(false);
      expect(await other.acquireSlot("t", 2, "c", HOUR)).toBe(true); // another name, its own slots
      await store.releaseSlot("s", "a");
      expect(await other.acquireSlot("s", 2, "c", HOUR)).toBe(true);
      expect(await store.acquireSlot("s", 2, "d", HOUR)).toBe(false);
      // b's lease ends (a replica killed while holding it): its slot comes back.
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await other.countSlots("s")).toBe(1);
      expect(await store.acquireSlot("s", 2, "d", HOUR)).toBe(true);
      expect(await other.acquireSlot("s", 2, "e", HOUR)).toBe(false);
      // Releasing a slot not held (b's, taken over) changes nothing.
      await other.releaseSlot("s", "b");
      expect(await other.acquireSlot("s", 2, "e", HOUR)).toBe(false);
    });

    it("takeQuota lets a minute's requests go at once across handles, then answers the wait", async () => {
      const other = await reopen();
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? other : store).takeQuota("q", 20)),
      );
      expect(answers.filter((wait) => wait === 0)).toHaveLength(20);
      // One request every 3 s at 20 a minute: the next may go in at most that long.
      for (const wait of answers.filter((w) => w > 0)) {
        expect(wait).toBeGreaterThan(0);
        expect(wait).toBeLessThanOrEqual(3_000);
      }
      expect(await store.takeQuota("q", 20)).toBeGreaterThan(0);
      // Another name is untouched.
      expect(await other.takeQuota("q2", 20)).toBe(0);
    });

    it("claim: of racers from two handles the first wins, until the claim expires", async () => {
      const other = await reopen();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).claim("gid-1", Date.now() + HOUR)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.claim("gid-1", Date.now() + HOUR)).toBe(false);
      expect(await other.claim("gid-2", Date.now() + 100)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await store.claim("gid-2", Date.now() + HOUR)).toBe(true);
    });

    it("says what kind of store it is and where", () => {
      expect(["file", "postgres"]).toContain(store.kind);
      expect(store.location.length).toBeGreaterThan(0);
    });
  });
}

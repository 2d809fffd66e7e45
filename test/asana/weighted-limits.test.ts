// A POST /batch counts as one request per action in Asana's limits ("a batch request with five
// actions ... counts as five concurrent requests"): the client's limiters take that many units.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { AsanaClient } from "../../src/asana/http.js";
import { Limiter } from "../../src/asana/limiter.js";
import { SharedLimiter } from "../../src/asana/shared-limits.js";
import { staticIdentity } from "../../src/auth/identities.js";
import {
  DEMO_PROJECT_GID,
  demoData,
  SANDBOX_TOKENS,
  SANDBOX_USER_GIDS,
} from "../../src/sandbox/demo-data.js";
import { FakeAsana } from "../../src/sandbox/fake-asana.js";
import { openFileStore } from "../../src/store/json-file.js";

describe("Limiter with weights", () => {
  it("serves a heavy request only when all its units are free, in arrival order", async () => {
    const limiter = new Limiter(15);
    const order: string[] = [];
    let releaseFirst!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (releaseFirst = r)), { weight: 10 });
    const second = limiter.run(async () => void order.push("second (10)"), { weight: 10 });
    // A light one behind the heavy waiter does not overtake it.
    const third = limiter.run(async () => void order.push("third (1)"), { weight: 1 });
    await sleep(10);
    expect(limiter.inFlight).toBe(10);
    expect(limiter.queued).toBe(2);
    releaseFirst();
    await Promise.all([first, second, third]);
    expect(order).toEqual(["second (10)", "third (1)"]);
    expect(limiter.inFlight).toBe(0);
  });

  it("lets a request heavier than the capacity take the whole capacity, and a cancelled waiter leave", async () => {
    const limiter = new Limiter(4);
    await limiter.run(async () => expect(limiter.inFlight).toBe(4), { weight: 10 });
    let release!: () => void;
    const holding = limiter.run(() => new Promise<void>((r) => (release = r)), { weight: 3 });
    const abort = new AbortController();
    const cancelled = limiter.run(async () => "never", { signal: abort.signal, weight: 2 });
    const light = limiter.run(async () => "light", { weight: 1 });
    abort.abort(new Error("gone"));
    await expect(cancelled).rejects.toThrow("gone");
    // With the heavy waiter gone, the light one fits beside the holder.
    await expect(light).resolves.toBe("light");
    release();
    await holding;
  });
});

describe("a batch request's weight through the client", () => {
  let fake: FakeAsana | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  const batchOf = (n: number) => ({
    actions: Array.from({ length: n }, (_, i) => ({
      relative_path: "/tasks",
      method: "post",
      data: { name: `w${i}`, projects: [DEMO_PROJECT_GID] },
    })),
  });

  /** Two batches of 10 actions sent at once: by one client, or (shared) by two replicas' clients. */
  async function peakOfTwo(weight: number, shared: boolean): Promise<number> {
    fake = new FakeAsana(demoData());
    await fake.listen();
    const baseUrl = fake.baseUrl;
    const store = shared
      ? await openFileStore(join(mkdtempSync(join(tmpdir(), "batch-")), "s.json"))
      : undefined;
    const replica = () => {
      const bot = staticIdentity("bot", SANDBOX_TOKENS.bot, "ASANA_BOT_PAT", "environment");
      const asana = new AsanaClient({
        baseUrl,
        requestTimeoutMs: 5_000,
        ...(store ? { sharedLimits: { store, identities: [bot] } } : {}),
      });
      return { bot, asana };
    };
    const one = replica();
    const clients = shared ? [one, replica()] : [one, one];
    fake.inject({ method: "POST", path: "/batch", type: "delay", ms: 150, times: 2 });
    fake.resetCounters();
    await Promise.all(
      clients.map(({ bot, asana }) =>
        asana.request(bot, { method: "POST", path: "/batch", body: batchOf(10), weight }),
      ),
    );
    for (const c of new Set(clients)) await c.asana.close();
    await store?.close();
    return fake.maxInFlightByUser().get(SANDBOX_USER_GIDS.bot)?.write ?? 0;
  }

  it("keeps two batches of 10 actions from running together under 15 writes in flight", async () => {
    expect(await peakOfTwo(10, false)).toBe(1);
    // The control: counted as one request each, they would run together.
    expect(await peakOfTwo(1, false)).toBe(2);
  });

  it("counts every action in the budget two replicas share too", async () => {
    expect(await peakOfTwo(10, true)).toBe(1);
    expect(await peakOfTwo(1, true)).toBe(2);
  });

  it("takes a weighted request's shared slots all at once, or none", async () => {
    const store = await openFileStore(join(mkdtempSync(join(tmpdir(), "batch-")), "s.json"));
    const limiter = new SharedLimiter({ store, identities: [] }, { read: 50, write: 15 }, 1_000);
    let release!: () => void;
    const heavy = limiter.run("token", "write", undefined, () => new Promise<void>((r) => (release = r)), 10);
    await sleep(20);
    const abort = new AbortController();
    const waiting = limiter.run("token", "write", abort.signal, async () => "ran", 10);
    await sleep(60);
    // The waiter holds nothing while it waits: five single slots are still free beside the heavy one.
    const singles = await Promise.all(
      Array.from({ length: 5 }, () => limiter.run("token", "write", undefined, async () => "single")),
    );
    expect(singles).toHaveLength(5);
    release();
    await heavy;
    await expect(waiting).resolves.toBe("ran");
    await store.close();
  });
});

// 1,000 concurrent tool calls through one server: all answered, each identity's requests in
// flight never above Asana's limits (50 reads, 15 writes), as counted by the fake, memory
// bounded, and the tool deadline honoured for calls still queued. Figures: bench/load.mjs.
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { Limiter } from "../src/asana/limiter.js";
import {
  DEMO_TASK_GID,
  SANDBOX_TOKENS,
  SANDBOX_USER_GIDS,
  SANDBOX_WORKSPACE_GIDS,
} from "../src/sandbox/demo-data.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const env = { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot };
const listing = { workspace_gid: SANDBOX_WORKSPACE_GIDS.acme, limit: 5 };

describe("1,000 concurrent tool calls through one server", () => {
  it("answers every call, keeps each identity under 50 reads and 15 writes in flight, and stays bounded", async () => {
    h = await startHarness({ env });
    // A slow Asana makes calls pile up, so the caps are what limits concurrency, not speed.
    h.fake.inject({
      method: "GET",
      path: "/projects",
      type: "delay",
      ms: 25,
      times: Number.POSITIVE_INFINITY,
    });
    h.fake.inject({ method: "POST", type: "delay", ms: 25, times: Number.POSITIVE_INFINITY });
    h.fake.resetCounters();
    const heapBefore = process.memoryUsage().heapUsed;

    const calls = Array.from({ length: 1_000 }, (_, i) =>
      i % 10 < 7
        ? h!.call("list_projects", listing)
        : h!.call("create_comment", { task_gid: DEMO_TASK_GID, text: `load ${i}` }),
    );
    const outcomes = await Promise.all(calls);

    const failed = outcomes.filter((o) => o.isError);
    expect(failed.map((o) => o.text).slice(0, 3)).toEqual([]);
    expect(outcomes).toHaveLength(1_000);
    // Every comment exactly once.
    const texts = h.fake.storiesOf(DEMO_TASK_GID).map((s) => s.text);
    for (let i = 0; i < 1_000; i++) {
      if (i % 10 >= 7) expect(texts.filter((t) => t === `load ${i}`)).toHaveLength(1);
    }
    const peaks = h.fake.maxInFlightByUser();
    // Reads act as Ada (pat), writes as the bot: each at its cap, never above.
    expect(peaks.get(SANDBOX_USER_GIDS.pat)?.read).toBe(50);
    expect(peaks.get(SANDBOX_USER_GIDS.bot)?.write).toBe(15);
    for (const [, peak] of peaks) {
      expect(peak.read).toBeLessThanOrEqual(50);
      expect(peak.write).toBeLessThanOrEqual(15);
    }
    // Generous: 1,000 answers held at once are a few MB; a leak per call would show as far more.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(150 * 1024 * 1024);
  });
});

describe("the tool deadline while queued", () => {
  it("ends calls still waiting for a slot with a timeout, and they never reach Asana", async () => {
    h = await startHarness({ env: { ...env, ASANA_TOOL_DEADLINE_MS: "400" } });
    h.fake.inject({
      method: "GET",
      path: "/projects",
      type: "delay",
      ms: 5_000,
      times: Number.POSITIVE_INFINITY,
    });
    const before = h.fake.requests.length;
    const outcomes = await Promise.all(Array.from({ length: 60 }, () => h!.call("list_projects", listing)));
    for (const outcome of outcomes) {
      const error = errorOf(outcome);
      expect(error.code).toBe("timeout");
      expect(error.message).toContain("did not finish before the tool's deadline");
    }
    // 50 were sent (the cap); the calls queued behind them ended without a request. A queued call
    // started a few milliseconds after the first ones may still get a slot freed by their deadline
    // before its own passes (and rightly send), so on a busy machine a few more than 50 go out.
    const sent = h.fake.requests.slice(before).filter((r) => r.path === "/projects").length;
    expect(sent).toBeGreaterThanOrEqual(50);
    expect(sent).toBeLessThan(60);
    h.fake.clearFaults();
    expect((await h.call("list_projects", listing)).isError).toBe(false);
  });
});

describe("Limiter", () => {
  it("serves waiters first come, first served, and drops one whose signal aborts", async () => {
    const limiter = new Limiter(2);
    const started: number[] = [];
    const release: Array<() => void> = [];
    const controller = new AbortController();
    const run = (i: number, signal?: AbortSignal) =>
      limiter.run(
        async () => {
          started.push(i);
          await new Promise<void>((done) => release.push(done));
        },
        { signal },
      );
    const tasks = [0, 1, 2, 3, 4, 5].map((i) => run(i, i === 3 ? controller.signal : undefined));
    await sleep(0);
    expect(started).toEqual([0, 1]);
    expect(limiter.queued).toBe(4);
    controller.abort();
    await expect(tasks[3]).rejects.toThrow();
    expect(limiter.queued).toBe(3);
    while (started.length < 5) {
      release.shift()?.();
      await sleep(0);
    }
    for (const done of release) done();
    await Promise.allSettled(tasks);
    expect(started).toEqual([0, 1, 2, 4, 5]);
    expect(limiter.inFlight).toBe(0);
  });
});

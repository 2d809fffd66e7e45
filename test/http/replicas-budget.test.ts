// Replicas of remote mode on one PostgreSQL act as the same shared identities (the bot), so Asana's
// per-token limits and the settling of uncertain creates must hold across them: two AsanaClients
// (two replicas, each with its own pool on the store) against one fake Asana.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AsanaClient, apiPath } from "../../src/asana/http.js";
import { type Identity, staticIdentity } from "../../src/auth/identities.js";
import { AppError } from "../../src/errors.js";
import { DEMO_TASK_GID, demoData, SANDBOX_TOKENS, SANDBOX_USER_GIDS } from "../../src/sandbox/demo-data.js";
import { FakeAsana } from "../../src/sandbox/fake-asana.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import type { Store } from "../../src/store/types.js";
import type { ToolContext } from "../../src/tools/define.js";
import { type CreateSpec, createOnce } from "../../src/tools/settle.js";
import { postgresAvailable, startPostgres, type TestPostgres } from "../helpers/postgres.js";

const available = postgresAvailable();
const forever = Number.POSITIVE_INFINITY;

interface Replica {
  store: Store;
  bot: Identity;
  asana: AsanaClient;
}

describe.skipIf(!available)("replicas sharing one PostgreSQL and one bot token", () => {
  let server: TestPostgres;
  let fake: FakeAsana;
  let replicas: Replica[];

  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  /** A replica: its own store handle (pool), its own bot identity object, its own client. */
  async function replica(url: string, perMinute?: number): Promise<Replica> {
    const store = await openPostgresStore(url);
    const bot = staticIdentity("bot", SANDBOX_TOKENS.bot, "ASANA_BOT_PAT", "environment");
    const asana = new AsanaClient({
      baseUrl: fake.baseUrl,
      requestTimeoutMs: 5_000,
      sharedLimits: { store, identities: [bot], perMinute },
    });
    return { store, bot, asana };
  }

  beforeEach(async () => {
    fake = new FakeAsana(demoData());
    await fake.listen();
    const url = await server.freshDatabase();
    replicas = [await replica(url), await replica(url)];
  });

  afterEach(async () => {
    for (const r of replicas) {
      await r.asana.close();
      await r.store.close().catch(() => undefined);
    }
    await fake.close();
  });

  const comment = (r: Replica, text: string, signal?: AbortSignal) =>
    r.asana.request<{ gid: string }>(r.bot, {
      method: "POST",
      path: apiPath`/tasks/${DEMO_TASK_GID}/stories`,
      body: { text },
      signal,
    });
  const sentWith = (text: string) =>
    fake.requests.filter((q) => (q.body as { data?: { text?: string } } | null)?.data?.text === text);

  it("keeps 40 concurrent writes as the bot to 15 in flight at Asana across both, each sent once", async () => {
    // A slow Asana makes writes pile up, so the shared cap is what limits them: each replica's own
    // limiter alone would let 15 each through, 30 together.
    fake.inject({ method: "POST", type: "delay", ms: 100, times: forever });
    fake.resetCounters();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => comment(replicas[i % 2]!, `replica write ${i}`)),
    );
    expect(results).toHaveLength(40);
    const peak = fake.maxInFlightByUser().get(SANDBOX_USER_GIDS.bot);
    expect(peak?.write).toBeLessThanOrEqual(15);
    expect(peak?.write).toBeGreaterThan(1);
    const texts = fake.storiesOf(DEMO_TASK_GID).map((s) => s.text);
    for (let i = 0; i < 40; i++) {
      expect(texts.filter((t) => t === `replica write ${i}`)).toHaveLength(1);
      expect(sentWith(`replica write ${i}`)).toHaveLength(1);
    }
    // Every slot was given back: all 15 can be taken again from either replica.
    fake.clearFaults();
    fake.resetCounters();
    await Promise.all(Array.from({ length: 15 }, (_, i) => comment(replicas[i % 2]!, `after ${i}`)));
    expect(fake.storiesOf(DEMO_TASK_GID).filter((s) => s.text.startsWith("after "))).toHaveLength(15);
  });

  it("ends a write still queued for a slot at its deadline with timeout, never sent", async () => {
    const [a, b] = replicas as [Replica, Replica];
    // Replica A holds every write slot of the bot's token on a slow Asana…
    fake.inject({ method: "POST", type: "delay", ms: 3_000, times: 15 });
    const holding = Array.from({ length: 15 }, (_, i) => comment(a, `holding ${i}`));
    while (fake.inFlight().write < 15) await new Promise((resolve) => setTimeout(resolve, 10));
    // …so replica B's write, which its own limiter would let through at once, waits for one.
    const queued = await comment(b, "queued past its deadline", AbortSignal.timeout(300)).catch(
      (error: unknown) => error,
    );
    expect(queued).toBeInstanceOf(AppError);
    expect((queued as AppError).code).toBe("timeout");
    expect((queued as AppError).message).toContain("did not finish before the tool's deadline");
    expect(sentWith("queued past its deadline")).toHaveLength(0);
    await Promise.all(holding);
    // Once the slots are back, B's writes go through.
    expect((await comment(b, "after the burst")).data.gid).toBeTruthy();
    expect(fake.storiesOf(DEMO_TASK_GID).map((s) => s.text)).not.toContain("queued past its deadline");
  });

  it("fails a call with a retryable error, sending nothing, when the shared store is down", async () => {
    const [a] = replicas as [Replica];
    await a.store.close();
    const failed = await comment(a, "store down").catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(AppError);
    expect((failed as AppError).code).toBe("store_unavailable");
    expect((failed as AppError).retryable).toBe(true);
    expect((failed as AppError).message).toContain("was not sent to Asana");
    expect(sentWith("store down")).toHaveLength(0);
  });

  it("counts the per-minute quota across replicas: past it a call waits, and its deadline ends it unsent", async () => {
    const url = await server.freshDatabase();
    const limited = [await replica(url, 4), await replica(url, 4)];
    replicas.push(...limited);
    const [a, b] = limited as [Replica, Replica];
    for (let i = 0; i < 4; i++) await comment(i % 2 ? b : a, `within the minute ${i}`);
    // The fifth in the minute, on either replica, would go in 15 s: its deadline comes first.
    const late = await comment(b, "past the quota", AbortSignal.timeout(300)).catch((e: unknown) => e);
    expect((late as AppError).code).toBe("timeout");
    expect(sentWith("past the quota")).toHaveLength(0);
    expect(fake.storiesOf(DEMO_TASK_GID).filter((s) => s.text.startsWith("within the minute"))).toHaveLength(
      4,
    );
  });

  it("an identity not shared keeps to the in-process limiter, without the store", async () => {
    const [a] = replicas as [Replica];
    await a.store.close();
    const pat = staticIdentity("pat", SANDBOX_TOKENS.pat, "ASANA_PAT", "environment");
    const result = await a.asana.request<{ gid: string }>(pat, { method: "GET", path: "/users/me" });
    expect(result.data.gid).toBe(SANDBOX_USER_GIDS.pat);
  });

  describe("settling uncertain creates", () => {
    interface Item {
      gid: string;
      created_at: string;
    }
    const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

    function spec(r: Replica, send: () => Promise<Item>, items: Item[]): CreateSpec<Item> {
      // Only what createOnce reads of a tool's context: sections-like kinds name no author.
      const context = { asana: r.asana, identity: r.bot, signal: AbortSignal.timeout(20_000) };
      return {
        context: context as unknown as ToolContext,
        what: "the comment",
        where: "the task's comments",
        readBack: `list_comments on task ${DEMO_TASK_GID}`,
        key: "create_comment same text",
        send,
        list: async () => ({ items, complete: true }),
        maxItems: 100,
        authorOf: null,
        createdAtOf: (item) => item.created_at,
        matches: () => true,
      };
    }
    const uncertain = async (): Promise<Item> => {
      throw new AppError("write_unknown", "POST /tasks/1/stories may or may not have been applied.");
    };

    it("never gives one replica's object to another replica's call", async () => {
      const [a, b] = replicas as [Replica, Replica];
      // Both learn Asana's clock (settling compares created_at with it).
      for (const r of replicas) await r.asana.request(r.bot, { method: "GET", path: "/users/me" });
      const answered = { gid: "9100000000000001", created_at: soon(1_000) };
      const other = { gid: "9100000000000002", created_at: soon(2_000) };
      // A's create is answered with the older object: A's, in every replica.
      expect((await createOnce(spec(a, async () => answered, []))).created.gid).toBe(answered.gid);
      // B's identical create fails uncertainly and reads both back: the older is A's, so B's is
      // the other (B's own ledger alone would take the older one).
      const settled = await createOnce(spec(b, uncertain, [answered, other]));
      expect(settled).toEqual({ created: other, verified: true });
      // A third identical call, on A, finds both given away: it cannot tell, and says so.
      const third = await createOnce(spec(a, uncertain, [answered, other])).catch((e: unknown) => e);
      expect((third as AppError).code).toBe("write_unknown");
      expect((third as AppError).message).toContain("already given to another identical call");
    }, 15_000);

    it("does not take an object another replica's identical create, still unanswered, may be answered with", async () => {
      const [a, b] = replicas as [Replica, Replica];
      for (const r of replicas) await r.asana.request(r.bot, { method: "GET", path: "/users/me" });
      // A's POST made X at Asana; its answer is still on the way.
      const x = { gid: "9100000000000007", created_at: soon(1_000) };
      let answerA: ((item: Item) => void) | undefined;
      const sentA = new Promise<void>((sent) => {
        void createOnce(
          spec(a, () => {
            sent();
            return new Promise<Item>((resolve) => {
              answerA = resolve;
            });
          }, []),
        ).then((result) => {
          aGot = result.created.gid;
        });
      });
      let aGot: string | undefined;
      await sentA;
      // B's identical POST failed uncertainly; its read-back sees only X, which may be A's.
      const b1 = await createOnce(spec(b, uncertain, [x])).catch((e: unknown) => e);
      expect((b1 as AppError).code).toBe("write_unknown");
      answerA?.(x);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(aGot).toBe(x.gid);
    }, 30_000);
  });
});

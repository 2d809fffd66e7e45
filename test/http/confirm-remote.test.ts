// Remote mode: a person confirms a delete with the two-step token (no elicitation in stateless
// mode). The token lives in the shared store, bound to the sign-in: it works once, for the same
// sign-in and arguments, on whichever replica answers, and never for someone else's sign-in.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_OUTSTANDING_CONFIRMATIONS } from "../../src/confirm.js";
import { DEMO_SUBTASK_GIDS } from "../../src/sandbox/demo-world.js";
import { postgresAvailable, startPostgres, type TestPostgres } from "../helpers/postgres.js";
import {
  ADA_GID,
  connectSignedIn,
  MemoryOAuthClient,
  type RemoteHarness,
  startRemote,
} from "../helpers/remote.js";
import { type Replicas, startReplicas } from "../helpers/replicas.js";

const [SUBTASK, OTHER_SUBTASK] = DEMO_SUBTASK_GIDS;

interface Answer {
  isError: boolean;
  body: Record<string, unknown>;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Answer> {
  const result = (await client.callTool({ name, arguments: args })) as {
    isError?: boolean;
    structuredContent?: Record<string, unknown>;
    content: Array<{ text?: string }>;
  };
  const isError = result.isError === true;
  return {
    isError,
    body: isError
      ? (JSON.parse(result.content[0]?.text ?? "{}") as Record<string, unknown>)
      : (result.structuredContent ?? {}),
  };
}

const codeOf = (answer: Answer) => (answer.body as { error?: { code?: string } }).error?.code;
const deletes = (fake: RemoteHarness["fake"]) => fake.requests.filter((r) => r.method === "DELETE");

/** The first call: a preview and a token, nothing deleted. */
async function previewed(client: Client, fake: RemoteHarness["fake"], task: string): Promise<string> {
  const first = await call(client, "delete_task", { task_gid: task });
  expect(first.isError, JSON.stringify(first.body)).toBe(false);
  expect(first.body).toMatchObject({ confirmation_required: true, nothing_changed: true });
  expect(deletes(fake)).toEqual([]);
  expect(fake.task(task)).toBeDefined();
  const token = first.body.confirmation_token;
  expect(token).toMatch(/^confirm_/);
  return token as string;
}

describe("asana-mcp http: confirming a delete", () => {
  let h: RemoteHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("answers a preview and a token, and the same sign-in's second call deletes, once", async () => {
    h = await startRemote();
    const { client } = await connectSignedIn(h);
    const confirmation_token = await previewed(client, h.fake, SUBTASK);
    const done = await call(client, "delete_task", { task_gid: SUBTASK, confirmation_token });
    expect(done.body).toMatchObject({ deleted: SUBTASK });
    expect(h.fake.task(SUBTASK)).toBeUndefined();
    const again = await call(client, "delete_task", { task_gid: SUBTASK, confirmation_token });
    expect(codeOf(again)).toBe("confirmation_invalid");
    expect(deletes(h.fake)).toHaveLength(1);
    await client.close();
  });

  it("refuses the token on another person's sign-in, and for another task", async () => {
    h = await startRemote();
    const grace = await connectSignedIn(h);
    const ada = await connectSignedIn(h, new MemoryOAuthClient(), ADA_GID);
    const confirmation_token = await previewed(grace.client, h.fake, SUBTASK);
    const stolen = await call(ada.client, "delete_task", { task_gid: SUBTASK, confirmation_token });
    expect(codeOf(stolen)).toBe("confirmation_invalid");
    // Spent by the attempt: a token that leaked is worth nothing even to its own sign-in now.
    const own = await call(grace.client, "delete_task", { task_gid: SUBTASK, confirmation_token });
    expect(codeOf(own)).toBe("confirmation_invalid");
    const other = await previewed(grace.client, h.fake, SUBTASK);
    const elsewhere = await call(grace.client, "delete_task", {
      task_gid: OTHER_SUBTASK,
      confirmation_token: other,
    });
    expect(codeOf(elsewhere)).toBe("confirmation_invalid");
    expect(deletes(h.fake)).toEqual([]);
    expect(h.fake.task(SUBTASK)).toBeDefined();
    expect(h.fake.task(OTHER_SUBTASK)).toBeDefined();
    await grace.client.close();
    await ada.client.close();
  });

  it("keeps a token working across a restart (it lives in the store), and only once", async () => {
    h = await startRemote();
    const { client, oauth } = await connectSignedIn(h);
    const confirmation_token = await previewed(client, h.fake, SUBTASK);
    await h.restart();
    const again = await connectSignedIn(h, oauth);
    const done = await call(again.client, "delete_task", { task_gid: SUBTASK, confirmation_token });
    expect(done.body).toMatchObject({ deleted: SUBTASK });
    expect(deletes(h.fake)).toHaveLength(1);
  });

  it("bounds the tokens one sign-in holds in the shared store, and no one else pays for it", async () => {
    h = await startRemote();
    const grace = await connectSignedIn(h);
    const ada = await connectSignedIn(h, new MemoryOAuthClient(), ADA_GID);
    const tokens: string[] = [];
    for (let i = 0; i < MAX_OUTSTANDING_CONFIRMATIONS; i++) {
      tokens.push(await previewed(grace.client, h.fake, SUBTASK));
    }
    const more = await call(grace.client, "delete_task", { task_gid: SUBTASK });
    expect(codeOf(more)).toBe("rate_limited");
    expect(await h.store.count("confirmation")).toBe(MAX_OUTSTANDING_CONFIRMATIONS);
    await previewed(ada.client, h.fake, SUBTASK);
    // A token used gives its place back.
    const done = await call(grace.client, "delete_task", {
      task_gid: SUBTASK,
      confirmation_token: tokens[0],
    });
    expect(done.body).toMatchObject({ deleted: SUBTASK });
    const again = await call(grace.client, "delete_task", { task_gid: OTHER_SUBTASK });
    expect(again.body).toMatchObject({ confirmation_required: true });
    await grace.client.close();
    await ada.client.close();
  });

  it("two racing second calls with one token: exactly one deletes", async () => {
    h = await startRemote();
    const { client } = await connectSignedIn(h);
    const confirmation_token = await previewed(client, h.fake, SUBTASK);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call(client, "delete_task", { task_gid: SUBTASK, confirmation_token })),
    );
    expect(answers.filter((a) => !a.isError)).toHaveLength(1);
    expect(answers.filter((a) => codeOf(a) === "confirmation_invalid")).toHaveLength(4);
    expect(deletes(h.fake)).toHaveLength(1);
  });
});

describe.skipIf(!postgresAvailable())("asana-mcp http replicas: confirming a delete", () => {
  let pg: TestPostgres;
  let r: Replicas | undefined;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it("a token issued by one replica confirms on another, once across all, and for no one else", async () => {
    r = await startReplicas(await pg.freshDatabase(), 2);
    const harness = { fake: r.fake, mcpUrl: r.mcpUrl } as RemoteHarness;
    const grace = await connectSignedIn(harness);
    const ada = await connectSignedIn(harness, new MemoryOAuthClient(), ADA_GID);
    // Round robin: consecutive requests land on alternate replicas.
    const served = () => r?.replicas.map((x) => x.served) ?? [];
    const stolenToken = await previewed(grace.client, r.fake, OTHER_SUBTASK);
    expect(
      codeOf(
        await call(ada.client, "delete_task", { task_gid: OTHER_SUBTASK, confirmation_token: stolenToken }),
      ),
    ).toBe("confirmation_invalid");
    const confirmation_token = await previewed(grace.client, r.fake, SUBTASK);
    const before = served();
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        call(grace.client, "delete_task", { task_gid: SUBTASK, confirmation_token }),
      ),
    );
    const after = served();
    // The second calls reached both replicas.
    expect(after.every((n, i) => n > (before[i] ?? 0))).toBe(true);
    expect(answers.filter((a) => !a.isError)).toHaveLength(1);
    expect(answers.filter((a) => codeOf(a) === "confirmation_invalid")).toHaveLength(3);
    expect(deletes(r.fake)).toHaveLength(1);
    expect(r.fake.task(SUBTASK)).toBeUndefined();
    expect(r.fake.task(OTHER_SUBTASK)).toBeDefined();
    await grace.client.close();
    await ada.client.close();
  });
});

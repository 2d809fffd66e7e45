// Remote mode on a real PostgreSQL that goes away and comes back: /mcp answers 503 with
// Retry-After and store_unavailable (retryable), the token endpoint temporarily_unavailable, a
// tool call that meets the store mid-way the store_unavailable error code; and once the database
// is back, the same client's next call works and no sign-in is lost.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "../../src/store/postgres.js";
import { type Store, StoreUnavailableError } from "../../src/store/types.js";
import { postgresAvailable, startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { connectSignedIn, type RemoteHarness, startRemote } from "../helpers/remote.js";

const available = postgresAvailable();

/** The PostgreSQL store, whose locks can be made to time out as a busy database's would. */
function withFlakyLocks(store: Store, flaky: { locks: boolean }): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === "withLock") {
        return (name: string, waitMs: number, work: () => Promise<unknown>) =>
          flaky.locks
            ? Promise.reject(new StoreUnavailableError(`the lock "${name}" was not free within ${waitMs} ms`))
            : target.withLock(name, waitMs, work);
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function errorBody(result: unknown): { error: { code: string; retryable: boolean; hint: string } } {
  const content = (result as { content: Array<{ text: string }> }).content;
  return JSON.parse(content[0]?.text ?? "{}");
}

describe.skipIf(!available)("remote mode when its PostgreSQL store goes away", () => {
  let server: TestPostgres;
  let h: RemoteHarness | undefined;

  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);

  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("answers /mcp 503 store_unavailable with Retry-After, then serves the same client once it is back", async () => {
    const url = await server.freshDatabase();
    h = await startRemote({ store: () => openPostgresStore(url) });
    const { client, oauth } = await connectSignedIn(h);
    expect((await client.callTool({ name: "whoami", arguments: {} })).isError).toBeFalsy();
    const access = oauth.saved?.access_token ?? "";
    const refresh = oauth.saved?.refresh_token ?? "";
    const clientId = oauth.info?.client_id ?? "";

    await server.kill();
    try {
      const raw = await fetch(h.mcpUrl, {
        method: "POST",
        headers: {
          authorization: `Bearer ${access}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
      });
      expect(raw.status).toBe(503);
      expect(raw.headers.get("retry-after")).toBe("5");
      const body = (await raw.json()) as { error: { message: string; data: Record<string, unknown> } };
      expect(body.error.data).toMatchObject({ code: "store_unavailable", retryable: true });
      expect(body.error.data.hint).toMatch(/did not answer/);
      // Neither the database's address nor a stack reaches the client.
      expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|postgres:|at .*\.ts/);

      // The SDK's client sees the 503 as an error of the call, naming the code.
      await expect(client.callTool({ name: "whoami", arguments: {} })).rejects.toThrow(
        /503|store_unavailable/,
      );

      // The token endpoint: temporarily_unavailable, and the refresh token is not spent.
      const token = await fetch(new URL("/token", h.remote.url), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: refresh,
          client_id: clientId,
        }),
      });
      expect(await token.json()).toMatchObject({ error: "temporarily_unavailable" });
      expect((await fetch(new URL("/readyz", h.remote.url))).status).toBe(503);
    } finally {
      await server.startAgain();
    }

    const again = await client.callTool({ name: "whoami", arguments: {} });
    expect(again.isError, JSON.stringify(again)).toBeFalsy();
    expect(JSON.stringify(again.structuredContent)).toContain("Grace Hopper");
    expect(await h.store.count("grant")).toBe(1);
    // The refresh token refused during the outage still works.
    const refreshed = await fetch(new URL("/token", h.remote.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refresh, client_id: clientId }),
    });
    expect(refreshed.status).toBe(200);
    expect(await refreshed.json()).toMatchObject({ access_token: expect.stringMatching(/^amcp_at_/) });
    await client.close();
  }, 60_000);

  it("answers a tool call that meets the store mid-way with store_unavailable, retryable", async () => {
    const url = await server.freshDatabase();
    const flaky = { locks: false };
    h = await startRemote({ store: async () => withFlakyLocks(await openPostgresStore(url), flaky) });
    const { client } = await connectSignedIn(h);
    // A new session renews the person's Asana token under the grant's lock: the lock times out.
    flaky.locks = true;
    const failed = await client.callTool({
      name: "list_projects",
      arguments: { workspace_gid: "1202000000000001", limit: 1 },
    });
    expect(failed.isError).toBe(true);
    const { error } = errorBody(failed);
    expect(error).toMatchObject({ code: "store_unavailable", retryable: true });
    expect(error.hint).toMatch(/store \(its database\) did not answer/);

    flaky.locks = false;
    const retried = await client.callTool({
      name: "list_projects",
      arguments: { workspace_gid: "1202000000000001", limit: 1 },
    });
    expect(retried.isError, JSON.stringify(retried)).toBeFalsy();
    expect(await h.store.count("grant")).toBe(1);
    await client.close();
  }, 60_000);
});

// Replicas on one PostgreSQL behind a round-robin proxy: every step of a sign-in and every call
// of a session may land on any replica; a person's Asana token is refreshed once across all of
// them; a replica killed leaves the others serving; the database restarted loses no sign-in.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TASK_GID } from "../../src/sandbox/demo-data.js";
import { dumpDatabase, postgresAvailable, startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { connectSignedIn, MemoryOAuthClient, type RemoteHarness } from "../helpers/remote.js";
import { type Replicas, startReplicas } from "../helpers/replicas.js";

const available = postgresAvailable();

describe.skipIf(!available)("replicas on one PostgreSQL", () => {
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

  /** The harness shape connectSignedIn needs, over the proxy. */
  function viaProxy(replicas: Replicas): RemoteHarness {
    return { fake: replicas.fake, mcpUrl: replicas.mcpUrl } as RemoteHarness;
  }

  async function whoamiName(client: Client): Promise<string> {
    const result = (await client.callTool({ name: "whoami", arguments: {} })) as {
      isError?: boolean;
      structuredContent?: { me?: { name?: string } };
      content: Array<{ text?: string }>;
    };
    if (result.isError) throw new Error(result.content[0]?.text);
    return JSON.stringify(result.structuredContent?.me);
  }

  it("signs in with each step on another replica, and serves a session from all of them", async () => {
    r = await startReplicas(await pg.freshDatabase(), 3);
    const { client } = await connectSignedIn(viaProxy(r));
    const before = r.replicas.map((x) => x.served);
    expect(before.every((n) => n > 0)).toBe(true);
    for (let i = 0; i < 6; i++) expect(await whoamiName(client)).toContain("Grace Hopper");
    const after = r.replicas.map((x, i) => x.served - (before[i] ?? 0));
    expect(after.every((n) => n >= 2)).toBe(true);
    await client.close();
  });

  it("refreshes a person's Asana token once across replicas under a burst", async () => {
    r = await startReplicas(await pg.freshDatabase(), 2);
    const { client } = await connectSignedIn(viaProxy(r));
    await whoamiName(client);
    r.fake.oauth.expireAccessTokens();
    const before = r.fake.oauth.tokenRequests.refresh_token;
    // get_task reads as the person: each call needs a valid Asana token.
    const calls = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.callTool({ name: "get_task", arguments: { task_gid: DEMO_TASK_GID } }),
      ),
    );
    expect(calls.filter((c) => c.isError)).toEqual([]);
    expect(r.fake.oauth.tokenRequests.refresh_token - before).toBe(1);
    await client.close();
  });

  it("holds no Asana token, and none of its own tokens, in clear in the database (dump it and look)", async () => {
    const url = await pg.freshDatabase();
    r = await startReplicas(url, 2);
    const { client, oauth } = await connectSignedIn(viaProxy(r));
    await whoamiName(client);
    r.fake.oauth.expireAccessTokens();
    await client.callTool({ name: "get_task", arguments: { task_gid: DEMO_TASK_GID } });
    const dump = await dumpDatabase(url);
    expect(dump).toContain("asana_mcp_records");
    expect(dump).toContain("v1.");
    const secrets = [...r.fake.oauth.issuedSecrets, oauth.saved?.access_token, oauth.saved?.refresh_token];
    for (const secret of secrets)
      expect(dump.includes(secret ?? "missing"), "a secret in the dump").toBe(false);
    await client.close();
  });

  it("keeps serving when a replica is killed, and loses no sign-in when the database restarts", async () => {
    r = await startReplicas(await pg.freshDatabase(), 2);
    const oauth = new MemoryOAuthClient();
    const { client } = await connectSignedIn(viaProxy(r), oauth);
    await r.kill(0);
    for (let i = 0; i < 4; i++) expect(await whoamiName(client)).toContain("Grace Hopper");
    await pg.restart();
    // The pool reconnects: a fresh client with the stored tokens goes on, no new sign-in.
    oauth.authorizationUrl = undefined;
    const again = new Client({ name: "t", version: "1" });
    await again.connect(new StreamableHTTPClientTransport(r.mcpUrl, { authProvider: oauth }));
    expect(await whoamiName(again)).toContain("Grace Hopper");
    expect(oauth.authorizationUrl).toBeUndefined();
    await again.close();
    await client.close();
  });
});

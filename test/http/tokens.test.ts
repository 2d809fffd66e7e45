// Attacks on the tokens remote mode issues and keeps: authorization codes and refresh tokens
// replayed, redeemed by another client or for another server, revocation (RFC 7009), and the
// person's Asana token refreshed once however many calls need it, the rotated one kept sealed.
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { REFRESH_RACE_MS } from "../../src/http/oauth/provider.js";
import { DEMO_TASK_GID } from "../../src/sandbox/demo-data.js";
import { digest } from "../../src/store/crypto.js";
import {
  authorizationUrl,
  codeFor,
  ping,
  pkce,
  raw,
  redeem,
  refresh,
  register,
  signedIn,
} from "../helpers/attack.js";
import { APP, connectSignedIn, type RemoteHarness, startRemote } from "../helpers/remote.js";

/** Makes a used refresh token's record look as it will `ms` later: past the race window. */
async function backdateSpent(h: RemoteHarness, refreshToken: string, ms = 60_000): Promise<void> {
  const key = `spent:${digest(refreshToken)}`;
  const spent = await h.store.get("refresh", key);
  if (!spent) throw new Error("the refresh token was not marked spent");
  await h.store.put("refresh", key, { ...spent, at: Number(spent.at) - ms });
}

let h: RemoteHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function asanaSecrets(server: RemoteHarness, prefix: "access-" | "refresh-"): string[] {
  return [...server.fake.oauth.issuedSecrets].filter((secret) => secret.startsWith(prefix));
}

/** Asks the fake Asana directly whether one of its refresh tokens still works. */
async function asanaRefreshWorks(server: RemoteHarness, refreshToken: string): Promise<boolean> {
  const response = await fetch(new URL("/-/oauth_token", server.fake.origin), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    }).toString(),
  });
  await response.text();
  return response.status === 200;
}

describe("authorization codes", () => {
  it("a code redeemed twice is refused and ends the grant its first use started", async () => {
    h = await startRemote();
    const signed = await codeFor(h);
    const first = await redeem(h, signed);
    expect(first.status).toBe(200);
    const { access_token: access = "", refresh_token: refreshToken = "" } = first.body;
    expect((await ping(h, access)).status).toBe(200);
    const second = await redeem(h, signed);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe("invalid_grant");
    expect(second.body.access_token).toBeUndefined();
    expect((await ping(h, access)).status).toBe(401);
    const renewed = await refresh(h, signed.client.client_id, refreshToken);
    expect(renewed.status).toBe(400);
    expect(renewed.body.error).toBe("invalid_grant");
    // The grant's Asana sign-in was given back too.
    expect(h.fake.oauth.revokeRequests).toBe(1);
  });

  it("refuses a wrong code_verifier", async () => {
    h = await startRemote();
    const signed = await codeFor(h);
    const answer = await redeem(h, signed, { code_verifier: pkce().verifier });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_grant");
    expect(answer.body.access_token).toBeUndefined();
  });

  it("refuses a code redeemed by another client", async () => {
    h = await startRemote();
    const signed = await codeFor(h);
    const thief = await register(h, { client_name: "Another client" });
    const answer = await redeem(h, signed, { client_id: thief.client_id });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_grant");
    expect(answer.body.access_token).toBeUndefined();
  });

  it("refuses a code redeemed with another redirect_uri", async () => {
    h = await startRemote();
    const signed = await codeFor(h);
    const answer = await redeem(h, signed, { redirect_uri: "http://127.0.0.1:53682/other" });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_grant");
    expect(answer.body.access_token).toBeUndefined();
  });

  it("refuses a resource naming another server, at /authorize and at /token", async () => {
    h = await startRemote();
    const client = await register(h);
    const { challenge } = pkce();
    const elsewhere = "https://other.example/mcp";
    // Answered to the browser, not redirected: errors never bounce people to a client's address.
    const authorize = await raw(authorizationUrl(h, client, challenge, { resource: elsewhere }));
    expect(authorize.status).toBe(400);
    expect(authorize.headers.location).toBeUndefined();
    expect(JSON.parse(authorize.body).error).toBe("invalid_target");

    const signed = await codeFor(h);
    const answer = await redeem(h, signed, { resource: elsewhere });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("invalid_target");
    expect(answer.body.access_token).toBeUndefined();
  });
});

describe("refresh tokens", () => {
  it("the SDK client refreshes an expired access token on its own and gets a new refresh token", async () => {
    h = await startRemote();
    const { oauth } = await connectSignedIn(h);
    // The client opens its standalone stream (GET /mcp, refused with 405) right after connecting:
    // waited for, so the one refresh below is the tool call's.
    let streamTried: () => void = () => undefined;
    const tried = new Promise<void>((resolve) => {
      streamTried = resolve;
    });
    const watching: typeof fetch = async (url, init) => {
      const response = await fetch(url, init);
      if (init?.method === "GET") streamTried();
      return response;
    };
    const client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(h.mcpUrl, { authProvider: oauth, fetch: watching }),
    );
    await tried;
    const before = { ...oauth.saved };
    const key = digest(before.access_token ?? "");
    const record = await h.store.get("access", key);
    expect(record).toBeDefined();
    // The access token's record as it will be an hour from now: expired.
    await h.store.put("access", key, { ...record, expires_at: Date.now() - 1000 });
    expect((await ping(h, before.access_token ?? "")).status).toBe(401);
    const me = await client.callTool({ name: "whoami", arguments: {} });
    expect(me.isError).toBeFalsy();
    expect(oauth.saved?.access_token).toMatch(/^amcp_at_/);
    expect(oauth.saved?.access_token).not.toBe(before.access_token);
    expect(oauth.saved?.refresh_token).toMatch(/^amcp_rt_/);
    expect(oauth.saved?.refresh_token).not.toBe(before.refresh_token);
    expect((await ping(h, oauth.saved?.access_token ?? "")).status).toBe(200);
    await client.close();
  });

  it("a refresh token used again is refused and ends the grant, its successors included", async () => {
    h = await startRemote();
    const first = await signedIn(h);
    const rotated = await refresh(h, first.client.client_id, first.refresh);
    expect(rotated.status).toBe(200);
    const { access_token: access = "", refresh_token: next = "" } = rotated.body;
    expect(next).not.toBe(first.refresh);
    expect((await ping(h, access)).status).toBe(200);
    await backdateSpent(h, first.refresh);
    const replay = await refresh(h, first.client.client_id, first.refresh);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe("invalid_grant");
    expect((await ping(h, access)).status).toBe(401);
    const successor = await refresh(h, first.client.client_id, next);
    expect(successor.status).toBe(400);
    expect(successor.body.error).toBe("invalid_grant");
  });

  it("two refreshes of one token by its own client at once: one gets tokens, the other a retryable refusal, and the grant lives", async () => {
    h = await startRemote();
    const first = await signedIn(h);
    const [a, b] = await Promise.all([
      refresh(h, first.client.client_id, first.refresh),
      refresh(h, first.client.client_id, first.refresh),
    ]);
    const [won, lost] = a.status === 200 ? [a, b] : [b, a];
    expect(won.status).toBe(200);
    expect(lost.status).toBe(400);
    expect(lost.body.error).toBe("temporarily_unavailable");
    // Nothing was minted for the second request, and the first one's tokens work.
    expect(lost.body.access_token).toBeUndefined();
    expect((await ping(h, won.body.access_token ?? "")).status).toBe(200);
    expect((await refresh(h, first.client.client_id, won.body.refresh_token ?? "")).status).toBe(200);
  });

  it("the same client presenting a used refresh token after the race window ends the grant", async () => {
    h = await startRemote();
    const first = await signedIn(h);
    const rotated = await refresh(h, first.client.client_id, first.refresh);
    await backdateSpent(h, first.refresh, REFRESH_RACE_MS + 1);
    const replay = await refresh(h, first.client.client_id, first.refresh);
    expect(replay.body.error).toBe("invalid_grant");
    expect((await ping(h, rotated.body.access_token ?? "")).status).toBe(401);
  });

  it("a refresh token presented by another client is refused and ends the grant", async () => {
    h = await startRemote();
    const first = await signedIn(h);
    const thief = await register(h, { client_name: "Another client" });
    const stolen = await refresh(h, thief.client_id, first.refresh);
    expect(stolen.status).toBe(400);
    expect(stolen.body.error).toBe("invalid_grant");
    expect((await ping(h, first.access)).status).toBe(401);
  });
});

describe("revocation (RFC 7009)", () => {
  async function revoke(server: RemoteHarness, clientId: string, tokenValue: string) {
    const response = await fetch(new URL("/revoke", server.remote.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: clientId, token: tokenValue }).toString(),
    });
    await response.text();
    return response.status;
  }

  it("revoking the refresh token ends the grant here and the person's sign-in at Asana", async () => {
    h = await startRemote();
    const first = await signedIn(h);
    const [asanaRefresh] = asanaSecrets(h, "refresh-");
    expect(asanaRefresh).toBeDefined();
    expect((await ping(h, first.access)).status).toBe(200);
    expect(await revoke(h, first.client.client_id, first.refresh)).toBe(200);
    expect((await ping(h, first.access)).status).toBe(401);
    expect(h.fake.oauth.revokeRequests).toBe(1);
    expect(await asanaRefreshWorks(h, asanaRefresh ?? "")).toBe(false);
  });

  it("another client's revocation of a token leaves it working", async () => {
    h = await startRemote();
    const first = await signedIn(h);
    const other = await register(h, { client_name: "Another client" });
    expect(await revoke(h, other.client_id, first.refresh)).toBe(200);
    expect((await ping(h, first.access)).status).toBe(200);
    expect(h.fake.oauth.revokeRequests).toBe(0);
  });
});

describe("the person's Asana token", () => {
  it("is refreshed exactly once under a burst, and the rotated refresh token is kept sealed", async () => {
    h = await startRemote();
    h.fake.oauth.rotateRefreshTokens = true;
    const { client, oauth } = await connectSignedIn(h);
    const read = { name: "get_task", arguments: { task_gid: DEMO_TASK_GID } };
    expect((await client.callTool(read)).isError).toBeFalsy();
    expect(h.fake.oauth.tokenRequests.refresh_token).toBe(0);

    h.fake.oauth.expireAccessTokens();
    const results = await Promise.all(Array.from({ length: 20 }, () => client.callTool(read)));
    expect(results.filter((r) => r.isError)).toEqual([]);
    expect(h.fake.oauth.tokenRequests.refresh_token).toBe(1);
    await client.close();

    const [original, rotated, ...more] = asanaSecrets(h, "refresh-");
    expect(more).toEqual([]);
    const file = readFileSync(h.storePath, "utf8");
    for (const secret of [original, rotated]) expect(file).not.toContain(secret ?? "missing");
    // Only the rotated token can work from here: the store must hold it, not the original.
    h.fake.oauth.revokeRefreshToken(original ?? "");
    await h.restart();
    h.fake.oauth.expireAccessTokens();
    const again = await connectSignedIn(h, oauth);
    const after = await again.client.callTool(read);
    expect(after.isError).toBeFalsy();
    expect(h.fake.oauth.tokenRequests.refresh_token).toBe(2);
    await again.client.close();
  });
});

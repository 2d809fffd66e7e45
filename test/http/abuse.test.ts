// What an unauthenticated stranger could do to a remote deployment, each kept as a test: use the
// server as an open redirector, fill the store with huge requests, end someone's sign-in with a
// leaked used code, take over a sign-in through a leaked consent link, make the server fetch
// documents from inside its network.
import { afterEach, describe, expect, it } from "vitest";
import { isPrivateAddress } from "../../src/http/oauth/clients.js";
import { authorizationUrl, codeFor, ping, pkce, raw, redeem, register, token } from "../helpers/attack.js";
import { Browser, location, type RemoteHarness, startRemote } from "../helpers/remote.js";

let h: RemoteHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("abuse of the open endpoints", () => {
  it("never redirects a bad authorization request to a client's address (no open redirector)", async () => {
    h = await startRemote();
    const client = await register(h, { redirect_uris: ["https://evil.example/phish"] });
    const cases: Array<Record<string, string>> = [
      { code_challenge: "" },
      { code_challenge_method: "plain" },
      { response_type: "token" },
      { resource: "https://other.example/mcp" },
    ];
    for (const extra of cases) {
      const url = authorizationUrl(h, client, pkce().challenge, {
        redirect_uri: "https://evil.example/phish",
        ...extra,
      });
      const answer = await raw(url);
      expect(answer.status, JSON.stringify(extra)).toBe(400);
      expect(answer.headers.location).toBeUndefined();
    }
  });

  it("refuses huge states and registrations before they reach the store", async () => {
    h = await startRemote();
    const client = await register(h);
    const before = await h.store.count("pending");
    const big = await fetch(new URL("/authorize", h.remote.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        response_type: "code",
        client_id: client.client_id,
        code_challenge: pkce().challenge,
        code_challenge_method: "S256",
        state: "s".repeat(5_000),
      }).toString(),
    });
    expect(big.status).toBe(400);
    const huge = await fetch(new URL("/authorize", h.remote.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `state=${"s".repeat(100_000)}`,
    });
    expect(huge.status).toBe(413);
    expect(await h.store.count("pending")).toBe(before);
    const manyUris = await fetch(new URL("/register", h.remote.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        redirect_uris: Array.from({ length: 50 }, (_, i) => `http://127.0.0.1:${1000 + i}/cb`),
        token_endpoint_auth_method: "none",
      }),
    });
    expect(manyUris.status).toBe(400);
    const longName = await fetch(new URL("/register", h.remote.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ redirect_uris: ["http://127.0.0.1/cb"], client_name: "n".repeat(5_000) }),
    });
    expect(longName.status).toBe(400);
  });

  it("a used code presented by another client, or without its verifier, ends nobody's sign-in", async () => {
    h = await startRemote();
    const signed = await codeFor(h);
    const first = await redeem(h, signed);
    expect(first.status).toBe(200);
    const stranger = await register(h);
    const byStranger = await token(h, {
      grant_type: "authorization_code",
      code: signed.code,
      code_verifier: pkce().verifier,
      client_id: stranger.client_id,
      redirect_uri: "http://127.0.0.1:53682/callback",
    });
    expect(byStranger.body.error).toBe("invalid_grant");
    const noVerifier = await redeem(h, signed, { code_verifier: pkce().verifier });
    expect(noVerifier.body.error).toBe("invalid_grant");
    expect((await ping(h, first.body.access_token ?? "")).status).toBe(200);
    // Its own client with its verifier: that is a replay, and the grant ends.
    const replay = await redeem(h, signed);
    expect(replay.body.error).toBe("invalid_grant");
    expect((await ping(h, first.body.access_token ?? "")).status).toBe(401);
  });

  it("a consent link opened in a second browser does not take the sign-in over", async () => {
    h = await startRemote();
    const client = await register(h);
    const first = new Browser();
    const toConsent = await first.get(authorizationUrl(h, client, pkce().challenge));
    const consentUrl = new URL(location(toConsent), h.remote.url);
    expect((await first.get(consentUrl)).status).toBe(200);
    expect((await first.get(consentUrl)).status).toBe(200);
    const second = await new Browser().get(consentUrl);
    expect(second.status).toBe(403);
  });

  it("fetches client documents from public addresses only", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "::1",
      "fd00::1",
      "fe80::1",
      "::ffff:10.0.0.1",
      "localhost",
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ["93.184.216.34", "2606:2800:220:1::1", "asana.com"]) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });
});

import { statSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { login } from "../../src/auth/login.js";
import { DEFAULT_SCOPES, tokenRequest } from "../../src/auth/oauth.js";
import { AppError } from "../../src/errors.js";
import { startFakeAsana } from "../fake-asana/index.js";
import { browse, CLIENT, registerClient, signIn, tempStore } from "../helpers/oauth.js";

let started: Awaited<ReturnType<typeof startFakeAsana>>;
beforeEach(async () => {
  started = await startFakeAsana();
  registerClient(started.fake);
});
afterEach(() => started.close());

const GRACE_GID = () => started.fake.oauth.signedInUser;

function loopback(store = tempStore(), openBrowser?: (url: string) => Promise<void>) {
  return login({
    baseUrl: started.baseUrl,
    ...CLIENT,
    scopes: [...DEFAULT_SCOPES],
    mode: "loopback",
    port: 0,
    timeoutMs: 5_000,
    waitMs: 5_000,
    openBrowser,
    readCode: async () => {
      throw new Error("loopback mode must not read a code");
    },
    say: () => undefined,
    store,
  });
}

describe("auth login (loopback)", () => {
  it("signs in with PKCE S256 and state, verifies the id_token, stores the login 0600", async () => {
    const store = tempStore();
    let visit: Promise<{ callback?: string; status: number }> | undefined;
    const stored = await loopback(store, async (url) => {
      visit = browse(url);
    });
    const visited = await visit;
    expect(visited?.status).toBe(200);

    expect(stored.user).toMatchObject({ gid: GRACE_GID(), name: "Grace Hopper" });
    expect(stored.verified_claims).toMatchObject({
      sub: GRACE_GID(),
      aud: CLIENT.clientId,
      iss: started.baseUrl,
      email: "grace@sandbox.example",
    });
    expect(await store.read()).toEqual(stored);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);

    // What went over the wire: the authorize URL carried S256, state, nonce; the exchange the verifier.
    const authorize = started.fake.requests.find((r) => r.path === "/-/oauth_authorize");
    expect(authorize?.query).toMatchObject({ code_challenge_method: "S256", response_type: "code" });
    expect(authorize?.query.state?.length).toBeGreaterThanOrEqual(32);
    expect(authorize?.query.redirect_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const exchange = new URLSearchParams(
      String(started.fake.requests.find((r) => r.path === "/-/oauth_token")?.body),
    );
    expect(exchange.get("grant_type")).toBe("authorization_code");
    expect(exchange.get("code_verifier")?.length).toBeGreaterThanOrEqual(43);
    expect(exchange.get("client_secret")).toBe(CLIENT.clientSecret);
    expect(started.fake.oauth.tokenRequests.authorization_code).toBe(1);

    // The listener accepted one callback and closed: a second one finds nobody.
    await expect(fetch(visited?.callback ?? "")).rejects.toThrow();
  });

  it("refuses a callback with a different state, before any token request, and stores nothing", async () => {
    const store = tempStore();
    let visit: Promise<unknown> | undefined;
    const attempt = loopback(store, async (url) => {
      visit = browse(url, (callback) => {
        callback.searchParams.set("state", "forged-state-value-that-is-long-enough");
        return callback;
      });
    });
    await expect(attempt).rejects.toMatchObject({ code: "invalid_input", message: /different state/ });
    await visit;
    expect(started.fake.oauth.tokenRequests.authorization_code).toBe(0);
    expect(await store.read()).toBeUndefined();
  });
});

describe("auth login (out-of-band)", () => {
  it("prints the URL, reads the pasted code and stores the login", async () => {
    const store = tempStore();
    const stored = await signIn(started.baseUrl, store);
    const authorize = started.fake.requests.find((r) => r.path === "/-/oauth_authorize");
    expect(authorize?.query.redirect_uri).toBe("urn:ietf:wg:oauth:2.0:oob");
    expect(stored.redirect_uri).toBe("urn:ietf:wg:oauth:2.0:oob");
    expect(stored.verified_claims?.sub).toBe(GRACE_GID());
    expect(started.fake.oauth.issuedSecrets.has(stored.refresh_token)).toBe(true);
  });

  it("a replayed code is refused by the token endpoint", async () => {
    let code = "";
    await login({
      baseUrl: started.baseUrl,
      ...CLIENT,
      scopes: ["default"],
      mode: "oob",
      timeoutMs: 5_000,
      openBrowser: async (url) => {
        code = (await browse(url)).code ?? "";
      },
      readCode: async () => code,
      say: () => undefined,
      store: tempStore(),
    });
    const replay = tokenRequest(
      started.baseUrl,
      {
        grant_type: "authorization_code",
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        redirect_uri: "urn:ietf:wg:oauth:2.0:oob",
        code,
        code_verifier: "x".repeat(43),
      },
      5_000,
    );
    await expect(replay).rejects.toBeInstanceOf(AppError);
    await expect(replay).rejects.toMatchObject({ code: "login_required", message: /invalid_grant/ });
  });

  it("rejects a wrong client secret with a clear message", async () => {
    const attempt = login({
      baseUrl: started.baseUrl,
      clientId: CLIENT.clientId,
      clientSecret: "not-the-secret",
      scopes: ["default"],
      mode: "oob",
      timeoutMs: 5_000,
      openBrowser: async () => undefined,
      readCode: async () => "code-0123456789",
      say: () => undefined,
      store: tempStore(),
    });
    await expect(attempt).rejects.toMatchObject({
      code: "login_required",
      message: /ASANA_OAUTH_CLIENT_SECRET/,
    });
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { OAuthIdentity } from "../../src/auth/oauth.js";
import type { FileStore, StoredLogin } from "../../src/auth/store.js";
import { errorOf, type Harness, startHarness } from "../helpers/harness.js";
import { registerClient, signIn, tempStore } from "../helpers/oauth.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Setup {
  h: Harness;
  identity: OAuthIdentity;
  store: FileStore;
  stored: StoredLogin;
}

/** A server whose only identity is an OAuth login signed in through the production flow. */
async function withLogin(): Promise<Setup> {
  const store = tempStore();
  let identity: OAuthIdentity | undefined;
  let stored: StoredLogin | undefined;
  h = await startHarness({
    resolve: false,
    identities: async (baseUrl, fake) => {
      registerClient(fake);
      stored = await signIn(baseUrl, store);
      identity = new OAuthIdentity({ store, login: stored, timeoutMs: 5_000 });
      return [identity];
    },
  });
  if (!identity || !stored) throw new Error("no login");
  return { h, identity, store, stored };
}

const grants = (s: Setup) => s.h.fake.oauth.tokenRequests;

describe("OAuth refresh", () => {
  it("100 concurrent calls with no valid access token make exactly one refresh, and all succeed", async () => {
    const s = await withLogin();
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => s.h.call("oidc_userinfo")));
    expect(outcomes.filter((o) => o.isError).map((o) => o.text)).toEqual([]);
    expect(outcomes[0]?.body).toMatchObject({ name: "Grace Hopper", email: "grace@sandbox.example" });
    expect(grants(s).refresh_token).toBe(1);
  });

  it("100 concurrent calls refused with 401 (token expired at Asana) share one refresh and repeat", async () => {
    const s = await withLogin();
    expect((await s.h.call("oidc_userinfo")).isError).toBe(false);
    s.h.fake.oauth.expireAccessTokens();
    const before = s.h.fake.requests.length;
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => s.h.call("oidc_userinfo")));
    expect(outcomes.filter((o) => o.isError).map((o) => o.text)).toEqual([]);
    expect(grants(s).refresh_token).toBe(2);
    const after = s.h.fake.requests.slice(before).filter((r) => r.path === "/openid_connect/userinfo");
    // Calls that started after the refresh (the per-identity cap queues half) went straight through.
    expect(after.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(1);
    expect(after.filter((r) => r.status === 200)).toHaveLength(100);
  });

  it("refreshes shortly before expiry, without waiting for a 401", async () => {
    const s = await withLogin();
    s.identity.setAccessToken("soon-to-expire", 60); // inside the 2-minute margin
    expect((await s.h.call("oidc_userinfo")).isError).toBe(false);
    expect(grants(s).refresh_token).toBe(1);
    expect(s.h.fake.requests.filter((r) => r.status === 401)).toHaveLength(0);
  });

  it("stores a rotated refresh token, and the old one is retired once the new one is used", async () => {
    const s = await withLogin();
    s.h.fake.oauth.rotateRefreshTokens = true;
    expect((await s.h.call("oidc_userinfo")).isError).toBe(false);
    const afterFirst = await s.store.read();
    expect(afterFirst?.refresh_token).not.toBe(s.stored.refresh_token);
    expect(afterFirst?.refreshed_at).not.toBeNull();
    s.h.fake.oauth.expireAccessTokens();
    expect((await s.h.call("oidc_userinfo")).isError).toBe(false);
    const afterSecond = await s.store.read();
    expect(afterSecond?.refresh_token).not.toBe(afterFirst?.refresh_token);
    // The original token is gone now that its successor was used.
    const stale = new OAuthIdentity({ store: tempStore(), login: s.stored, timeoutMs: 5_000 });
    await expect(stale.accessToken()).rejects.toMatchObject({ code: "login_required" });
  });

  it("a refused refresh token ends in one clear error, not a loop", async () => {
    const s = await withLogin();
    s.h.fake.oauth.revokeRefreshToken(s.stored.refresh_token);
    const first = errorOf(await s.h.call("oidc_userinfo"));
    expect(first.code).toBe("login_required");
    expect(first.message).toContain("asana-mcp auth login");
    expect(first.retryable).toBe(false);
    const second = errorOf(await s.h.call("oidc_userinfo"));
    expect(second.code).toBe("login_required");
    expect(grants(s).refresh_token).toBe(1);
    expect(s.h.fake.requests.filter((r) => r.path === "/openid_connect/userinfo")).toHaveLength(0);
  });

  it("whoami shows the verified id_token claims of the OAuth login and where it is stored", async () => {
    const s = await withLogin();
    const outcome = await s.h.call("whoami");
    expect(outcome.isError, outcome.text).toBe(false);
    const oauth = (outcome.body.identities as Array<Record<string, unknown>>).find((i) => i.kind === "oauth");
    expect(oauth).toMatchObject({
      status: "ok",
      source: `${s.store.path} (token store)`,
      user: { name: "Grace Hopper" },
      verified_claims: { sub: s.stored.user.gid, aud: s.stored.client_id, email: "grace@sandbox.example" },
    });
    expect(outcome.text).not.toContain(s.stored.refresh_token);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { errorOf, type Harness, startHarness } from "../helpers/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("oidc_userinfo", () => {
  it("returns the OpenID Connect claims of the OAuth login", async () => {
    h = await startHarness({
      env: { ASANA_OAUTH_ACCESS_TOKEN: SANDBOX_TOKENS.oauth, ASANA_PAT: SANDBOX_TOKENS.pat },
    });
    const outcome = await h.call("oidc_userinfo");
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.body).toMatchObject({
      name: "Grace Hopper",
      email: "grace@sandbox.example",
      email_verified: true,
    });
    expect(outcome.body.sub).toMatch(/^\d+$/);
    const { tools } = await h.client.listTools();
    expect(tools.find((t) => t.name === "oidc_userinfo")?.description).toContain("Grace Hopper");
  });

  it("explains how to get an OAuth login when none is configured", async () => {
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat } });
    const before = h.fake.requests.length;
    const error = errorOf(await h.call("oidc_userinfo"));
    expect(error.code).toBe("oidc_unavailable");
    expect(error.message).toContain("needs an OAuth login");
    expect(error.hint).toContain("asana-mcp auth login");
    expect(h.fake.requests.length).toBe(before);
  });

  it("explains the missing openid scope", async () => {
    h = await startHarness({ env: { ASANA_OAUTH_ACCESS_TOKEN: "no-openid-token" }, resolve: false });
    // The token belongs to the OAuth user but was granted without openid.
    h.fake.addToken({ token: "no-openid-token", userGid: await oauthUserGid(h), oauthScopes: ["default"] });
    const grace = h.fake.requests.length;
    const error = errorOf(await h.call("oidc_userinfo"));
    expect(error.code).toBe("oidc_unavailable");
    expect(error.message).toContain("openid");
    expect(h.fake.requests.length).toBe(grace + 1);
  });
});

async function oauthUserGid(h: Harness): Promise<string> {
  const response = await fetch(`${h.baseUrl}/users/me`, {
    headers: { authorization: `Bearer ${SANDBOX_TOKENS.oauth}` },
  });
  return ((await response.json()) as { data: { gid: string } }).data.gid;
}

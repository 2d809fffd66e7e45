import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Discovery, discover, verifyIdToken } from "../../src/auth/oidc.js";
import { startFakeAsana } from "../fake-asana/index.js";
import { CLIENT } from "../helpers/oauth.js";

let started: Awaited<ReturnType<typeof startFakeAsana>>;
let discovery: Discovery;
const NONCE = "nonce-7d1c2b9a44e0";
beforeAll(async () => {
  started = await startFakeAsana();
  discovery = await discover(started.baseUrl, 5_000);
});
afterAll(() => started.close());

const user = () => started.fake.oauth.signedInUser ?? "";
const verify = (token: string, nonce = NONCE) =>
  verifyIdToken(token, { discovery, clientId: CLIENT.clientId, nonce, timeoutMs: 5_000 });

describe("id_token verification", () => {
  it("reads issuer and JWKS from discovery and accepts a good token", async () => {
    expect(discovery.issuer).toBe(started.baseUrl);
    const token = await started.fake.oauth.signIdToken(CLIENT.clientId, user(), NONCE);
    await expect(verify(token)).resolves.toMatchObject({
      sub: user(),
      aud: CLIENT.clientId,
      name: "Grace Hopper",
    });
  });

  it("rejects a tampered payload", async () => {
    const token = await started.fake.oauth.signIdToken(CLIENT.clientId, user(), NONCE);
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>;
    claims.sub = "1";
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
    await expect(verify(forged)).rejects.toMatchObject({ message: /signature does not verify/ });
  });

  it("rejects a token signed with a key the JWKS does not publish", async () => {
    const token = await started.fake.oauth.signIdToken(CLIENT.clientId, user(), NONCE, { foreignKey: true });
    await expect(verify(token)).rejects.toMatchObject({
      message: /signature does not verify|does not publish/,
    });
  });

  it("rejects an expired token", async () => {
    const token = await started.fake.oauth.signIdToken(CLIENT.clientId, user(), NONCE, { expiresIn: -600 });
    await expect(verify(token)).rejects.toMatchObject({ message: /expired/ });
  });

  it("rejects a wrong issuer", async () => {
    const token = await started.fake.oauth.signIdToken(CLIENT.clientId, user(), NONCE, {
      claims: { iss: "https://evil.example" },
    });
    await expect(verify(token)).rejects.toMatchObject({ message: /claim iss/ });
  });

  it("rejects a wrong audience", async () => {
    const token = await started.fake.oauth.signIdToken("someone-elses-client", user(), NONCE);
    await expect(verify(token)).rejects.toMatchObject({ message: /claim aud/ });
  });

  it("rejects a wrong or missing nonce", async () => {
    const token = await started.fake.oauth.signIdToken(CLIENT.clientId, user(), "another-login");
    await expect(verify(token)).rejects.toMatchObject({ message: /nonce/ });
    const none = await started.fake.oauth.signIdToken(CLIENT.clientId, user());
    await expect(verify(none)).rejects.toMatchObject({ message: /nonce/ });
  });
});

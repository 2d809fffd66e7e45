// Attacks on remote mode's front door: requests naming another host or coming from another
// origin (DNS rebinding), tokens that are not ours (no passthrough), forged or replayed consent
// and callbacks, and the traces a full sign-in leaves (no secret in the store, the pages, the
// logs or the audit log; the audit names who asked and who acted).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEMO_TASK_GID, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import {
  authorizationUrl,
  codeFor,
  ping,
  pkce,
  REDIRECT,
  raw,
  redeem,
  refresh,
  register,
  signedIn,
  token,
} from "../helpers/attack.js";
import {
  APP,
  Browser,
  connectSignedIn,
  formField,
  GRACE_GID,
  location,
  type RemoteHarness,
  startRemote,
} from "../helpers/remote.js";

let h: RemoteHarness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.close();
  h = undefined;
});

function harness(): RemoteHarness {
  if (!h) throw new Error("no server");
  return h;
}

const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const PING = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });

describe("Host and Origin (DNS rebinding)", () => {
  it("refuses a foreign Host on /mcp, /authorize, /consent and the metadata", async () => {
    h = await startRemote();
    const evil = `evil.example:${h.remote.url.port}`;
    for (const path of [
      "/mcp",
      "/authorize",
      "/consent?request=x",
      "/.well-known/oauth-authorization-server",
    ]) {
      const answer = await raw(new URL(path, h.remote.url), { host: evil });
      expect(answer.status, path).toBe(403);
      expect(JSON.parse(answer.body).error, path).toBe("forbidden");
    }
    const post = await raw(h.mcpUrl, { method: "POST", host: evil, headers: MCP_HEADERS, body: PING });
    expect(post.status).toBe(403);
  });

  it("accepts localhost and 127.0.0.1 with the port as this server's names", async () => {
    h = await startRemote();
    const path = new URL("/.well-known/oauth-authorization-server", h.remote.url);
    for (const host of [`localhost:${h.remote.url.port}`, `127.0.0.1:${h.remote.url.port}`]) {
      const answer = await raw(path, { host });
      expect(answer.status, host).toBe(200);
      expect(JSON.parse(answer.body).issuer).toBe(h.remote.url.href);
    }
    // The port is part of the name: another port on this machine is another server.
    const other = await raw(path, { host: `localhost:${Number(h.remote.url.port) + 1}` });
    expect(other.status).toBe(403);
  });

  it("refuses a foreign Origin at /mcp, however the path is spelled", async () => {
    h = await startRemote();
    const { access } = await signedIn(h);
    const headers = { ...MCP_HEADERS, authorization: `Bearer ${access}`, origin: "https://evil.example" };
    for (const path of ["/mcp", "/mcp/", "/MCP", "/Mcp/"]) {
      const answer = await raw(new URL(path, h.remote.url), { method: "POST", headers, body: PING });
      expect(answer.status, path).toBe(403);
      expect(JSON.parse(answer.body).error, path).toBe("forbidden");
    }
    // This server's own origin is welcome.
    const own = await raw(h.mcpUrl, {
      method: "POST",
      headers: { ...headers, origin: h.remote.url.origin },
      body: PING,
    });
    expect(own.status).toBe(200);
  });

  it("refuses a consent form posted from a foreign Origin, however the path is spelled", async () => {
    h = await startRemote();
    for (const path of ["/consent", "/consent/", "/CONSENT"]) {
      const answer = await raw(new URL(path, h.remote.url), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
        body: "request=x&csrf=y&decision=approve",
      });
      expect(answer.status, path).toBe(403);
      expect(JSON.parse(answer.body).error, path).toBe("forbidden");
    }
  });

  it("answers the CORS OAuth endpoints from a foreign Origin (browser-based clients)", async () => {
    h = await startRemote();
    const origin = { origin: "https://client.example" };
    const metadata = await raw(new URL("/.well-known/oauth-authorization-server", h.remote.url), {
      headers: origin,
    });
    expect(metadata.status).toBe(200);
    expect(metadata.headers["access-control-allow-origin"]).toBe("*");
    const resource = await raw(new URL("/.well-known/oauth-protected-resource/mcp", h.remote.url), {
      headers: origin,
    });
    expect(resource.status).toBe(200);
    const registered = await raw(new URL("/register", h.remote.url), {
      method: "POST",
      headers: { ...origin, "content-type": "application/json" },
      body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "none" }),
    });
    expect(registered.status).toBe(201);
    const clientId = JSON.parse(registered.body).client_id as string;
    // /token is reached (an unknown code is the token endpoint's own answer, not the guard's).
    const exchanged = await raw(new URL("/token", h.remote.url), {
      method: "POST",
      headers: { ...origin, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: clientId,
        code: "amcp_code_unknown",
        code_verifier: pkce().verifier,
      }).toString(),
    });
    expect(exchanged.status).toBe(400);
    expect(JSON.parse(exchanged.body).error).toBe("invalid_grant");
    expect(exchanged.headers["access-control-allow-origin"]).toBe("*");
  });
});

describe("no token passthrough", () => {
  it("refuses Asana tokens at /mcp, the sandbox one and the one a sign-in obtained", async () => {
    h = await startRemote();
    await signedIn(h);
    const asanaAccess = [...h.fake.oauth.issuedSecrets].filter((s) => s.startsWith("access-"));
    expect(asanaAccess.length).toBeGreaterThan(0);
    const metadata = new URL("/.well-known/oauth-protected-resource/mcp", h.remote.url).href;
    for (const bearer of [SANDBOX_TOKENS.oauth, SANDBOX_TOKENS.bot, ...asanaAccess]) {
      const answer = await ping(h, bearer);
      expect(answer.status).toBe(401);
      expect(answer.challenge).toContain('error="invalid_token"');
      expect(answer.challenge).toContain(`resource_metadata="${metadata}"`);
    }
  });

  it("refuses a token of ours once its grant is revoked", async () => {
    h = await startRemote();
    const { access, refresh: refreshToken, client } = await signedIn(h);
    expect((await ping(h, access)).status).toBe(200);
    const revoked = await fetch(new URL("/revoke", h.remote.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: client.client_id, token: access }).toString(),
    });
    expect(revoked.status).toBe(200);
    expect((await ping(h, access)).status).toBe(401);
    const again = await refresh(h, client.client_id, refreshToken);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe("invalid_grant");
  });
});

/** The browser's way to the consent page: its form fields, and the cookie it was given. */
async function openConsent(server: RemoteHarness, browser = new Browser(), state = "client-state-1") {
  const client = await register(server);
  const { challenge } = pkce();
  const toConsent = await browser.get(authorizationUrl(server, client, challenge, { state }));
  expect(toConsent.status).toBe(302);
  const consentUrl = new URL(location(toConsent), server.remote.url);
  const page = await browser.get(consentUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  return {
    browser,
    consentUrl,
    request: formField(html, "request"),
    csrf: formField(html, "csrf"),
  };
}

async function pageText(response: Response): Promise<string> {
  return response.text();
}

describe("consent and callback forgery", () => {
  it("refuses a consent approval with a wrong or missing csrf, or from another browser", async () => {
    const server = await startRemote();
    h = server;
    const { browser, consentUrl, request, csrf } = await openConsent(server);
    const target = new URL("/consent", consentUrl);
    const forms: Record<string, string>[] = [
      { request, csrf: `${csrf}x`, decision: "approve" },
      { request, decision: "approve" },
      { request, csrf: "", decision: "approve" },
    ];
    for (const form of forms) {
      const answer = await browser.post(target, form);
      expect(answer.status).toBe(403);
      expect(await pageText(answer)).toContain("Not allowed");
    }
    // The right token, but not the browser that was shown the page (no cookie).
    const elsewhere = await new Browser().post(target, { request, csrf, decision: "approve" });
    expect(elsewhere.status).toBe(403);
    expect(await pageText(elsewhere)).toContain("Not allowed");
    // The refusals spent nothing: the real browser can still approve, once.
    const approved = await browser.post(target, { request, csrf, decision: "approve" });
    expect(approved.status).toBe(302);
    expect(location(approved)).toContain("/-/oauth_authorize");
    const twice = await browser.post(target, { request, csrf, decision: "approve" });
    expect(twice.status).toBe(400);
    expect(await pageText(twice)).toContain("This sign-in link has expired");
  });

  it("sends a denial back to the client with access_denied and the client's state", async () => {
    h = await startRemote();
    const { browser, consentUrl, request, csrf } = await openConsent(h, new Browser(), "state-xyz");
    const denied = await browser.post(new URL("/consent", consentUrl), { request, csrf, decision: "deny" });
    expect(denied.status).toBe(302);
    const back = new URL(location(denied));
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("state")).toBe("state-xyz");
    expect(back.searchParams.get("code")).toBeNull();
  });

  it("honours Asana's callback once, and only in the browser that approved", async () => {
    h = await startRemote();
    h.fake.oauth.signedInUser = GRACE_GID;
    const { browser, consentUrl, request, csrf } = await openConsent(h);
    const approved = await browser.post(new URL("/consent", consentUrl), {
      request,
      csrf,
      decision: "approve",
    });
    const callback = location(await browser.get(location(approved)));
    // Without the consent cookie: refused (and the pending sign-in is spent).
    const stranger = await new Browser().get(callback);
    expect(stranger.status).toBe(403);
    expect(await pageText(stranger)).toContain("Not allowed");
    const after = await browser.get(callback);
    expect(after.status).toBe(400);
    expect(await pageText(after)).toContain("This sign-in link has expired");

    // A completed callback replayed in the same browser finds it expired.
    const second = await openConsent(h);
    const ok = await second.browser.post(new URL("/consent", second.consentUrl), {
      request: second.request,
      csrf: second.csrf,
      decision: "approve",
    });
    const secondCallback = location(await second.browser.get(location(ok)));
    const done = await second.browser.get(secondCallback);
    expect(done.status).toBe(302);
    expect(new URL(location(done)).searchParams.get("code")).toMatch(/^amcp_code_/);
    const replay = await second.browser.get(secondCallback);
    expect(replay.status).toBe(400);
    expect(await pageText(replay)).toContain("This sign-in link has expired");
  });

  it("answers an unregistered redirect_uri with 400 and no redirect to it", async () => {
    h = await startRemote();
    const client = await register(h);
    const { challenge } = pkce();
    for (const redirect of ["https://evil.example/callback", "http://127.0.0.1:53682/other"]) {
      const url = authorizationUrl(h, client, challenge, { redirect_uri: redirect });
      const answer = await raw(url);
      expect(answer.status, redirect).toBe(400);
      expect(answer.headers.location).toBeUndefined();
      expect(JSON.parse(answer.body).error).toBe("invalid_request");
    }
  });
});

describe("what a full flow leaves behind", () => {
  it("shows no secret in the store, the pages, the logs or the audit log", async () => {
    const auditLog = join(mkdtempSync(join(tmpdir(), "asana-mcp-audit-")), "audit.jsonl");
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, "write").mockImplementation(((chunk: unknown, ...rest: never[]) => {
      stderr.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return write(chunk as string, ...rest);
    }) as typeof process.stderr.write);
    h = await startRemote({ env: { ASANA_AUDIT_LOG: auditLog, ASANA_LOG_LEVEL: "debug" } });
    h.fake.oauth.rotateRefreshTokens = true;
    const confidential = await register(h, { token_endpoint_auth_method: "client_secret_post" });
    expect(confidential.client_secret).toBeTruthy();
    const signed = await codeFor(h, GRACE_GID, new Browser(), confidential);
    const first = await redeem(h, signed, { client_secret: confidential.client_secret ?? "" });
    expect(first.status).toBe(200);
    const { client } = await connectSignedIn(h);
    await client.callTool({ name: "create_comment", arguments: { task_gid: DEMO_TASK_GID, text: "Ready." } });
    h.fake.oauth.expireAccessTokens();
    const read = await client.callTool({ name: "get_task", arguments: { task_gid: DEMO_TASK_GID } });
    expect(read.isError).toBeFalsy();
    expect(h.fake.oauth.tokenRequests.refresh_token).toBe(1);
    const renewed = await token(h, {
      grant_type: "refresh_token",
      client_id: confidential.client_id,
      client_secret: confidential.client_secret ?? "",
      refresh_token: first.body.refresh_token ?? "",
    });
    expect(renewed.status).toBe(200);
    const revoked = await signed.browser.post(new URL("/revoke", h.remote.url), {
      client_id: confidential.client_id,
      client_secret: confidential.client_secret ?? "",
      token: renewed.body.refresh_token ?? "",
    });
    expect(revoked.status).toBe(200);
    expect(h.fake.oauth.revokeRequests).toBe(1);
    await client.close();

    const ours = [first.body, renewed.body].flatMap((b) => [b.access_token ?? "", b.refresh_token ?? ""]);
    const secrets = [
      ...h.fake.oauth.issuedSecrets,
      ...ours,
      confidential.client_secret ?? "",
      APP.clientSecret,
      signed.code,
    ];
    expect(secrets.every((s) => s.length > 8)).toBe(true);
    // What our server said to the browser (the URL it asked for may carry Asana's code, meant for us).
    const ownOrigin = h.remote.url.origin;
    const pages = signed.browser.seen
      .map((entry) => entry.split(" "))
      .filter(([, href]) => href?.startsWith(ownOrigin))
      .map(([status, , ...rest]) => `${status} ${rest.join(" ")}`)
      .join("\n");
    expect(pages).toContain("Allow access to Asana?");
    const places = {
      store: readFileSync(h.storePath, "utf8"),
      pages,
      audit: readFileSync(auditLog, "utf8"),
      stderr: stderr.join(""),
    };
    expect(places.audit).toContain("create_comment");
    expect(places.stderr).toContain("signed in");
    for (const [place, text] of Object.entries(places)) {
      // The code our server handed back is in its redirect, as it must be; nowhere else.
      const allowed = place === "pages" ? secrets.filter((s) => s !== signed.code) : secrets;
      for (const secret of allowed) expect(text.includes(secret), `${place} holds a secret`).toBe(false);
    }
  });

  it("audits a write with the person who asked and the bot that acted", async () => {
    const auditLog = join(mkdtempSync(join(tmpdir(), "asana-mcp-audit-")), "audit.jsonl");
    h = await startRemote({ env: { ASANA_AUDIT_LOG: auditLog } });
    const { client } = await connectSignedIn(h);
    const result = await client.callTool({
      name: "create_comment",
      arguments: { task_gid: DEMO_TASK_GID, text: "Checklist reviewed." },
    });
    expect(result.isError).toBeFalsy();
    await client.close();
    const lines = readFileSync(auditLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const write = lines.find((line) => line.tool === "create_comment");
    expect(write).toMatchObject({
      outcome: "ok",
      person: { user_gid: GRACE_GID, user_name: "Grace Hopper" },
      identity: { kind: "bot", user_name: "Acme Bot" },
      target: { task: DEMO_TASK_GID },
    });
    expect(harness().fake.requests.some((r) => r.method === "POST")).toBe(true);
  });
});

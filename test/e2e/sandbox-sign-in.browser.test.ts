// The sandbox's sign-in page in a real Chromium: a person picks Grace Hopper and the browser follows
// the redirect to the client's callback. Only a real browser enforces the page's CSP, and Chromium
// applies a form-action to every redirect a form submission starts (the page sets none, since the
// app's redirect URI may redirect on), so this is where the whole chain is proven to go through.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SANDBOX_USER_GIDS } from "../../src/sandbox/demo-data.js";
import { FakeAsana } from "../../src/sandbox/fake-asana.js";
import { browserAvailable, chromiumPath, openBrowser, screenshot } from "../helpers/browser.js";
import { CLIENT, registerClient } from "../helpers/oauth.js";

/** The client's side: a loopback callback that records what the browser brought back. */
async function startCallback(): Promise<{ url: string; hits: URL[]; server: Server }> {
  const hits: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    // The browser also asks for /favicon.ico; only the callback counts.
    if (url.pathname !== "/callback") return void res.writeHead(404).end();
    hits.push(url);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>Signed in</title><p>You can close this page.</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/callback`, hits, server };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// In CI a missing browser fails (openBrowser throws); elsewhere the suite says why it skipped.
const skip = !browserAvailable() && !process.env.CI;
const title = skip
  ? `sandbox sign-in in Chromium (skipped: no Chromium at ${chromiumPath()}; apt-get install chromium or set CHROMIUM_PATH)`
  : "sandbox sign-in in Chromium";
if (skip) console.warn(title);

describe.skipIf(skip)(title, () => {
  let fake: FakeAsana;
  let callback: Awaited<ReturnType<typeof startCallback>>;
  let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;
  const verifier = randomBytes(32).toString("base64url");

  beforeEach(async () => {
    fake = new FakeAsana(undefined, { signInPage: true });
    await fake.listen();
    registerClient(fake);
    callback = await startCallback();
    browser = await openBrowser();
  });
  afterEach(async () => {
    await browser?.close();
    await fake.close();
    await new Promise((resolve) => callback.server.close(resolve));
  });

  function authorizeUrl(state: string): string {
    const url = new URL(`${fake.origin}/-/oauth_authorize`);
    url.search = new URLSearchParams({
      client_id: CLIENT.clientId,
      redirect_uri: callback.url,
      response_type: "code",
      state,
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
      scope: "default openid email profile",
    }).toString();
    return url.href;
  }

  it("signs Grace Hopper in and lands on the client's callback with code and state", async () => {
    const page = browser?.page;
    if (!page) throw new Error("no browser page");
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });

    await page.goto(authorizeUrl("state-browser-1"));
    expect(await page.title()).toBe("Sign in to the sandbox Asana");
    const shot = await screenshot(page, "sandbox-sign-in");
    const png = readFileSync(shot);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(statSync(shot).size).toBeGreaterThan(5 * 1024);

    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(callback.url)),
      page.getByRole("button", { name: /Grace Hopper/ }).click(),
    ]);
    expect(callback.hits).toHaveLength(1);
    const hit = callback.hits[0];
    expect(hit?.searchParams.get("state")).toBe("state-browser-1");
    const code = hit?.searchParams.get("code") ?? "";
    expect(code).toMatch(/^code-/);
    expect(violations).toEqual([]);

    // The code is Grace's.
    const exchange = await fetch(`${fake.origin}/-/oauth_token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        redirect_uri: callback.url,
        code,
        code_verifier: verifier,
      }).toString(),
    });
    expect(((await exchange.json()) as { data: { gid: string } }).data.gid).toBe(SANDBOX_USER_GIDS.oauth);
  });

  it("Cancel brings the browser back to the client with access_denied", async () => {
    const page = browser?.page;
    if (!page) throw new Error("no browser page");
    await page.goto(authorizeUrl("state-browser-2"));
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(callback.url)),
      page.getByRole("button", { name: "Cancel" }).click(),
    ]);
    expect(callback.hits.map((u) => Object.fromEntries(u.searchParams))).toEqual([
      { error: "access_denied", state: "state-browser-2" },
    ]);
  });
});

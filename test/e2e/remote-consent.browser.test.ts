// Remote mode's sign-in in a real Chromium: the SDK's OAuth client asks for authorization, the
// browser shows asana-mcp's consent page (screenshot kept in test-output/screenshots), approves,
// picks Grace Hopper on the sandbox Asana's sign-in page, and lands on the client's callback with
// the code that connects the client as Grace.
import { readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { browserAvailable, chromiumPath, openBrowser, screenshot } from "../helpers/browser.js";
import { MemoryOAuthClient, type RemoteHarness, startRemote } from "../helpers/remote.js";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const skip = !browserAvailable() && !process.env.CI;
const title = skip
  ? `remote sign-in in Chromium (skipped: no Chromium at ${chromiumPath()}; apt-get install chromium)`
  : "remote sign-in in Chromium";
if (skip) console.warn(title);

async function startCallback(): Promise<{ url: string; hits: URL[]; server: Server }> {
  const hits: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/callback") return void res.writeHead(404).end();
    hits.push(url);
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Connected</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, hits, server };
}

describe.skipIf(skip)(title, () => {
  let h: RemoteHarness | undefined;
  let browser: Awaited<ReturnType<typeof openBrowser>> | undefined;
  let callback: Awaited<ReturnType<typeof startCallback>> | undefined;
  afterEach(async () => {
    await browser?.close();
    await h?.close();
    await new Promise((resolve) => (callback ? callback.server.close(resolve) : resolve(undefined)));
  });

  it("consents, signs in as Grace Hopper and connects the SDK client as her", async () => {
    h = await startRemote({ signInPage: true });
    callback = await startCallback();
    browser = await openBrowser();
    const oauth = new MemoryOAuthClient("Browser test client", callback.url);
    const transport = new StreamableHTTPClientTransport(h.mcpUrl, { authProvider: oauth });
    await expect(new Client({ name: "t", version: "1" }).connect(transport)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    const authorizationUrl = oauth.authorizationUrl;
    if (!authorizationUrl) throw new Error("the client was not sent to authorize");

    const { page } = browser;
    const violations: string[] = [];
    page.on("console", (m) => void (/Content Security Policy/i.test(m.text()) && violations.push(m.text())));
    await page.goto(authorizationUrl.href);
    expect(await page.title()).toBe("Allow access to Asana?");
    const body = await page.locator("body").innerText();
    expect(body).toContain("Browser test client");
    expect(body).toContain(callback.url);
    expect(body).toMatch(/Writes carry the name of\s+Acme Bot/);
    expect(body).toMatch(/Reads act as\s+you \(the Asana account you sign in with next\)/);
    const shot = await screenshot(page, "remote-consent");
    expect(readFileSync(shot).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(statSync(shot).size).toBeGreaterThan(5 * 1024);

    await Promise.all([
      page.waitForURL((url) => url.pathname === "/-/oauth_authorize", { timeout: 10_000 }),
      page.getByRole("button", { name: /Approve/ }).click(),
    ]);
    expect(await page.title()).toBe("Sign in to the sandbox Asana");
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(callback?.url ?? ""), { timeout: 10_000 }),
      page.getByRole("button", { name: /Grace Hopper/ }).click(),
    ]);
    expect(violations).toEqual([]);
    const hit = callback.hits[0];
    const code = hit?.searchParams.get("code");
    if (!code) throw new Error(`no code at the callback: ${hit?.href}`);
    await transport.finishAuth(code);
    const client = new Client({ name: "t", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(h.mcpUrl, { authProvider: oauth }));
    const whoami = (await client.callTool({ name: "whoami", arguments: {} })) as unknown as {
      structuredContent: { me: unknown };
    };
    expect(JSON.stringify(whoami.structuredContent.me)).toContain("Grace Hopper");
    await client.close();
  });
});

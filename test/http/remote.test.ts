// Remote mode end to end with the MCP SDK's own OAuth client: discovery, registration, PKCE, the
// consent form, Asana's sign-in, tokens, refresh, two people at once, restart, revocation.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import {
  ADA_GID,
  approveInBrowser,
  connectSignedIn,
  GRACE_GID,
  MemoryOAuthClient,
  type RemoteHarness,
  startRemote,
} from "../helpers/remote.js";

let h: RemoteHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function structured(result: unknown): Record<string, unknown> {
  return (result as { structuredContent: Record<string, unknown> }).structuredContent;
}

describe("asana-mcp http: sign-in with the SDK's OAuth client", () => {
  it("discovers, registers, consents, signs in with Asana and calls tools as the person", async () => {
    h = await startRemote();
    const { client, oauth } = await connectSignedIn(h);
    expect(oauth.info?.client_id).toBeTruthy();
    expect(oauth.saved?.access_token).toMatch(/^amcp_at_/);
    expect(oauth.saved?.refresh_token).toMatch(/^amcp_rt_/);
    const tools = await client.listTools();
    const whoami = tools.tools.find((t) => t.name === "whoami");
    expect(whoami).toBeDefined();
    const me = structured(await client.callTool({ name: "whoami", arguments: {} }));
    expect(JSON.stringify(me)).toContain("Grace Hopper");
    await client.close();
  });

  it("names the client, its redirect URI and whose name writes carry on the consent page", async () => {
    h = await startRemote();
    const oauth = new MemoryOAuthClient("Evil <script>alert(1)</script> client");
    await connectSignedIn(h, oauth).catch(() => undefined);
    const fresh = new MemoryOAuthClient("Evil <script>alert(1)</script> client");
    fresh.info = oauth.info;
    const { StreamableHTTPClientTransport } = await import(
      "@modelcontextprotocol/sdk/client/streamableHttp.js"
    );
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    await new Client({ name: "t", version: "1" })
      .connect(new StreamableHTTPClientTransport(h.mcpUrl, { authProvider: fresh }))
      .catch(() => undefined);
    if (!fresh.authorizationUrl) throw new Error("no authorization URL");
    const { consentHtml } = await approveInBrowser(h, fresh.authorizationUrl);
    expect(consentHtml).toContain("Evil &#60;script&#62;");
    expect(consentHtml).not.toContain("<script>");
    expect(consentHtml).toContain(fresh.redirectUrl);
    expect(consentHtml).toContain("Acme Bot");
  });

  it("two people at once each act as themselves", async () => {
    h = await startRemote();
    const grace = await connectSignedIn(h, new MemoryOAuthClient("Grace's client"), GRACE_GID);
    const ada = await connectSignedIn(h, new MemoryOAuthClient("Ada's client"), ADA_GID);
    const [g, a] = await Promise.all([
      grace.client.callTool({ name: "whoami", arguments: {} }),
      ada.client.callTool({ name: "whoami", arguments: {} }),
    ]);
    expect(JSON.stringify(structured(g).me)).toContain("Grace Hopper");
    expect(JSON.stringify(structured(a).me)).toContain("Ada Lovelace");
  });

  it("describes tools per person, and asks Asana who the person is once, not per request", async () => {
    h = await startRemote();
    const grace = await connectSignedIn(h, new MemoryOAuthClient("Grace's client"), GRACE_GID);
    const ada = await connectSignedIn(h, new MemoryOAuthClient("Ada's client"), ADA_GID);
    const describe = async (client: typeof grace.client) =>
      (await client.listTools()).tools.find((t) => t.name === "get_task")?.description ?? "";
    expect(await describe(grace.client)).toContain("Grace Hopper");
    expect(await describe(ada.client)).toContain("Ada Lovelace");
    expect(await describe(ada.client)).not.toContain("Grace Hopper");
    const meRequests = () =>
      h?.fake.requests.filter((r) => r.path === "/users/me" && r.userGid === GRACE_GID).length ?? 0;
    for (let i = 0; i < 5; i++) await grace.client.callTool({ name: "whoami", arguments: {} });
    expect(meRequests()).toBeLessThanOrEqual(1);
  });

  it("keeps sign-ins across a restart", async () => {
    h = await startRemote();
    const { oauth } = await connectSignedIn(h);
    await h.restart();
    oauth.authorizationUrl = undefined;
    const again = await connectSignedIn(h, oauth);
    // No new sign-in was asked for: the stored tokens still work.
    expect(oauth.authorizationUrl).toBeUndefined();
    const me = structured(await again.client.callTool({ name: "whoami", arguments: {} }));
    expect(JSON.stringify(me.me)).toContain("Grace Hopper");
  });

  it("refuses an Asana token at /mcp (no passthrough) with the resource metadata challenge", async () => {
    h = await startRemote();
    const response = await fetch(h.mcpUrl, {
      method: "POST",
      headers: {
        authorization: `Bearer ${SANDBOX_TOKENS.oauth}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain(
      `resource_metadata="${new URL("/.well-known/oauth-protected-resource/mcp", h.remote.url).href}"`,
    );
  });

  it("keeps no Asana token or own token in clear in the store file", async () => {
    h = await startRemote();
    const { client, oauth } = await connectSignedIn(h);
    await client.callTool({ name: "whoami", arguments: {} });
    const text = readFileSync(h.storePath, "utf8");
    for (const secret of h.fake.oauth.issuedSecrets) expect(text).not.toContain(secret);
    expect(text).not.toContain(oauth.saved?.access_token ?? "missing");
    expect(text).not.toContain(oauth.saved?.refresh_token ?? "missing");
  });
});

// Client ID metadata documents: a client identified by the URL of its metadata, no registration.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { approveInBrowser, type RemoteHarness, startRemote } from "../helpers/remote.js";

let h: RemoteHarness | undefined;
let docs: Server | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await new Promise((resolve) => (docs ? docs.close(resolve) : resolve(undefined)));
  docs = undefined;
});

/** Serves `body(url)` as the document at /client.json. */
async function serveDocument(body: (url: string) => unknown): Promise<string> {
  const server = createServer((req, res) => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client.json`;
    if (req.url !== "/client.json") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body(url)));
  });
  docs = server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/client.json`;
}

function authorizeUrl(h: RemoteHarness, clientId: string, redirectUri: string, challenge: string): URL {
  const url = new URL("/authorize", h.remote.url);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "client-state-1",
    resource: h.mcpUrl.href,
  }).toString();
  return url;
}

describe("client ID metadata documents", () => {
  it("signs in a client known only by its document URL, as a public client", async () => {
    h = await startRemote();
    const redirectUri = "http://127.0.0.1:49152/cb";
    const clientId = await serveDocument((url) => ({
      client_id: url,
      client_name: "Document client",
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: "none",
    }));
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const { code, state, consentHtml } = await approveInBrowser(
      h,
      authorizeUrl(h, clientId, redirectUri, challenge),
    );
    expect(state).toBe("client-state-1");
    expect(consentHtml).toContain("Document client");
    const token = await fetch(new URL("/token", h.remote.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        client_id: clientId,
        redirect_uri: redirectUri,
        resource: h.mcpUrl.href,
      }).toString(),
    });
    expect(token.status).toBe(200);
    const tokens = (await token.json()) as { access_token: string };
    const ping = await fetch(h.mcpUrl, {
      method: "POST",
      headers: {
        authorization: `Bearer ${tokens.access_token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "doc", version: "1" },
        },
      }),
    });
    expect(ping.status).toBe(200);
  });

  it("refuses a document whose client_id is not its own URL, or that names an unregistered redirect", async () => {
    h = await startRemote();
    const clientId = await serveDocument(() => ({
      client_id: "http://127.0.0.1:1/other.json",
      redirect_uris: ["http://127.0.0.1:49152/cb"],
    }));
    const response = await fetch(authorizeUrl(h, clientId, "http://127.0.0.1:49152/cb", "x".repeat(43)), {
      redirect: "manual",
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_client");
  });

  it("advertises document support in its metadata", async () => {
    h = await startRemote();
    const metadata = (await (
      await fetch(new URL("/.well-known/oauth-authorization-server", h.remote.url))
    ).json()) as Record<string, unknown>;
    expect(metadata.client_id_metadata_document_supported).toBe(true);
    expect(metadata.code_challenge_methods_supported).toEqual(["S256"]);
  });
});

// Raw OAuth and MCP requests against the remote server, for the tests that attack it: a client
// registered by hand, PKCE, an authorization code got through the browser, /token and /mcp
// driven directly, and requests with any Host or Origin (node:http, so nothing rewrites them).
import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import { approveInBrowser, Browser, GRACE_GID, type RemoteHarness } from "./remote.js";

export const REDIRECT = "http://127.0.0.1:53682/callback";

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
}

export async function register(
  h: RemoteHarness,
  metadata: Record<string, unknown> = {},
): Promise<RegisteredClient> {
  const response = await fetch(new URL("/register", h.remote.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Attack test client",
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
      ...metadata,
    }),
  });
  if (response.status !== 201) throw new Error(`registration answered ${response.status}`);
  return (await response.json()) as RegisteredClient;
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function authorizationUrl(
  h: RemoteHarness,
  client: RegisteredClient,
  challenge: string,
  extra: Record<string, string> = {},
): URL {
  const url = new URL("/authorize", h.remote.url);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "client-state-1",
    resource: h.mcpUrl.href,
    ...extra,
  }).toString();
  return url;
}

export interface SignedCode {
  client: RegisteredClient;
  code: string;
  verifier: string;
  browser: Browser;
}

/** A fresh client, through consent and Asana's sign-in, up to the code it is handed back. */
export async function codeFor(
  h: RemoteHarness,
  person = GRACE_GID,
  browser = new Browser(),
  client?: RegisteredClient,
): Promise<SignedCode> {
  const registered = client ?? (await register(h));
  const { verifier, challenge } = pkce();
  const { code } = await approveInBrowser(h, authorizationUrl(h, registered, challenge), person, browser);
  return { client: registered, code, verifier, browser };
}

export interface TokenAnswer {
  status: number;
  body: { access_token?: string; refresh_token?: string; error?: string; error_description?: string };
}

export async function token(h: RemoteHarness, form: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch(new URL("/token", h.remote.url), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as TokenAnswer["body"] };
}

export function redeem(h: RemoteHarness, signed: SignedCode, overrides: Record<string, string> = {}) {
  return token(h, {
    grant_type: "authorization_code",
    client_id: signed.client.client_id,
    code: signed.code,
    code_verifier: signed.verifier,
    redirect_uri: REDIRECT,
    resource: h.mcpUrl.href,
    ...overrides,
  });
}

export function refresh(h: RemoteHarness, clientId: string, refreshToken: string) {
  return token(h, {
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: refreshToken,
    resource: h.mcpUrl.href,
  });
}

/** Signed in and redeemed: a client with its first access and refresh tokens. */
export async function signedIn(h: RemoteHarness, person = GRACE_GID) {
  const signed = await codeFor(h, person);
  const answer = await redeem(h, signed);
  const { access_token: access, refresh_token: refreshToken } = answer.body;
  if (answer.status !== 200 || !access || !refreshToken) throw new Error(`token answered ${answer.status}`);
  return { ...signed, access, refresh: refreshToken };
}

/** A JSON-RPC ping at /mcp with a bearer token: the status and challenge say whether it was honoured. */
export async function ping(h: RemoteHarness, bearer: string): Promise<{ status: number; challenge: string }> {
  const response = await fetch(h.mcpUrl, {
    method: "POST",
    headers: {
      authorization: `Bearer ${bearer}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  await response.text();
  return { status: response.status, challenge: response.headers.get("www-authenticate") ?? "" };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with exactly the Host and headers given. */
export function raw(
  url: URL,
  options: { method?: string; host?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? "GET",
        headers: { host: options.host ?? url.host, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

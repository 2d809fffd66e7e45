// Remote mode under test: the real server (startRemoteServer) against the fake Asana, the SDK's
// own OAuth client for MCP, and a person's browser scripted over HTTP (consent, Asana's sign-in,
// the callback), cookies included.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import { identitiesFromConfig } from "../../src/auth/identities.js";
import { type Config, loadConfig } from "../../src/config.js";
import { type RemoteServer, startRemoteServer } from "../../src/http/server.js";
import { demoData, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { FakeAsana } from "../../src/sandbox/fake-asana.js";
import { keyringFrom } from "../../src/store/crypto.js";
import { openFileStore } from "../../src/store/json-file.js";
import type { Store } from "../../src/store/types.js";
import { ALL_TOOLS } from "../../src/tools/index.js";

export const APP = { clientId: "1209999000000077", clientSecret: "remote-app-secret-3c9d1e7a55" };
export const SECRET_KEY = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz";
export const GRACE_GID = "1201000000000004";
export const ADA_GID = "1201000000000001";

export interface RemoteHarness {
  fake: FakeAsana;
  remote: RemoteServer;
  store: Store;
  storePath: string;
  mcpUrl: URL;
  /** Starts the server again on the same store and port (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startRemote(
  options: {
    env?: Record<string, string>;
    storePath?: string;
    store?: () => Promise<Store>;
    /** The fake Asana shows its sign-in page instead of signing `signedInUser` in at once. */
    signInPage?: boolean;
  } = {},
): Promise<RemoteHarness> {
  const fake = new FakeAsana(demoData(), { signInPage: options.signInPage ?? false });
  const origin = await fake.listen(0);
  fake.oauth.registerClient({ ...APP, redirectUris: ["http://127.0.0.1/oauth/callback"] });
  const storePath = options.storePath ?? join(mkdtempSync(join(tmpdir(), "asana-mcp-remote-")), "store.json");
  const openStore = options.store ?? (() => openFileStore(storePath));
  const env = {
    ASANA_BASE_URL: `${origin}/api/1.0`,
    ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
    ASANA_LOG_LEVEL: "error",
    ...options.env,
  };
  const config = loadConfig({ env, cwd: tmpdir() });
  const harness = {} as RemoteHarness;
  let port = 0;
  const boot = async () => {
    const store = await openStore();
    const remote = await startTestServer(config, store, { port });
    port = Number(remote.url.port);
    Object.assign(harness, { remote, store, mcpUrl: new URL("/mcp", remote.url) });
  };
  await boot();
  Object.assign(harness, {
    fake,
    storePath,
    restart: async () => {
      await harness.remote.close(0);
      await harness.store.close();
      await boot();
    },
    close: async () => {
      await harness.remote.close(0);
      await harness.store.close();
      await fake.close();
    },
  });
  return harness;
}

/**
 * The remote server as tests run it: the test app at the fake Asana, the bot shared, the test
 * secret key, rate limits out of the way, on 127.0.0.1.
 */
export function startTestServer(
  config: Config,
  store: Store,
  where: { port: number; publicUrl?: URL },
): Promise<RemoteServer> {
  return startRemoteServer({
    config,
    tools: ALL_TOOLS,
    version: "0.0.0-test",
    store,
    keyring: keyringFrom(SECRET_KEY),
    sharedIdentities: identitiesFromConfig(config.tokens),
    app: { baseUrl: config.baseUrl, ...APP },
    host: "127.0.0.1",
    ...where,
    sandbox: false,
    rateLimits: { authorize: 10_000, token: 10_000, register: 10_000 },
  });
}

/** An MCP client's OAuth state, kept in memory as a client application would keep it on disk. */
export class MemoryOAuthClient implements OAuthClientProvider {
  info: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = "";
  authorizationUrl: URL | undefined;
  constructor(
    readonly name = "Test MCP client",
    readonly redirectUrl = "http://127.0.0.1:53682/callback",
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.name,
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** A browser's cookie jar for one origin, enough for the sign-in's one cookie. */
export class Browser {
  private cookies = new Map<string, string>();
  /** Every page and redirect seen, for scans that prove no secret leaked. */
  readonly seen: string[] = [];

  async get(url: string | URL): Promise<Response> {
    return this.send(url, { method: "GET" });
  }

  async post(url: string | URL, form: Record<string, string>): Promise<Response> {
    return this.send(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: new URL(url).origin },
      body: new URLSearchParams(form).toString(),
    });
  }

  private async send(url: string | URL, init: RequestInit): Promise<Response> {
    const target = new URL(url);
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await fetch(target, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const [name = "", ...value] = pair.split("=");
      if (attributes.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim())))
        this.cookies.delete(name);
      else this.cookies.set(name, value.join("="));
    }
    const text = await response.clone().text();
    this.seen.push(`${response.status} ${target.href} ${response.headers.get("location") ?? ""} ${text}`);
    return response;
  }
}

export function location(response: Response): string {
  const value = response.headers.get("location");
  if (!value) throw new Error(`expected a redirect, got ${response.status}`);
  return value;
}

export function formField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no ${name} field in the page`);
  return match[1];
}

/**
 * What a person does in their browser after the client opened the authorization URL: approve
 * on the consent page, sign in to Asana as `person`, and come back. Resolves the client's code.
 */
export async function approveInBrowser(
  h: RemoteHarness,
  authorizationUrl: URL,
  person = GRACE_GID,
  browser = new Browser(),
): Promise<{ code: string; state: string | null; browser: Browser; consentHtml: string }> {
  h.fake.oauth.signedInUser = person;
  const toConsent = await browser.get(authorizationUrl);
  const consentUrl = new URL(location(toConsent), authorizationUrl);
  const consent = await browser.get(consentUrl);
  const consentHtml = await consent.text();
  if (consent.status !== 200) throw new Error(`consent page answered ${consent.status}: ${consentHtml}`);
  const approved = await browser.post(new URL("/consent", consentUrl), {
    request: formField(consentHtml, "request"),
    csrf: formField(consentHtml, "csrf"),
    decision: "approve",
  });
  const toAsana = location(approved);
  const asana = await browser.get(toAsana);
  const callback = location(asana);
  const back = await browser.get(callback);
  const final = new URL(location(back));
  const code = final.searchParams.get("code");
  if (!code) throw new Error(`no code: ${final.href}`);
  return { code, state: final.searchParams.get("state"), browser, consentHtml };
}

/** Connects the SDK client, signing in through the browser the first time. */
export async function connectSignedIn(
  h: RemoteHarness,
  oauth: MemoryOAuthClient = new MemoryOAuthClient(),
  person = GRACE_GID,
): Promise<{ client: Client; oauth: MemoryOAuthClient }> {
  const first = new StreamableHTTPClientTransport(h.mcpUrl, { authProvider: oauth });
  const attempt = new Client({ name: "test", version: "1.0.0" });
  try {
    await attempt.connect(first);
    return { client: attempt, oauth };
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !oauth.authorizationUrl) throw error;
  }
  const { code } = await approveInBrowser(h, oauth.authorizationUrl, person);
  await first.finishAuth(code);
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(h.mcpUrl, { authProvider: oauth }));
  return { client, oauth };
}

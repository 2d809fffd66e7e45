// `asana-mcp http`'s settings: its flags and the remote variables of Config, checked together.
// Every message names the variable or flag to change; none shows a secret's value.
import { join } from "node:path";
import { type Config, ConfigError } from "../config.js";
import { registerSecret } from "../log.js";

/** `auth login` listens on 8976 for Asana's redirect; remote mode stays clear of it. */
export const DEFAULT_HTTP_PORT = 8977;
export const DEFAULT_HTTP_HOST = "127.0.0.1";
export const MCP_PATH = "/mcp";
/** Asana sends people back here after they sign in (registered in Asana's developer console). */
export const CALLBACK_PATH = "/oauth/callback";
const MIN_SECRET_KEY = 32;

export type StoreSetting = { kind: "file"; path: string } | { kind: "postgres"; url: string };

export interface HttpSettings {
  port: number;
  host: string;
  /** Express's `trust proxy` (hop count, or addresses/subnets such as "loopback"), if set. */
  trustProxy?: string | number;
  /** The origin clients reach; undefined until the port is known when it is the default. */
  publicUrl: URL | undefined;
  sandbox: boolean;
  store: StoreSetting;
  /** ASANA_SECRET_KEY; undefined: the embedded store's generated key file (`secretKeyFile`). */
  secretKey?: string;
  secretKeyFile: string;
  previousSecretKeys: string[];
  /** The deployment's Asana app; absent only in sandbox mode (the sandbox registers its own). */
  asanaClient?: { id: string; secret: string };
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Whether a resource a client named is this server's (fragment and one trailing slash aside). */
export function isOwnResource(requested: string, ours: URL): boolean {
  const comparable = (u: string) => u.replace(/#.*$/, "").replace(/\/$/, "");
  return comparable(requested) === comparable(ours.href);
}

export function isLoopback(hostname: string): boolean {
  return LOOPBACK.has(hostname);
}

/** Parses `--port N --host H --sandbox` over the remote variables; throws ConfigError. */
export function httpSettings(config: Config, args: readonly string[]): HttpSettings {
  const flags = parseFlags(args);
  const remote = config.remote;
  const port = flags.port ?? remote.port ?? DEFAULT_HTTP_PORT;
  const host = flags.host ?? remote.host ?? DEFAULT_HTTP_HOST;
  const sandbox = flags.sandbox || config.sandbox;
  const publicUrl = remote.publicUrl === undefined ? undefined : checkPublicUrl(remote.publicUrl);
  if (!publicUrl && !isLoopback(host)) {
    throw new ConfigError(
      `Listening on ${host} needs ASANA_PUBLIC_URL, the https origin clients reach this server at (e.g. https://asana-mcp.example.com behind a reverse proxy with TLS).`,
    );
  }
  for (const [kind, token] of Object.entries(config.tokens)) {
    if (kind === "pat" || kind === "oauth") {
      throw new ConfigError(
        `${token.variable} is a personal token: in remote mode every person signs in as themselves, and a deployment-wide personal token would make everyone act as its owner. Remove it (ASANA_BOT_PAT and ASANA_SERVICE_ACCOUNT_TOKEN are the shared identities).`,
      );
    }
  }
  const secretKey = remote.secretKey;
  for (const [name, value] of [
    ["ASANA_SECRET_KEY", secretKey],
    ...remote.secretKeyPrevious.map((key) => ["ASANA_SECRET_KEY_PREVIOUS", key] as const),
  ] as const) {
    if (value === undefined) continue;
    registerSecret(value);
    if (value.length < MIN_SECRET_KEY) {
      throw new ConfigError(
        `${name} must be at least ${MIN_SECRET_KEY} characters (it has ${value.length}); generate one with \`openssl rand -base64 48\`.`,
      );
    }
  }
  // The sandbox's people and tokens are made up anew at every start: its sign-ins are kept apart.
  const store =
    sandbox && remote.databaseUrl === undefined
      ? { kind: "file" as const, path: join(remote.dataDir, "sandbox-store.json") }
      : storeSetting(remote.databaseUrl, remote.dataDir);
  if (store.kind === "postgres" && secretKey === undefined) {
    throw new ConfigError(
      "ASANA_DATABASE_URL is PostgreSQL: set ASANA_SECRET_KEY too, the same on every replica (the key that encrypts Asana tokens in the database).",
    );
  }
  let asanaClient: HttpSettings["asanaClient"];
  if (!sandbox) {
    const { clientId, clientSecret } = config.oauth;
    if (!clientId || !clientSecret) {
      throw new ConfigError(
        `Remote mode signs people in with the deployment's Asana app: set ASANA_OAUTH_CLIENT_ID and ASANA_OAUTH_CLIENT_SECRET (its redirect URL is ${publicUrl ? new URL(CALLBACK_PATH, publicUrl).href : `http://127.0.0.1:${port}${CALLBACK_PATH}`}), or try \`asana-mcp http --sandbox\`.`,
      );
    }
    registerSecret(clientSecret);
    asanaClient = { id: clientId, secret: clientSecret };
  }
  const trust = remote.trustProxy?.trim();
  const trustProxy =
    trust === undefined || trust === "" ? undefined : /^\d+$/.test(trust) ? Number(trust) : trust;
  return {
    port,
    host,
    trustProxy,
    publicUrl,
    sandbox,
    store,
    secretKey,
    secretKeyFile: join(remote.dataDir, "secret-key"),
    previousSecretKeys: remote.secretKeyPrevious,
    asanaClient,
  };
}

function parseFlags(args: readonly string[]): { port?: number; host?: string; sandbox: boolean } {
  const flags: { port?: number; host?: string; sandbox: boolean } = { sandbox: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    const value = () => {
      const next = inline ?? args[++i];
      if (next === undefined || next === "") throw new ConfigError(`${name} needs a value.`);
      return next;
    };
    if (name === "--sandbox") flags.sandbox = true;
    else if (name === "--port") {
      const raw = value();
      const port = Number(raw);
      if (!/^\d+$/.test(raw) || port > 65_535) {
        throw new ConfigError(`--port must be a port number from 0 to 65535 (got ${JSON.stringify(raw)}).`);
      }
      flags.port = port;
    } else if (name === "--host") flags.host = value();
    else
      throw new ConfigError(
        `asana-mcp http: unknown argument ${JSON.stringify(arg)} (--port, --host, --sandbox).`,
      );
  }
  return flags;
}

function checkPublicUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`ASANA_PUBLIC_URL is not a URL: ${JSON.stringify(raw)}.`);
  }
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== "/" && url.pathname !== "")
  ) {
    throw new ConfigError(
      `ASANA_PUBLIC_URL must be an origin alone, like https://asana-mcp.example.com (no path, query or credentials): got ${JSON.stringify(raw)}.`,
    );
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigError(
      `ASANA_PUBLIC_URL must use https (plain http only on 127.0.0.1 or localhost): got ${url.origin}. Put a reverse proxy with TLS in front of asana-mcp.`,
    );
  }
  return new URL(url.origin);
}

function storeSetting(databaseUrl: string | undefined, dataDir: string): StoreSetting {
  if (databaseUrl === undefined) return { kind: "file", path: join(dataDir, "remote-store.json") };
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new ConfigError(
      "ASANA_DATABASE_URL is not a URL (expected postgres://user:password@host/database).",
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError(
      `ASANA_DATABASE_URL must be a postgres:// URL (got the scheme ${url.protocol}); unset it for the embedded store.`,
    );
  }
  if (url.password) registerSecret(decodeURIComponent(url.password));
  return { kind: "postgres", url: databaseUrl };
}

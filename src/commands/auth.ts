// `asana-mcp auth login | status | logout`: interactive commands, so they talk to the person on
// stdout. Nothing they print carries a token or secret.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { DEFAULT_LOOPBACK_PORT, login } from "../auth/login.js";
import { DEFAULT_SCOPES, revokeRefreshToken } from "../auth/oauth.js";
import { openTokenStore } from "../auth/store.js";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { AppError } from "../errors.js";
import { redact, registerSecret, setLogLevel } from "../log.js";

const USAGE = `Usage:
  asana-mcp auth login [--scopes "a b c"] [--no-browser | --oob] [--port N]
                       [--client-id ID] [--client-secret SECRET]
  asana-mcp auth status
  asana-mcp auth logout

login signs in with OAuth (client id and secret from ASANA_OAUTH_CLIENT_ID and
ASANA_OAUTH_CLIENT_SECRET, or the flags) and stores the login; the server then renews
access by itself. --no-browser (or --oob) prints the URL and reads the code Asana shows,
for machines without a browser. ASANA_TOKEN_STORE=keychain|file|<path> picks the store.
`;

export async function runAuth(args: readonly string[]): Promise<void> {
  const [sub, ...rest] = args;
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message, 1);
    throw error;
  }
  setLogLevel(config.logLevel);
  try {
    if (sub === "login") return await loginCommand(config, rest);
    if (sub === "status") return await statusCommand(config);
    if (sub === "logout") return await logoutCommand(config);
    process.stdout.write(USAGE);
    if (sub !== undefined && sub !== "--help" && sub !== "-h") process.exitCode = 2;
  } catch (error) {
    if (error instanceof AppError) return fail(`${error.message}\n${error.hint}`, 1);
    if (error instanceof Error && (error.name === "StoreError" || error.name === "TypeError")) {
      return fail(error.message, 1);
    }
    throw error;
  }
}

async function loginCommand(config: Config, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scopes: { type: "string" },
      "no-browser": { type: "boolean", default: false },
      oob: { type: "boolean", default: false },
      port: { type: "string" },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
    },
    strict: true,
  });
  const clientId = values["client-id"] ?? config.oauth.clientId;
  const clientSecret = values["client-secret"] ?? config.oauth.clientSecret;
  registerSecret(clientSecret);
  if (!clientId || !clientSecret) {
    return fail(
      "auth login needs the OAuth app's client id and secret: set ASANA_OAUTH_CLIENT_ID and ASANA_OAUTH_CLIENT_SECRET (see the README's OAuth section).",
      2,
    );
  }
  const port = values.port === undefined ? DEFAULT_LOOPBACK_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return fail(`--port must be a port number, got ${values.port}.`, 2);
  const scopes = values.scopes ? values.scopes.split(/[\s,]+/).filter(Boolean) : [...DEFAULT_SCOPES];
  const headless = values.oob || values["no-browser"];
  const store = openTokenStore(config.oauth.tokenStore);
  const stored = await login({
    baseUrl: config.baseUrl,
    clientId,
    clientSecret,
    scopes,
    mode: headless ? "oob" : "loopback",
    port,
    timeoutMs: config.requestTimeoutMs,
    openBrowser: values["no-browser"] ? undefined : (url) => openBrowser(url, config.oauth.browser),
    readCode: readLine,
    say: (line) => process.stdout.write(`${redact(line)}\n`),
    store,
  });
  const who = stored.verified_claims
    ? `${stored.user.name} <${stored.verified_claims.email ?? stored.user.email ?? "no email"}> (verified id_token, sub ${stored.verified_claims.sub})`
    : `${stored.user.name}${stored.user.email ? ` <${stored.user.email}>` : ""} (no id_token: sign in with the openid scope to verify)`;
  process.stdout.write(`Signed in to Asana as ${who}.\nLogin stored in ${store.location}.\n`);
}

async function statusCommand(config: Config): Promise<void> {
  const store = openTokenStore(config.oauth.tokenStore);
  const stored = await store.read();
  if (!stored) {
    process.stdout.write(`Not signed in (looked in ${store.location}). Run \`asana-mcp auth login\`.\n`);
    process.exitCode = 1;
    return;
  }
  const claims = stored.verified_claims;
  const lines = [
    `Signed in as: ${stored.user.name}${stored.user.email ? ` <${stored.user.email}>` : ""} (Asana user ${stored.user.gid})`,
    "Kind: OAuth login (acts as the person who signed in)",
    `Identity: ${claims ? `verified id_token from ${claims.iss} (sub ${claims.sub}, audience ${claims.aud})` : "not verified (no id_token; sign in with the openid scope)"}`,
    `Scopes: ${stored.scopes.join(" ")}`,
    `Expiry: access tokens last about an hour and are renewed automatically; the refresh token lasts until revoked (\`asana-mcp auth logout\`). Signed in ${stored.signed_in_at}${stored.refreshed_at ? `, refresh token last renewed ${stored.refreshed_at}` : ""}.`,
    `API: ${stored.base_url}`,
    `Stored in: ${store.location}`,
  ];
  if (stored.base_url !== config.baseUrl) {
    lines.push(`Note: the server is configured for ${config.baseUrl}, so it will not use this login.`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function logoutCommand(config: Config): Promise<void> {
  const store = openTokenStore(config.oauth.tokenStore);
  const stored = await store.read();
  if (!stored) {
    const leftovers = await store.removeLeftovers();
    process.stdout.write(
      leftovers
        ? `Not signed in (looked in ${store.location}).${leftoverNote(leftovers)}\n`
        : `Not signed in (looked in ${store.location}); nothing to do.\n`,
    );
    return;
  }
  try {
    await revokeRefreshToken(
      { baseUrl: stored.base_url, clientId: stored.client_id, clientSecret: stored.client_secret },
      stored.refresh_token,
      config.requestTimeoutMs,
    );
    process.stdout.write("Asana revoked the login (refresh token and its access tokens).\n");
  } catch (error) {
    const why = error instanceof AppError ? error.message : String(error);
    process.stderr.write(
      `asana-mcp: warning: Asana could not revoke the login (${redact(why)}); deleting it here anyway. Remove the app's access in Asana (My settings > Apps) to be sure.\n`,
    );
  }
  await store.delete();
  const leftovers = await store.removeLeftovers();
  process.stdout.write(`Deleted the login from ${store.location}.${leftoverNote(leftovers)}\n`);
}

function leftoverNote(count: number): string {
  return count
    ? ` Also removed ${count} leftover temporary file(s) that held login secrets (from a write that was interrupted).`
    : "";
}

/** ASANA_BROWSER names a command (with arguments) that receives the URL; otherwise the platform opener. */
function openBrowser(url: string, command: string | undefined): Promise<void> {
  const [program, ...args] = command
    ? command.split(/\s+/).filter(Boolean)
    : process.platform === "darwin"
      ? ["open"]
      : process.platform === "win32"
        ? ["rundll32", "url.dll,FileProtocolHandler"]
        : ["xdg-open"];
  return new Promise((resolve, reject) => {
    const child = spawn(program ?? "xdg-open", [...args, url], { stdio: "ignore", detached: true });
    child.once("error", reject);
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
}

async function readLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    throw new AppError("invalid_input", "No code was pasted (input ended).");
  } finally {
    rl.close();
  }
}

function fail(message: string, code: number): void {
  process.stderr.write(`asana-mcp: ${redact(message)}\n`);
  process.exitCode = code;
}

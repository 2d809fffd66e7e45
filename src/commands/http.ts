// `asana-mcp http [--port N] [--host H] [--sandbox]`: the remote server, until SIGTERM or SIGINT.
import { type Identity, identitiesFromConfig } from "../auth/identities.js";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { type HttpSettings, httpSettings } from "../http/settings.js";
import { log, setLogLevel } from "../log.js";
import { keyringFrom, loadOrCreateSecretKey } from "../store/crypto.js";
import type { Store } from "../store/types.js";
import { VERSION } from "../version.js";

export async function runHttp(args: readonly string[]): Promise<void> {
  let config: Config;
  let settings: HttpSettings;
  try {
    config = loadConfig({ sandbox: args.includes("--sandbox") });
    settings = httpSettings(config, args);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`asana-mcp: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  setLogLevel(config.logLevel);
  for (const warning of config.warnings) process.stderr.write(`asana-mcp: warning: ${warning.message}\n`);
  const closers: Array<() => Promise<void>> = [];
  try {
    const remote = await start(config, settings, closers);
    log.info(`remote MCP server at ${new URL("/mcp", remote.url).href}`);
    let closing = false;
    const shutdown = (why: string) => {
      if (closing) return;
      closing = true;
      log.info(`shutting down: ${why}`);
      void remote
        .close(config.shutdownGraceMs)
        .then(() => Promise.all(closers.map((close) => close().catch(() => undefined))))
        .finally(() => process.exit(0));
    };
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    process.on("SIGINT", () => shutdown("SIGINT"));
    process.on("unhandledRejection", (reason) =>
      log.error("unhandled rejection", { reason: String(reason) }),
    );
    process.on("uncaughtException", (error) =>
      log.error("uncaught exception", { error: error.stack ?? String(error) }),
    );
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`asana-mcp: ${message}\n`);
    process.exitCode = 1;
  }
}

async function start(config: Config, settings: HttpSettings, closers: Array<() => Promise<void>>) {
  let identities: Identity[];
  let app: { baseUrl: string; clientId: string; clientSecret: string };
  let sandboxUrl: string | undefined;
  if (settings.sandbox) {
    const { startRemoteSandbox } = await import("../sandbox/start.js");
    const sandbox = await startRemoteSandbox();
    closers.push(sandbox.close);
    config = { ...config, baseUrl: sandbox.baseUrl };
    identities = sandbox.identities;
    app = sandbox.app;
    sandboxUrl = sandbox.baseUrl;
    // The sandbox app accepts our callback on any loopback port; a public URL is registered exactly.
    if (settings.publicUrl) sandbox.allowRedirect(new URL("/oauth/callback", settings.publicUrl).href);
  } else {
    identities = identitiesFromConfig(config.tokens);
    const client = settings.asanaClient;
    if (!client) throw new ConfigError("ASANA_OAUTH_CLIENT_ID and ASANA_OAUTH_CLIENT_SECRET are needed.");
    app = { baseUrl: config.baseUrl, clientId: client.id, clientSecret: client.secret };
  }
  const store = await openStore(settings);
  closers.push(() => store.close());
  let secretKey = settings.secretKey;
  if (secretKey === undefined) {
    const { key, created } = await loadOrCreateSecretKey(settings.secretKeyFile);
    if (created) log.info(`generated the key that encrypts Asana tokens at rest: ${settings.secretKeyFile}`);
    secretKey = key;
  }
  const keyring = keyringFrom(secretKey, settings.previousSecretKeys);
  const [{ startRemoteServer }, { ALL_TOOLS }] = await Promise.all([
    import("../http/server.js"),
    import("../tools/index.js"),
  ]);
  const remote = await startRemoteServer({
    config,
    tools: ALL_TOOLS,
    version: VERSION,
    store,
    keyring,
    sharedIdentities: identities,
    app,
    host: settings.host,
    port: settings.port,
    trustProxy: settings.trustProxy,
    publicUrl: settings.publicUrl,
    sandbox: settings.sandbox,
  });
  if (sandboxUrl) {
    log.warn(
      `SANDBOX MODE: people sign in to a built-in demo Asana at ${sandboxUrl}; nothing reaches a real Asana.`,
    );
  }
  return remote;
}

async function openStore(settings: HttpSettings): Promise<Store> {
  if (settings.store.kind === "postgres") {
    const { openPostgresStore } = await import("../store/postgres.js");
    return openPostgresStore(settings.store.url);
  }
  const { openFileStore } = await import("../store/json-file.js");
  return openFileStore(settings.store.path);
}

// Commands: serve (default) | sandbox | http | doctor | auth login|status|logout | audit export |
// --version | --help.
import { AsanaClient } from "./asana/http.js";
import { type Identity, identitiesFromConfig } from "./auth/identities.js";
import { CredentialResolver } from "./auth/resolver.js";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { log, setLogLevel, stopLogging } from "./log.js";
import { VERSION } from "./version.js";

/** The longest identity resolution waits for the client's first tools/list. */
const IDENTITY_DELAY_MS = 500;
/** After the writes are settled, how long closing the HTTP client and the sandbox may take. */
const CLOSE_MS = 1_000;

const HELP = `asana-mcp ${VERSION}: Asana tools for AI agents, over MCP (stdio)

Usage:
  asana-mcp             start the MCP server on stdio (what MCP clients run)
  asana-mcp sandbox     the same server against a built-in demo Asana (no account needed)
  asana-mcp http        a remote server over Streamable HTTP, each person signed in with Asana
                        (--port N, default 8977; --host H, default 127.0.0.1; --sandbox to try it)
  asana-mcp doctor      check the configuration and every token against Asana (--json: one JSON document)
  asana-mcp auth login|status|logout   sign in with OAuth once; the server renews access itself
  asana-mcp audit export [--since ISO]  remote mode on PostgreSQL: the audit table as JSON lines
  asana-mcp --version   print the version
  asana-mcp --help      print this help

Identities come from the environment or a .env file: ASANA_PAT (or ASANA_ACCESS_TOKEN),
ASANA_BOT_PAT, ASANA_SERVICE_ACCOUNT_TOKEN, ASANA_OAUTH_ACCESS_TOKEN; ASANA_READ_AS and
ASANA_WRITE_AS choose who reads and who writes. See the README for every variable.
`;

export async function runCli(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv.slice(2);
  switch (command) {
    case undefined:
    case "serve":
      return serve(false, rest);
    case "sandbox":
      return serve(true, rest);
    case "doctor":
      return doctor(rest);
    case "http":
      return (await import("./commands/http.js")).runHttp(rest);
    case "audit": {
      const { runAuditCommand } = await import("./commands/audit.js");
      process.exitCode = await runAuditCommand(rest, { stdout: process.stdout, stderr: process.stderr });
      return;
    }
    case "auth":
      // Loaded only for this command: serve start-up never pays for jose or the keychain binding.
      return (await import("./commands/auth.js")).runAuth(rest);
    case "--version":
    case "-v":
      process.stdout.write(`${VERSION}\n`);
      return;
    case "--help":
    case "-h":
    case "help":
      process.stdout.write(HELP);
      return;
    default:
      process.stderr.write(`asana-mcp: unknown command ${JSON.stringify(command)}; see asana-mcp --help\n`);
      process.exitCode = 2;
  }
}

/** Exit code 1 when a check fails; the command only reads from Asana. */
async function doctor(args: string[]): Promise<void> {
  const unknown = args.filter((arg) => arg !== "--json");
  if (unknown.length > 0) {
    process.stderr.write(`asana-mcp doctor: unexpected arguments: ${unknown.join(" ")} (only --json)\n`);
    process.exitCode = 2;
    return;
  }
  const [{ runDoctor, formatReport }, { ALL_TOOLS }, { redact }] = await Promise.all([
    import("./doctor.js"),
    import("./tools/index.js"),
    import("./log.js"),
  ]);
  const report = await runDoctor({ tools: ALL_TOOLS });
  process.stdout.write(
    args.includes("--json") ? `${redact(JSON.stringify(report, null, 2))}\n` : formatReport(report),
  );
  process.exitCode = report.ok ? 0 : 1;
}

async function serve(sandbox: boolean, extra: string[]): Promise<void> {
  if (extra.length > 0) {
    process.stderr.write(`asana-mcp: unexpected arguments: ${extra.join(" ")}\n`);
    process.exitCode = 2;
    return;
  }
  // In server mode stdout carries JSON-RPC only; a stray console.log from any module goes to stderr.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;

  let config: Config;
  try {
    config = loadConfig({ sandbox });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`asana-mcp: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  setLogLevel(config.logLevel);
  // Whatever the log level: a misspelt setting silently ignored would leave writes on.
  for (const warning of config.warnings) process.stderr.write(`asana-mcp: warning: ${warning.message}\n`);

  // The SDK and the tools load while the sandbox starts or the stored login is read, not after.
  const modules = Promise.all([import("./server.js"), import("./tools/index.js"), import("./stdio.js")]);
  const closers: Array<() => Promise<void>> = [];
  let identities: Identity[];
  if (config.sandbox) {
    const { startSandbox } = await import("./sandbox/start.js");
    const sandboxed = await startSandbox();
    config = { ...config, baseUrl: sandboxed.baseUrl };
    identities = sandboxed.identities;
    closers.push(sandboxed.close);
    log.warn(
      `SANDBOX MODE: serving a built-in demo Asana at ${sandboxed.baseUrl}; nothing reaches a real Asana.`,
    );
  } else {
    identities = identitiesFromConfig(config.tokens);
    // ASANA_OAUTH_ACCESS_TOKEN overrides a stored login; otherwise a login from `auth login` is used.
    if (!config.tokens.oauth) {
      const { storedIdentity } = await import("./auth/stored-identity.js");
      const oauth = await storedIdentity(config);
      if (oauth) identities.push(oauth);
    }
    if (identities.length === 0) {
      log.warn(
        "no Asana token is configured: set ASANA_PAT (or ASANA_BOT_PAT, ASANA_SERVICE_ACCOUNT_TOKEN) in the MCP client's env, sign in with `asana-mcp auth login`, or try `asana-mcp sandbox`",
      );
    }
  }

  const asana = new AsanaClient({
    baseUrl: config.baseUrl,
    requestTimeoutMs: config.requestTimeoutMs,
    maxResponseBytes: config.maxResponseBytes,
  });
  closers.unshift(() => asana.close());
  const resolver = new CredentialResolver(identities, config);
  const [{ buildServer }, { ALL_TOOLS }, { StdioTransport }] = await modules;
  let app: ReturnType<typeof buildServer>;
  try {
    // The policy (ASANA_TOOLS names) and the audit log (ASANA_AUDIT_LOG) are checked here.
    app = buildServer({ config, resolver, asana, tools: ALL_TOOLS, version: VERSION, localFiles: true });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`asana-mcp: ${error.message}\n`);
    process.exitCode = 1;
    for (const close of closers) await close().catch(() => undefined);
    return;
  }

  const transport = new StdioTransport(config.maxMessageBytes);
  let closing = false;
  const shutdown = async (why: string) => {
    if (closing) return;
    closing = true;
    log.debug(`shutting down: ${why}`);
    // No new calls; the writes in flight answer within the grace period (answered and audited),
    // or are audited as interrupted. Reads in flight just end.
    transport.stopReading();
    await app.drain(config.shutdownGraceMs);
    await app.server.close().catch(() => undefined);
    const closed = Promise.all(closers.map((close) => close().catch(() => undefined)));
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_MS).unref())]);
    process.exit(0);
  };
  // SDK 1.x does not end on stdin EOF by itself; an MCP client closing the pipe means "stop".
  process.stdin.on("end", () => void shutdown("stdin closed"));
  process.stdin.on("close", () => void shutdown("stdin closed"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  // A bug in one call must not take the agent's whole session down: log it and keep serving.
  process.on("unhandledRejection", (reason) => log.error("unhandled rejection", { reason: String(reason) }));
  process.on("uncaughtException", (error) => {
    // A pipe to the client broke (it went away without closing stdin): logging it to a closed
    // stderr would raise the same error again, a loop that spins forever. Stop, as on stdin EOF.
    if (brokenPipe(error)) {
      stopLogging();
      void shutdown("a pipe to the client broke");
      return;
    }
    log.error("uncaught exception", { error: error.stack ?? String(error) });
  });
  // Answers that cannot reach the client end the session; logs that cannot are dropped.
  process.stdout.on("error", () => void shutdown("stdout closed: the client is gone"));
  process.stderr.on("error", () => stopLogging());
  process.on("SIGINT", () => void shutdown("SIGINT"));

  await app.server.connect(transport);
  // Asking Asana who each token is loads the HTTP client (~40 ms of JavaScript): it starts once
  // the client has its tool list, or after IDENTITY_DELAY_MS, so start-up never waits for it.
  // A tool called earlier resolves its identity itself.
  const delay = new Promise<void>((resolve) => setTimeout(resolve, IDENTITY_DELAY_MS).unref());
  void Promise.race([app.firstToolsList, delay]).then(() => app.resolveIdentities());
}

function brokenPipe(error: unknown): boolean {
  const code = error instanceof Error && "code" in error ? String(error.code) : "";
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED" || code === "ERR_STREAM_WRITE_AFTER_END";
}

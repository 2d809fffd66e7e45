// `asana-mcp audit export [--since ISO]`: the audit table (remote mode on PostgreSQL) as JSON
// lines on stdout, oldest first, read a batch at a time so a table of any size streams through.
// Each line is the record as ASANA_AUDIT_LOG would hold it, with the row's `id` and `at` (when
// the database stored it) first. Exit 0 when done, 1 on an error (on stderr), 2 on a usage
// error or when there is no table to read (no PostgreSQL URL: the audit log is the file).
import type { Writable } from "node:stream";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { registerSecret } from "../log.js";

const USAGE =
  "usage: asana-mcp audit export [--since ISO-8601 time]  (reads the audit table at ASANA_DATABASE_URL)";

export interface AuditCommandIo {
  stdout: Writable;
  stderr: Writable;
  /** The environment as the command reads it; default process.env (and .env). */
  env?: Record<string, string | undefined>;
}

/** Runs the command; resolves its exit code. */
export async function runAuditCommand(args: readonly string[], io: AuditCommandIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`asana-mcp audit: ${line}\n`);
  const [sub, ...rest] = args;
  if (sub !== "export") {
    say(sub === undefined ? USAGE : `unknown subcommand ${JSON.stringify(sub)}; ${USAGE}`);
    return 2;
  }
  let since: Date | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? "";
    const [name, inline] = arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    if (name !== "--since") {
      say(`unexpected argument ${JSON.stringify(arg)}; ${USAGE}`);
      return 2;
    }
    const value = inline ?? rest[++i] ?? "";
    // An ISO 8601 date or time; Date.parse alone would take "3" or "May 5".
    since = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : undefined;
    if (!since || Number.isNaN(since.getTime())) {
      say(
        `--since needs an ISO 8601 time such as 2025-07-01 or 2025-07-01T09:00:00Z (got ${JSON.stringify(value)})`,
      );
      return 2;
    }
  }
  let config: Config;
  try {
    config = loadConfig(io.env ? { env: io.env } : {});
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    say(error.message);
    return 1;
  }
  const url = config.remote.databaseUrl;
  if (url === undefined || !/^postgres(ql)?:\/\//i.test(url)) {
    say(
      `there is no audit table: without ASANA_DATABASE_URL=postgres://… the audit log is the ASANA_AUDIT_LOG file (${config.auditLog ?? "not set"}); read it directly`,
    );
    return 2;
  }
  return exportTable(url, since, io, say);
}

async function exportTable(
  url: string,
  since: Date | undefined,
  io: AuditCommandIo,
  say: (line: string) => void,
): Promise<number> {
  const [{ default: pg }, { auditRows }, { redactUrl }] = await Promise.all([
    import("pg"),
    import("../store/postgres-audit.js"),
    import("../store/postgres.js"),
  ]);
  const password = safePassword(url);
  registerSecret(password);
  // One connection: the export is one reader, and the pool type is what auditRows reads through.
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5_000 });
  pool.on("error", () => undefined);
  let count = 0;
  try {
    for await (const row of auditRows(pool, { since })) {
      const line = `${JSON.stringify({ id: row.id, at: row.at, ...row.record })}\n`;
      // Backpressure: a slow reader (a pipe to gzip, a terminal) holds the export, not memory.
      if (!io.stdout.write(line)) await new Promise((resolve) => io.stdout.once("drain", resolve));
      count++;
    }
    return 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = error instanceof Error ? error.message : String(error);
    say(
      code === "42P01"
        ? `the database at ${redactUrl(url)} has no audit table yet: no server has run against it`
        : `the export stopped after ${count} record(s): ${maskPassword(reason, password)} (${redactUrl(url)})`,
    );
    return 1;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

function safePassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

function maskPassword(text: string, password: string | undefined): string {
  return password ? text.split(password).join("***") : text;
}

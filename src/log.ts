// Logs go to stderr only: in server mode stdout belongs to JSON-RPC.
import type { LogLevel } from "./config.js";

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const secrets = new Set<string>();
let threshold: LogLevel = "info";

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** Every secret the process holds is registered here, so no log line or error text can carry it. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 4) secrets.add(secret);
}

/** Replaces registered secrets and anything that looks like a bearer credential. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join("[redacted]");
  }
  return out.replace(/(Bearer\s+)[^\s"',;]+/gi, "$1[redacted]");
}

function write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] > ORDER[threshold]) return;
  const extra = fields ? ` ${JSON.stringify(fields)}` : "";
  process.stderr.write(`asana-mcp ${level}: ${redact(message + extra)}\n`);
}

export const log = {
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  debug: (message: string, fields?: Record<string, unknown>) => write("debug", message, fields),
};

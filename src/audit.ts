// The audit log: one JSON line per write attempt (refused ones included), appended to
// ASANA_AUDIT_LOG from the server's boundary. Never a token; comment bodies and other
// arguments only with ASANA_AUDIT_LOG_BODIES=true.
import { closeSync, constants, openSync, writeSync } from "node:fs";
import type { IdentityKind } from "./config.js";
import { ConfigError } from "./config.js";
import type { ErrorCode } from "./errors.js";
import { log, redact } from "./log.js";
import type { CallScope, ToolKind } from "./tools/define.js";

export interface AuditRecord {
  time: string;
  tool: string;
  kind: ToolKind;
  identity: {
    kind: IdentityKind;
    variable: string;
    user_gid: string | null;
    user_name: string | null;
  } | null;
  /** Remote mode: the person signed in to the session the call came from (who asked for it). */
  person?: { user_gid: string; user_name: string };
  /** The gids the call touches, from the tool's scope(). */
  target: CallScope;
  /**
   * `interrupted`: the server shut down with the write still in flight, after the grace period
   * (ASANA_SHUTDOWN_GRACE_MS); `sent` then says whether its request had gone to Asana.
   */
  outcome: "ok" | "interrupted" | ErrorCode;
  /** Only on `interrupted`: whether a request of the write was written to Asana's connection. */
  sent?: boolean;
  request_id: string | null;
  duration_ms: number;
  /** The argument names given, always; their values only with ASANA_AUDIT_LOG_BODIES=true. */
  argument_names: string[];
  arguments?: unknown;
}

export class AuditLog {
  private fd: number | undefined;

  private constructor(
    fd: number,
    readonly path: string,
    readonly bodies: boolean,
  ) {
    this.fd = fd;
  }

  /** Opens (creating with mode 0600) for appending; a path that cannot be written stops start-up. */
  static open(path: string, bodies: boolean): AuditLog {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
      return new AuditLog(fd, path, bodies);
    } catch (error) {
      const code = error instanceof Error && "code" in error ? String(error.code) : "unwritable";
      throw new ConfigError(`ASANA_AUDIT_LOG=${path} cannot be opened for appending (${code}).`);
    }
  }

  /**
   * One write(2) per line on an O_APPEND descriptor, so concurrent writers (several servers
   * sharing a log) never interleave within a line. A failure is logged, never thrown: the
   * agent's call has already happened and must still get its answer.
   */
  append(record: AuditRecord): void {
    if (this.fd === undefined) return;
    const line = `${redact(JSON.stringify(record))}\n`;
    try {
      writeSync(this.fd, line);
    } catch (error) {
      log.error(`could not append to ASANA_AUDIT_LOG (${this.path}): ${String(error)}`);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

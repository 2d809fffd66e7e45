// The audit log: one record per write attempt (refused ones included), appended from the
// server's boundary to an AuditSink: the JSON-lines file ASANA_AUDIT_LOG (here), and in remote
// mode on PostgreSQL also the database's append-only table (src/store/postgres-audit.ts). Never a
// token; comment bodies and other arguments only with ASANA_AUDIT_LOG_BODIES=true.
import { closeSync, constants, openSync, writeSync } from "node:fs";
import type { IdentityKind } from "./config.js";
import { ConfigError } from "./config.js";
import type { ErrorCode } from "./errors.js";
import { log, redact } from "./log.js";
import type { CallScope, Tool, ToolKind } from "./tools/define.js";

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
  /** confirmation_requested: the call answered a preview and a token; nothing was sent. */
  outcome: "ok" | "interrupted" | "confirmation_requested" | ErrorCode;
  /** Only on `interrupted`: whether a request of the write was written to Asana's connection. */
  sent?: boolean;
  request_id: string | null;
  duration_ms: number;
  /** The argument names given, always; their values only with ASANA_AUDIT_LOG_BODIES=true. */
  argument_names: string[];
  arguments?: unknown;
}

/**
 * Where audit records go. The agent's call has already happened when its record is appended, so
 * appending never throws and never makes the answer wait: a sink that cannot write logs why.
 */
export interface AuditSink {
  /** Whether records carry argument values (ASANA_AUDIT_LOG_BODIES). */
  readonly bodies: boolean;
  append(record: AuditRecord): void;
  /** Writes what is still pending (as far as it can), then releases the sink. */
  close(): void | Promise<void>;
}

/** Every record to each of `sinks` (the database's table and the file, both configured). */
export function teeAudit(sinks: readonly AuditSink[]): AuditSink | undefined {
  if (sinks.length <= 1) return sinks[0];
  return {
    bodies: sinks.some((sink) => sink.bodies),
    append: (record) => {
      for (const sink of sinks) sink.append(record);
    },
    close: async () => {
      await Promise.all(sinks.map((sink) => sink.close()));
    },
  };
}

/** The JSON-lines file ASANA_AUDIT_LOG. */
export class AuditLog implements AuditSink {
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

/** A write attempt's record: what it was called with (names; values only with `bodies`) and how it ended. */
export function auditRecord(
  tool: Pick<Tool, "name" | "kind" | "parse" | "scope">,
  identity: AuditRecord["identity"],
  call: { raw: unknown; parsed: unknown; scope: CallScope },
  startedAt: number,
  result: {
    outcome: AuditRecord["outcome"];
    requestId: string | null;
    bodies: boolean;
    sent?: boolean;
    person?: { gid: string; name: string };
  },
): AuditRecord {
  // A refused call was never parsed: its target is still worth recording when the arguments are valid.
  let args = call.parsed;
  let target = call.scope;
  if (args === undefined) {
    try {
      args = tool.parse(call.raw);
      target = tool.scope?.(args) ?? {};
    } catch {
      args = undefined;
    }
  }
  const given = args ?? call.raw;
  return {
    time: new Date(startedAt).toISOString(),
    tool: tool.name,
    kind: tool.kind,
    identity,
    ...(result.person ? { person: { user_gid: result.person.gid, user_name: result.person.name } } : {}),
    target,
    outcome: result.outcome,
    ...(result.sent !== undefined ? { sent: result.sent } : {}),
    request_id: result.requestId,
    duration_ms: Date.now() - startedAt,
    argument_names:
      given && typeof given === "object" && !Array.isArray(given)
        ? Object.keys(given)
            .slice(0, 50)
            .map((key) => key.slice(0, 100))
        : [],
    ...(result.bodies && args !== undefined ? { arguments: args } : {}),
  };
}

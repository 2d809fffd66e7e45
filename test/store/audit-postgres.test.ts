// The audit log in PostgreSQL, against a real PostgreSQL: write attempts land in the append-only
// table and come back out of `asana-mcp audit export` as JSON lines; the table refuses changes;
// and a database that goes away costs audit records (counted and logged), never a tool's answer.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AuditRecord, AuditSink } from "../../src/audit.js";
import { runAuditCommand } from "../../src/commands/audit.js";
import { DEMO_TASK_GID, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import type { Store } from "../../src/store/types.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { postgresAvailable, startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { connectSignedIn, startRemote } from "../helpers/remote.js";

const available = postgresAvailable();
const botEnv = { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot };

class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    this.text += chunk.toString("utf8");
    done();
  }
}

async function exportAudit(env: Record<string, string>, args: string[] = []) {
  const stdout = new Collect();
  const stderr = new Collect();
  const code = await runAuditCommand(["export", ...args], { stdout, stderr, env });
  const lines = stdout.text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord & { id: number; at: string });
  return { code, lines, stderr: stderr.text };
}

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function record(n: number): AuditRecord {
  return {
    time: new Date(Date.UTC(2025, 6, 1, 9, 0, 0, n)).toISOString(),
    tool: "create_comment",
    kind: "write",
    identity: null,
    target: { task: String(n) },
    outcome: "ok",
    request_id: null,
    duration_ms: n,
    argument_names: ["task_gid", "text"],
  };
}

describe.skipIf(!available)("the audit log in PostgreSQL", () => {
  let server: TestPostgres;
  let store: Store | undefined;
  let h: Harness | undefined;

  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);

  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.close();
    h = undefined;
    await store?.close();
    store = undefined;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("appends every write attempt to the table, and exports them as JSON lines, oldest first", async () => {
    const url = await server.freshDatabase();
    store = await openPostgresStore(url);
    const audit = store.openAudit?.({ bodies: false });
    expect(audit).toBeDefined();
    h = await startHarness({ env: botEnv, audit });
    await h.call("list_projects", { limit: 1 }); // a read: not audited
    const ok = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "audited in the table" });
    expect(ok.isError, ok.text).toBe(false);
    const refused = await h.call("create_comment", { task_gid: DEMO_TASK_GID });
    expect(refused.isError).toBe(true);
    await vi.waitFor(async () =>
      expect((await query(url, "SELECT id FROM asana_mcp_audit")).rowCount).toBe(2),
    );

    const { code, lines, stderr } = await exportAudit({ ASANA_DATABASE_URL: url });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(lines.map((line) => [line.tool, line.outcome])).toEqual([
      ["create_comment", "ok"],
      ["create_comment", "invalid_input"],
    ]);
    expect(lines[0]).toMatchObject({ identity: { kind: "bot" }, target: { task: DEMO_TASK_GID } });
    expect(lines[0]!.id).toBeLessThan(lines[1]!.id);
    expect(Date.parse(lines[0]!.at)).toBeGreaterThan(Date.now() - 60_000);
    // Argument values only with ASANA_AUDIT_LOG_BODIES: the comment's text is not in the table.
    expect(JSON.stringify(lines)).not.toContain("audited in the table");

    const later = await exportAudit({ ASANA_DATABASE_URL: url }, ["--since", "2999-01-01T00:00:00Z"]);
    expect([later.code, later.lines]).toEqual([0, []]);
  });

  it("exports a table larger than one batch whole and in order", async () => {
    const url = await server.freshDatabase();
    store = await openPostgresStore(url);
    const audit = store.openAudit?.({ bodies: false }) as AuditSink;
    for (let n = 0; n < 2_345; n++) audit.append(record(n));
    await vi.waitFor(
      async () =>
        expect((await query(url, "SELECT count(*)::int AS n FROM asana_mcp_audit")).rows[0].n).toBe(2_345),
      { timeout: 20_000 },
    );
    const { code, lines } = await exportAudit({ ASANA_DATABASE_URL: url }, ["--since=2000-01-01"]);
    expect(code).toBe(0);
    expect(lines.map((line) => line.duration_ms)).toEqual(Array.from({ length: 2_345 }, (_, n) => n));
  });

  it("refuses UPDATE, DELETE and TRUNCATE of the audit table", async () => {
    const url = await server.freshDatabase();
    store = await openPostgresStore(url);
    const audit = store.openAudit?.({ bodies: false }) as AuditSink;
    audit.append(record(1));
    await vi.waitFor(async () =>
      expect((await query(url, "SELECT id FROM asana_mcp_audit")).rowCount).toBe(1),
    );
    for (const sql of [
      `UPDATE asana_mcp_audit SET record = '{"outcome":"forged"}'`,
      "DELETE FROM asana_mcp_audit",
      "TRUNCATE asana_mcp_audit",
    ]) {
      await expect(query(url, sql), sql).rejects.toThrow(/append-only/);
    }
    const rows = await query(url, "SELECT record FROM asana_mcp_audit");
    expect(rows.rows).toEqual([{ record: expect.objectContaining({ outcome: "ok", duration_ms: 1 }) }]);
  });

  it("says the audit log is the file, with exit code 2, when there is no PostgreSQL URL", async () => {
    const none = await exportAudit({ ASANA_AUDIT_LOG: "/var/log/asana-mcp/audit.jsonl" });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      "the audit log is the ASANA_AUDIT_LOG file (/var/log/asana-mcp/audit.jsonl)",
    );
    expect(none.lines).toEqual([]);
    const badSince = await exportAudit({ ASANA_DATABASE_URL: server.url }, ["--since", "yesterday"]);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain("--since needs an ISO 8601 time");
  });

  it("fails with exit code 1 on stderr when the database cannot be read, the password hidden", async () => {
    const url = `postgres://postgres:pw-hunter2-secret@127.0.0.1:${server.port}/no_such_database`;
    const { code, stderr, lines } = await exportAudit({ ASANA_DATABASE_URL: url });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^asana-mcp audit: the export stopped after 0 record\(s\)/);
    expect(stderr).not.toContain("pw-hunter2-secret");
    expect(lines).toEqual([]);
  });

  it("audits remote mode's writes to the table always, and to ASANA_AUDIT_LOG as well when set", async () => {
    const url = await server.freshDatabase();
    const file = join(mkdtempSync(join(tmpdir(), "asana-mcp-audit-")), "audit.jsonl");
    const remote = await startRemote({ store: () => openPostgresStore(url), env: { ASANA_AUDIT_LOG: file } });
    try {
      const { client } = await connectSignedIn(remote);
      const result = await client.callTool({
        name: "create_comment",
        arguments: { task_gid: DEMO_TASK_GID, text: "Remote and audited." },
      });
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      await client.close();
      await vi.waitFor(async () =>
        expect((await query(url, "SELECT id FROM asana_mcp_audit")).rowCount).toBe(1),
      );
    } finally {
      await remote.close();
    }
    const { lines } = await exportAudit({ ASANA_DATABASE_URL: url });
    const [fromFile] = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    const { id: _id, at: _at, ...fromTable } = lines[0]!;
    expect(fromTable).toEqual(fromFile);
    expect(fromTable).toMatchObject({
      tool: "create_comment",
      outcome: "ok",
      person: { user_name: "Grace Hopper" },
    });
  }, 60_000);

  // Last: it stops the cluster this file shares.
  it("answers every tool call while the database is down, counts and logs the records dropped", async () => {
    const url = await server.freshDatabase();
    store = await openPostgresStore(url);
    const audit = store.openAudit?.({ bodies: false, maxQueue: 2, closeTimeoutMs: 1_000 });
    h = await startHarness({ env: { ...botEnv, ASANA_LOG_LEVEL: "info" }, audit });
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, "write").mockImplementation(((chunk: unknown, ...rest: never[]) => {
      stderr.push(String(chunk));
      return write(chunk as string, ...rest);
    }) as typeof process.stderr.write);

    await server.kill();
    try {
      for (let n = 1; n <= 5; n++) {
        const outcome = await h.call("create_comment", {
          task_gid: DEMO_TASK_GID,
          text: `during the outage ${n}`,
        });
        expect(outcome.isError, outcome.text).toBe(false);
      }
      await vi.waitFor(() => expect(stderr.join("")).toContain("could not append to the audit table"));
      expect(stderr.join("")).toContain("audit records are being dropped (2 records are waiting)");
    } finally {
      await server.startAgain();
    }
    // The two that waited are written once the database is back; the three dropped are counted.
    await vi.waitFor(
      async () => expect((await query(url, "SELECT id FROM asana_mcp_audit")).rowCount).toBe(2),
      { timeout: 30_000, interval: 200 },
    );
    await vi.waitFor(() =>
      expect(stderr.join("")).toContain("3 audit record(s) were dropped while the audit table at"),
    );
    const after = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "after the outage" });
    expect(after.isError).toBe(false);
    await vi.waitFor(async () =>
      expect((await query(url, "SELECT id FROM asana_mcp_audit")).rowCount).toBe(3),
    );
  }, 60_000);
});

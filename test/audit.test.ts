import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditRecord } from "../src/audit.js";
import { DEMO_TASK_GID, SANDBOX_TOKENS, SANDBOX_USER_GIDS } from "../src/sandbox/demo-data.js";
import { DEMO_SECTION_GIDS, DEMO_SUBTASK_GIDS } from "../src/sandbox/demo-world.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const botEnv = { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot };
const BIN = resolve(import.meta.dirname, "../dist/index.js");

function auditPath(): string {
  return join(mkdtempSync(join(tmpdir(), "asana-mcp-audit-")), "audit.jsonl");
}

function records(path: string): AuditRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);
}

describe("the audit log", () => {
  it("appends one JSON line per write: tool, identity, target, outcome, Asana's request id, time", async () => {
    const path = auditPath();
    h = await startHarness({ env: { ...botEnv, ASANA_AUDIT_LOG: path } });
    await h.call("list_projects", { limit: 1 });
    await h.call("whoami");
    expect(records(path)).toEqual([]); // reads are not audited

    const outcome = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "audited comment" });
    expect(outcome.isError, outcome.text).toBe(false);
    const [record] = records(path);
    const post = h.fake.requests.find((r) => r.method === "POST");
    expect(record).toMatchObject({
      tool: "create_comment",
      kind: "write",
      identity: {
        kind: "bot",
        variable: "ASANA_BOT_PAT",
        user_gid: SANDBOX_USER_GIDS.bot,
        user_name: "Acme Bot",
      },
      target: { task: DEMO_TASK_GID },
      outcome: "ok",
      request_id: post?.id,
      argument_names: ["task_gid", "text"],
    });
    expect(Date.parse(record!.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(record!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(record!.duration_ms).toBeGreaterThanOrEqual(0);
    expect(record).not.toHaveProperty("arguments");
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain("audited comment");
    expect(text).not.toContain(SANDBOX_TOKENS.bot);
    expect(text.endsWith("\n")).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("records refused and failed attempts with their error code and Asana's request id", async () => {
    const path = auditPath();
    h = await startHarness({
      env: { ...botEnv, ASANA_AUDIT_LOG: path, ASANA_TOOLS: "whoami,list_projects" },
    });
    errorOf(await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "refused" }));
    await h.close();

    h = await startHarness({ env: { ...botEnv, ASANA_AUDIT_LOG: path } });
    errorOf(await h.call("create_comment", { task_gid: "999999999", text: "nowhere" }));
    errorOf(await h.call("create_comment", { task_gid: "not a gid", text: "bad" }));
    const notFound = h.fake.requests.find((r) => r.status === 404);
    const [refused, missing, invalid] = records(path);
    expect(refused).toMatchObject({
      tool: "create_comment",
      outcome: "policy_denied",
      target: { task: DEMO_TASK_GID },
      request_id: null,
    });
    expect(missing).toMatchObject({
      outcome: "not_found",
      target: { task: "999999999" },
      request_id: notFound?.id,
    });
    expect(invalid).toMatchObject({
      outcome: "invalid_input",
      target: {},
      argument_names: ["task_gid", "text"],
    });
    expect(records(path)).toHaveLength(3); // appended across restarts, never truncated
  });

  it("names no request id for a write whose answer was lost, even though reads settled it", async () => {
    const path = auditPath();
    h = await startHarness({ env: { ...botEnv, ASANA_AUDIT_LOG: path } });
    h.fake.inject({ method: "POST", type: "reset-after" });
    const outcome = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "answer lost" });
    expect(outcome.body.verified_after_uncertain_failure).toBe(true);
    expect(records(path)).toMatchObject([{ outcome: "ok", request_id: null }]);
  });

  it("records the comment body only with ASANA_AUDIT_LOG_BODIES=true", async () => {
    const path = auditPath();
    h = await startHarness({ env: { ...botEnv, ASANA_AUDIT_LOG: path, ASANA_AUDIT_LOG_BODIES: "true" } });
    await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "with body", is_pinned: true });
    expect(records(path)[0]?.arguments).toEqual({
      task_gid: DEMO_TASK_GID,
      text: "with body",
      is_pinned: true,
    });
  });

  it("records task tools' writes with every gid they touch", async () => {
    const path = auditPath();
    h = await startHarness({ env: { ...botEnv, ASANA_AUDIT_LOG: path, ASANA_CONFIRM: "off" } });
    const subtask = DEMO_SUBTASK_GIDS[0];
    const calls: Array<[string, Record<string, unknown>]> = [
      ["update_task", { task_gid: DEMO_TASK_GID, completed: true }],
      ["move_task", { task_gid: DEMO_TASK_GID, action: "to_section", section_gid: DEMO_SECTION_GIDS.done }],
      ["task_links", { task_gid: DEMO_TASK_GID, action: "add", relation: "dependents", gids: [subtask] }],
      ["delete_task", { task_gid: subtask }],
    ];
    for (const [name, args] of calls) {
      const outcome = await h.call(name, args);
      expect(outcome.isError, outcome.text).toBe(false);
    }
    const writes = h.fake.requests.filter((r) => r.method !== "GET");
    expect(records(path)).toMatchObject([
      { tool: "update_task", kind: "write", target: { task: DEMO_TASK_GID }, request_id: writes[0]?.id },
      {
        tool: "move_task",
        target: { task: DEMO_TASK_GID, section: DEMO_SECTION_GIDS.done },
        request_id: writes[1]?.id,
      },
      {
        tool: "task_links",
        target: { task: DEMO_TASK_GID, linkedTasks: [subtask] },
        request_id: writes[2]?.id,
      },
      {
        tool: "delete_task",
        kind: "destructive",
        target: { task: subtask },
        outcome: "ok",
        request_id: writes[3]?.id,
        argument_names: ["task_gid"],
      },
    ]);
    expect(writes.map((r) => r.method)).toEqual(["PUT", "POST", "POST", "DELETE"]);
    for (const record of records(path)) {
      expect(record.identity).toMatchObject({ kind: "bot", user_gid: SANDBOX_USER_GIDS.bot });
      expect(record.outcome).toBe("ok");
    }
    expect(h.fake.task(subtask)).toBeUndefined();
  });

  it("shows the audit log in whoami's policy", async () => {
    const path = auditPath();
    h = await startHarness({ env: { ...botEnv, ASANA_AUDIT_LOG: path } });
    expect((await h.call("whoami")).body.policy).toMatchObject({ audit_log: path });
  });
});

describe("start-up errors of the policy and the audit log", () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [BIN], {
      env: { PATH: process.env.PATH ?? "", ASANA_PAT: "start-up-check-token", ...env },
      cwd: mkdtempSync(join(tmpdir(), "asana-mcp-cwd-")),
      input: "",
      encoding: "utf8",
      timeout: 10_000,
    });

  it("stops with one line naming ASANA_AUDIT_LOG when it cannot be written", () => {
    const result = run({ ASANA_AUDIT_LOG: "/nonexistent-dir/audit.jsonl" });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "asana-mcp: ASANA_AUDIT_LOG=/nonexistent-dir/audit.jsonl cannot be opened for appending (ENOENT).\n",
    );
  });

  it("stops with one line listing the valid tool names for an unknown one in ASANA_TOOLS", () => {
    const result = run({ ASANA_TOOLS: "whoami,delete_everything" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^asana-mcp: ASANA_TOOLS names an unknown tool delete_everything; valid names: whoami, list_projects, .*\.\n$/,
    );
  });
});

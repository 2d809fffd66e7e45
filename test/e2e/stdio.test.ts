// Spawns the built bin over stdio exactly as Claude Desktop does (command + args + env),
// against the fake Asana on 127.0.0.1.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TASK_GID, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { startFakeAsana } from "../fake-asana/index.js";

const BIN = resolve(import.meta.dirname, "../../dist/index.js");
let fake: Awaited<ReturnType<typeof startFakeAsana>>;

beforeAll(async () => {
  if (!existsSync(BIN))
    throw new Error("dist/index.js is missing: run `npm run build` first (npm test does).");
  fake = await startFakeAsana();
});
afterAll(() => fake.close());

function baseEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: mkdtempSync(join(tmpdir(), "asana-mcp-home-")), ...extra };
}

async function connect(env: Record<string, string>, args: string[] = []) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, ...args],
    env: baseEnv(env),
    cwd: mkdtempSync(join(tmpdir(), "asana-mcp-cwd-")),
    stderr: "pipe",
  });
  const client = new Client({ name: "e2e", version: "1.0.0" });
  let changed: () => void = () => undefined;
  const listChanged = new Promise<void>((r) => {
    changed = r;
  });
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => changed());
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await client.callTool({ name, arguments: args });
    return { isError: result.isError === true, body: result.structuredContent as Record<string, unknown> };
  };
  const describeTool = async (name: string) =>
    (await client.listTools()).tools.find((t) => t.name === name)?.description ?? "";
  return { client, call, describeTool, listChanged, close: () => client.close() };
}

describe("the built bin over stdio, once per identity kind", () => {
  it("personal access token: reads and writes as its owner", async () => {
    const s = await connect({ ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BASE_URL: fake.baseUrl });
    await s.listChanged;
    expect(await s.describeTool("create_comment")).toContain("posted as Ada Lovelace (personal access token");
    const posted = await s.call("create_comment", { task_gid: DEMO_TASK_GID, text: "e2e as Ada" });
    expect(posted.body).toMatchObject({
      story: { created_by: { name: "Ada Lovelace" } },
      acting_as: { kind: "pat" },
    });
    await s.close();
  });

  it("bot account: comments carry the bot's name, reads stay with the person", async () => {
    const s = await connect({
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
      ASANA_BASE_URL: fake.baseUrl,
    });
    await s.listChanged;
    expect(await s.describeTool("create_comment")).toContain("posted as Acme Bot (bot account");
    expect(await s.describeTool("list_projects")).toContain("Reads as Ada Lovelace");
    const posted = await s.call("create_comment", { task_gid: DEMO_TASK_GID, text: "e2e as the bot" });
    expect(posted.isError).toBe(false);
    const stored = fake.fake.storiesOf(DEMO_TASK_GID).filter((story) => story.text === "e2e as the bot");
    expect(stored.map((story) => story.created_by.name)).toEqual(["Acme Bot"]);
    await s.close();
  });

  it("service account: acts under the service account's name", async () => {
    const s = await connect({
      ASANA_SERVICE_ACCOUNT_TOKEN: SANDBOX_TOKENS.service_account,
      ASANA_BASE_URL: fake.baseUrl,
    });
    await s.listChanged;
    expect(await s.describeTool("create_comment")).toContain("Acme Service Account (service account");
    const who = await s.call("whoami");
    expect(who.body).toMatchObject({
      identities: [{ kind: "service_account", user: { name: "Acme Service Account" } }],
    });
    await s.close();
  });

  it("OAuth access token: acts as the signed-in user and answers OpenID Connect", async () => {
    const s = await connect({ ASANA_OAUTH_ACCESS_TOKEN: SANDBOX_TOKENS.oauth, ASANA_BASE_URL: fake.baseUrl });
    await s.listChanged;
    expect(await s.describeTool("create_comment")).toContain("Grace Hopper (OAuth login");
    const info = await s.call("oidc_userinfo");
    expect(info.body).toMatchObject({ name: "Grace Hopper", email: "grace@sandbox.example" });
    await s.close();
  });

  it("sandbox: the same server against the built-in demo Asana", async () => {
    const s = await connect({}, ["sandbox"]);
    const who = await s.call("whoami");
    expect(who.body.sandbox).toBe(true);
    expect((who.body.identities as unknown[]).length).toBe(4);
    const workspace = (who.body.identities as Array<{ workspaces: Array<{ gid: string }> }>)[0]!
      .workspaces[0]!.gid;
    const page = await s.call("list_projects", { workspace_gid: workspace, limit: 3 });
    expect((page.body.projects as unknown[]).length).toBe(3);
    await s.close();
  });
});

/** A raw child process, to watch every byte on stdout and the exit. */
function spawnRaw(
  env: Record<string, string>,
  cwd = mkdtempSync(join(tmpdir(), "asana-mcp-cwd-")),
  args: string[] = [],
) {
  const child = spawn(process.execPath, [BIN, ...args], { env: baseEnv(env), cwd, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

function send(child: ChildProcessWithoutNullStreams, message: object) {
  child.stdin.write(`${JSON.stringify(message)}\n`);
}

async function waitFor(predicate: () => boolean, ms = 10_000) {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

describe("process hygiene", () => {
  it("writes only JSON-RPC to stdout, with a .env present, and exits when stdin closes", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "asana-mcp-dotenv-"));
    writeFileSync(join(cwd, ".env"), `ASANA_BOT_PAT=${SANDBOX_TOKENS.bot}\nASANA_BASE_URL=${fake.baseUrl}\n`);
    const run = spawnRaw({ ASANA_LOG_LEVEL: "debug" }, cwd);
    send(run.child, INIT);
    send(run.child, { jsonrpc: "2.0", method: "notifications/initialized" });
    send(run.child, { jsonrpc: "2.0", id: 2, method: "tools/list" });
    send(run.child, {
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "whoami", arguments: {} },
    });
    send(run.child, {
      jsonrpc: "2.0",
      id: 4,
      method: "tools/call",
      params: { name: "create_comment", arguments: { task_gid: "x" } },
    });
    // Answers may come in any order: wait for both calls before closing stdin.
    await waitFor(() => run.out().includes('"id":3') && run.out().includes('"id":4'));
    run.child.stdin.end();
    expect(await run.exited).toBe(0);
    const lines = run.out().split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: "2.0" });
    expect(run.out()).toContain("Acme Bot");
    expect(run.err()).not.toContain(SANDBOX_TOKENS.bot);
    expect(run.out()).not.toContain(SANDBOX_TOKENS.bot);
  });

  it("exits cleanly on SIGTERM", async () => {
    const run = spawnRaw({ ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BASE_URL: fake.baseUrl });
    send(run.child, INIT);
    await waitFor(() => run.out().includes('"id":1'));
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  it("stops on a bad value with one line on stderr and nothing on stdout", async () => {
    const run = spawnRaw({ ASANA_PAT: "x", ASANA_WRITE_AS: "robot" });
    expect(await run.exited).toBe(1);
    expect(run.out()).toBe("");
    expect(run.err().trim().split("\n")).toEqual([
      'asana-mcp: ASANA_WRITE_AS must be one of pat, bot, service_account, oauth (got "robot").',
    ]);
  });
});

describe("bounded stdin messages", () => {
  it("answers a 12 MB message with a JSON-RPC error and goes on serving", async () => {
    const run = spawnRaw({ ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BASE_URL: fake.baseUrl });
    send(run.child, INIT);
    send(run.child, { jsonrpc: "2.0", method: "notifications/initialized" });
    await waitFor(() => run.out().includes('"id":1'));
    const huge = "x".repeat(12 * 1024 * 1024);
    // The id last, as the SDK's clients write it; sent in pieces as a pipe delivers it.
    const message = `{"jsonrpc":"2.0","method":"tools/call","params":{"name":"create_comment","arguments":{"task_gid":"${DEMO_TASK_GID}","text":"${huge}"}},"id":7}\n`;
    run.child.stdin.write(message);
    await waitFor(() => run.out().includes('"id":7'));
    send(run.child, { jsonrpc: "2.0", id: 8, method: "tools/list" });
    await waitFor(() => run.out().includes('"id":8'));
    const lines = run.out().split("\n").filter(Boolean);
    const answers = lines.map((line) => JSON.parse(line) as { id?: unknown; error?: { code: number } });
    for (const answer of answers) expect(answer).toMatchObject({ jsonrpc: "2.0" });
    expect(answers.find((a) => a.id === 7)).toMatchObject({
      error: { code: -32600, message: expect.stringContaining("over this server's limit of 10485760 bytes") },
    });
    expect(answers.find((a) => a.id === 8)).toMatchObject({ result: { tools: expect.any(Array) } });
    // Nothing of it reached Asana.
    expect(
      fake.fake.requests.filter((r) => r.method === "POST" && JSON.stringify(r.body).length > 1e6),
    ).toEqual([]);
    run.child.stdin.end();
    expect(await run.exited).toBe(0);
  });

  it("answers a line that is not JSON with a parse error and goes on serving", async () => {
    const run = spawnRaw({ ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BASE_URL: fake.baseUrl });
    send(run.child, INIT);
    await waitFor(() => run.out().includes('"id":1'));
    run.child.stdin.write("this is not json\n");
    send(run.child, { jsonrpc: "2.0", id: 2, method: "tools/list" });
    await waitFor(() => run.out().includes('"id":2'));
    const answers = run
      .out()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(answers).toContainEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "Parse error: the message is not JSON." },
    });
    run.child.stdin.end();
    expect(await run.exited).toBe(0);
  });
});

describe("shutdown with a write in flight", () => {
  const auditOf = (path: string) =>
    existsSync(path)
      ? readFileSync(path, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>)
      : [];

  async function slowComment(grace: number, delay: number, text: string) {
    const audit = join(mkdtempSync(join(tmpdir(), "asana-mcp-audit-")), "audit.jsonl");
    const run = spawnRaw({
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_BASE_URL: fake.baseUrl,
      ASANA_AUDIT_LOG: audit,
      ASANA_SHUTDOWN_GRACE_MS: String(grace),
    });
    send(run.child, INIT);
    send(run.child, { jsonrpc: "2.0", method: "notifications/initialized" });
    await waitFor(() => run.out().includes('"id":1'));
    fake.fake.inject({ method: "POST", path: `/tasks/${DEMO_TASK_GID}/stories`, type: "delay", ms: delay });
    send(run.child, {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "create_comment", arguments: { task_gid: DEMO_TASK_GID, text } },
    });
    // Asana has the POST (and applies it); its answer is delayed.
    await waitFor(() =>
      fake.fake.requests.some(
        (r) => r.method === "POST" && (r.body as { data?: { text?: string } })?.data?.text === text,
      ),
    );
    return { run, audit };
  }

  const stored = (text: string) => fake.fake.storiesOf(DEMO_TASK_GID).filter((story) => story.text === text);

  it("stdin closed, grace longer than the write: it is answered and audited before the exit", async () => {
    const text = "slow comment answered during shutdown";
    const { run, audit } = await slowComment(10_000, 1_500, text);
    run.child.stdin.end();
    expect(await run.exited).toBe(0);
    const answer = run
      .out()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id?: number; result?: { isError?: boolean } })
      .find((a) => a.id === 2);
    expect(answer?.result).toBeDefined();
    expect(answer?.result?.isError).not.toBe(true);
    expect(auditOf(audit)).toMatchObject([{ tool: "create_comment", outcome: "ok" }]);
    expect(stored(text)).toHaveLength(1);
  });

  it("SIGTERM, grace shorter than the write: audited as interrupted, sent, and the exit follows the grace", async () => {
    const text = "slow comment interrupted by shutdown";
    const { run, audit } = await slowComment(300, 8_000, text);
    const signalledAt = Date.now();
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(300 + 2_000);
    expect(auditOf(audit)).toMatchObject([
      { tool: "create_comment", outcome: "interrupted", sent: true, target: { task: DEMO_TASK_GID } },
    ]);
    expect(stored(text)).toHaveLength(1);
  });

  it("a client gone without closing stdin (stdout and stderr closed) ends the server, never a busy loop", async () => {
    const run = spawnRaw({
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_BASE_URL: fake.baseUrl,
      ASANA_LOG_LEVEL: "debug",
    });
    send(run.child, INIT);
    await waitFor(() => run.out().includes('"id":1'));
    // The client's end of the answer pipes goes away; its end of stdin stays open.
    run.child.stdout.destroy();
    run.child.stderr.destroy();
    send(run.child, { jsonrpc: "2.0", id: 2, method: "tools/list" });
    send(run.child, { jsonrpc: "2.0", id: 3, method: "ping" });
    const exited = await Promise.race([
      run.exited,
      new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 5_000)),
    ]);
    if (exited === "still running") run.child.kill("SIGKILL");
    expect(exited).toBe(0);
  });

  it("a client killed with writes in flight (every pipe gone): each write audited, and the server exits", async () => {
    const audit = join(mkdtempSync(join(tmpdir(), "asana-mcp-audit-")), "audit.jsonl");
    const run = spawnRaw({
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_BASE_URL: fake.baseUrl,
      ASANA_AUDIT_LOG: audit,
      ASANA_SHUTDOWN_GRACE_MS: "300",
    });
    send(run.child, INIT);
    await waitFor(() => run.out().includes('"id":1'));
    const before = fake.fake.requests.filter((r) => r.method === "POST").length;
    fake.fake.inject({ method: "POST", path: `/tasks/${DEMO_TASK_GID}/stories`, type: "delay", ms: 8_000 });
    send(run.child, {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "create_comment", arguments: { task_gid: DEMO_TASK_GID, text: "client killed" } },
    });
    await waitFor(() => fake.fake.requests.filter((r) => r.method === "POST").length > before);
    run.child.stdout.destroy();
    run.child.stderr.destroy();
    run.child.stdin.destroy();
    const exited = await Promise.race([
      run.exited,
      new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 5_000)),
    ]);
    if (exited === "still running") run.child.kill("SIGKILL");
    expect(exited).toBe(0);
    expect(auditOf(audit)).toMatchObject([{ tool: "create_comment", outcome: "interrupted", sent: true }]);
  });

  it("SIGTERM with a write still queued behind the 15-write cap: audited as interrupted, not sent", async () => {
    const text = "queued comment";
    const audit = join(mkdtempSync(join(tmpdir(), "asana-mcp-audit-")), "audit.jsonl");
    const run = spawnRaw({
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_BASE_URL: fake.baseUrl,
      ASANA_AUDIT_LOG: audit,
      ASANA_SHUTDOWN_GRACE_MS: "300",
    });
    send(run.child, INIT);
    send(run.child, { jsonrpc: "2.0", method: "notifications/initialized" });
    await waitFor(() => run.out().includes('"id":1'));
    const posts = () => fake.fake.requests.filter((r) => r.method === "POST").length;
    const before = posts();
    fake.fake.inject({
      method: "POST",
      path: `/tasks/${DEMO_TASK_GID}/stories`,
      type: "delay",
      ms: 8_000,
      times: 16,
    });
    for (let i = 0; i < 16; i++) {
      send(run.child, {
        jsonrpc: "2.0",
        id: 10 + i,
        method: "tools/call",
        params: { name: "create_comment", arguments: { task_gid: DEMO_TASK_GID, text: `${text} ${i}` } },
      });
    }
    // Asana holds 15 (the per-identity write cap); the 16th waits in the server's queue.
    await waitFor(() => posts() - before >= 15);
    // Give a 16th a moment to reach Asana, were the cap not holding it back.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(posts() - before).toBe(15);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    const lines = auditOf(audit) as Array<{ outcome: string; sent?: boolean }>;
    expect(lines).toHaveLength(16);
    expect(lines.every((line) => line.outcome === "interrupted")).toBe(true);
    expect(lines.filter((line) => line.sent === true)).toHaveLength(15);
    expect(lines.filter((line) => line.sent === false)).toHaveLength(1);
  });
});

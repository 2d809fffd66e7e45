// Secrets never leave: distinctive tokens, every byte the built server writes (stdout, stderr,
// the audit log) scanned for them, including when Asana echoes a token back in an error, and
// the Authorization header never sent to another origin, redirects included.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_TASK_GID,
  demoData,
  SANDBOX_USER_GIDS,
  SANDBOX_WORKSPACE_GIDS,
} from "../src/sandbox/demo-data.js";
import { startFakeAsana } from "./fake-asana/index.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";

const BIN = resolve(import.meta.dirname, "../dist/index.js");

/** Distinctive values: any occurrence in output is a leak, never a coincidence. */
const TOKENS = {
  pat: "2/1201000000000001/9f8e7d6c5b4a:LEAKCANARYpat0a1b2c3d4e5f",
  bot: "2/1201000000000002/1a2b3c4d5e6f:LEAKCANARYbot6f5e4d3c2b1a",
  oauth: "LEAKCANARYoauth.eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ",
};

interface RpcMessage {
  id?: number;
  result?: { isError?: boolean; content?: Array<{ text?: string }>; structuredContent?: unknown };
  error?: unknown;
}

/** A bare JSON-RPC client over the child's stdio, so every byte it writes is kept. */
class RawClient {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = "";
  stderr = "";
  private buffered = "";
  private nextId = 1;
  private readonly pending = new Map<number, (message: RpcMessage) => void>();

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [BIN], {
      env: { PATH: process.env.PATH ?? "", ...env },
      cwd: mkdtempSync(join(tmpdir(), "asana-mcp-secrets-")),
    });
    this.child.stdout.setEncoding("utf8");
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.child.stdout.on("data", (chunk: string) => {
      this.stdout += chunk;
      this.buffered += chunk;
      for (let end = this.buffered.indexOf("\n"); end >= 0; end = this.buffered.indexOf("\n")) {
        const line = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 1);
        const message = JSON.parse(line) as RpcMessage; // anything but JSON-RPC on stdout fails here
        if (message.id !== undefined) this.pending.get(message.id)?.(message);
      }
    });
  }

  request(method: string, params: Record<string, unknown> = {}): Promise<RpcMessage> {
    const id = this.nextId++;
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    return new Promise((resolve) => this.pending.set(id, resolve));
  }

  notify(method: string): void {
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method })}\n`);
  }

  async call(name: string, args: Record<string, unknown> = {}) {
    const { result } = await this.request("tools/call", { name, arguments: args });
    const text = result?.content?.[0]?.text ?? "";
    return { isError: result?.isError === true, text, body: JSON.parse(text) as Record<string, unknown> };
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin.end();
    await exited;
  }
}

let fake: Awaited<ReturnType<typeof startFakeAsana>>;
let elsewhere: Server;
let elsewhereOrigin: string;
const elsewhereSaw: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  fake = await startFakeAsana();
  fake.fake.addToken({ token: TOKENS.pat, userGid: SANDBOX_USER_GIDS.pat, kind: "pat" });
  fake.fake.addToken({ token: TOKENS.bot, userGid: SANDBOX_USER_GIDS.bot, kind: "bot" });
  fake.fake.addToken({
    token: TOKENS.oauth,
    userGid: SANDBOX_USER_GIDS.oauth,
    kind: "oauth",
    oauthScopes: ["default", "openid", "email", "profile"],
  });
  // Another origin on this machine: a redirect target that must never see a request.
  elsewhere = createServer((req, res) => {
    elsewhereSaw.push(req.headers);
    res.end("{}");
  });
  await new Promise<void>((done) => elsewhere.listen(0, "127.0.0.1", done));
  elsewhereOrigin = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await fake.close();
  await new Promise((done) => elsewhere.close(done));
});

describe("tokens never leave the process", () => {
  it("appear in no byte of stdout, stderr, results or the audit log, faults and redirects included", async () => {
    if (!existsSync(BIN))
      throw new Error("dist/index.js is missing: run `npm run build` first (npm test does).");
    const audit = join(mkdtempSync(join(tmpdir(), "asana-mcp-secrets-audit-")), "audit.jsonl");
    const client = new RawClient({
      ASANA_BASE_URL: fake.baseUrl,
      ASANA_PAT: TOKENS.pat,
      ASANA_BOT_PAT: TOKENS.bot,
      ASANA_OAUTH_ACCESS_TOKEN: TOKENS.oauth,
      ASANA_READ_AS: "pat",
      ASANA_LOG_LEVEL: "debug",
      ASANA_AUDIT_LOG: audit,
      ASANA_AUDIT_LOG_BODIES: "true",
    });
    const outcomes: Array<{ isError: boolean; text: string; body: Record<string, unknown> }> = [];
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const outcome = await client.call(name, args);
      outcomes.push(outcome);
      return outcome;
    };
    const codeOf = (o: { body: Record<string, unknown> }) => (o.body.error as { code: string }).code;
    const echo = (token: string) => ({
      errors: [{ message: `token ${token} refused; Authorization: Bearer ${token}`, help: token }],
    });
    const listing = { workspace_gid: SANDBOX_WORKSPACE_GIDS.acme, limit: 2 };
    const comment = (text: string) => ({ task_gid: DEMO_TASK_GID, text });
    try {
      await client.request("initialize", {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "secrets", version: "1" },
      });
      client.notify("notifications/initialized");
      await client.request("tools/list");
      expect((await call("whoami")).isError).toBe(false);
      expect((await call("list_projects", listing)).isError).toBe(false);
      expect((await call("create_comment", comment("a comment"))).isError).toBe(false);
      expect((await call("oidc_userinfo")).isError).toBe(false);

      // Asana (or a proxy) echoing the token back in an error body.
      fake.fake.inject({
        method: "GET",
        path: "/projects",
        type: "status",
        status: 403,
        body: echo(TOKENS.pat),
      });
      const echoed = await call("list_projects", listing);
      expect(codeOf(echoed)).toBe("forbidden");
      expect(echoed.text).toContain("[redacted]");
      fake.fake.inject({ method: "POST", type: "status", status: 400, body: echo(TOKENS.bot) });
      expect(codeOf(await call("create_comment", comment("echo")))).toBe("asana_bad_request");

      // Redirects to another origin: not followed, reported clearly.
      const location = `${elsewhereOrigin}/api/1.0/projects`;
      for (const status of [302, 307]) {
        fake.fake.inject({
          method: "GET",
          path: "/projects",
          type: "status",
          status,
          headers: { Location: location },
        });
        const redirected = await call("list_projects", listing);
        expect(codeOf(redirected)).toBe("bad_response");
        expect((redirected.body.error as { message: string }).message).toContain(
          "redirects are not followed",
        );
      }
      fake.fake.inject({ method: "POST", type: "status", status: 307, headers: { Location: location } });
      expect(codeOf(await call("create_comment", comment("redirected")))).toBe("bad_response");

      fake.fake.inject({ method: "GET", path: "/projects", type: "bad-json" });
      fake.fake.inject({ method: "GET", path: "/projects", type: "html", status: 502 });
      await call("list_projects", listing);
      await call("list_projects", listing);
      fake.fake.revokeToken(TOKENS.bot);
      expect(codeOf(await call("create_comment", comment("revoked")))).toBe("unauthorized");
    } finally {
      await client.close();
    }

    expect(elsewhereSaw).toEqual([]);
    expect(fake.fake.storiesOf(DEMO_TASK_GID).filter((s) => s.text === "redirected")).toHaveLength(0);
    // The tokens were really used (so their absence from the output means something).
    const users = new Set(fake.fake.requests.map((r) => r.userGid));
    expect([...users]).toEqual(
      expect.arrayContaining(
        Object.values(SANDBOX_USER_GIDS).filter((g) => g !== SANDBOX_USER_GIDS.service_account),
      ),
    );
    const auditText = readFileSync(audit, "utf8");
    expect(auditText.split("\n").filter(Boolean).length).toBe(4); // the four create_comment attempts
    expect(client.stderr).toContain("asana-mcp debug:");

    const written = {
      stdout: client.stdout,
      stderr: client.stderr,
      audit: auditText,
      results: JSON.stringify(outcomes),
    };
    for (const [where, bytes] of Object.entries(written)) {
      for (const [kind, token] of Object.entries(TOKENS)) {
        expect(bytes.includes(token), `${kind} token found in ${where}`).toBe(false);
        expect(bytes.includes("LEAKCANARY"), `part of a token found in ${where}`).toBe(false);
      }
    }
  });
});

describe("what comes from Asana passes redaction on its way to the agent", () => {
  // Asana's PAT form: the secret is the part after the last `:`; the gids before it are public.
  const PAT = "2/1201000000000001/1201000000000099:FRAGCANARY0123456789abcdef0123";
  const SECRET_HALF = PAT.slice(PAT.lastIndexOf(":") + 1);
  const agentSaw: string[] = [];
  let h: Harness;
  let audit: string;
  let stderr = "";
  const write = process.stderr.write.bind(process.stderr);

  beforeAll(async () => {
    const data = demoData();
    data.tokens.push({ token: PAT, userGid: SANDBOX_USER_GIDS.pat, kind: "pat" });
    // Successful data carrying the token: a task someone named after it, notes with its secret half.
    const task = data.tasks?.find((t) => t.gid === DEMO_TASK_GID);
    if (!task) throw new Error("the demo task is missing");
    task.name = `deploy with ${PAT}`;
    task.notes = `secret: ${SECRET_HALF}; minus three: ${PAT.slice(0, -3)}`;
    audit = join(mkdtempSync(join(tmpdir(), "asana-mcp-secrets-audit-")), "audit.jsonl");
    h = await startHarness({
      data,
      env: { ASANA_PAT: PAT, ASANA_AUDIT_LOG: audit, ASANA_LOG_LEVEL: "debug" },
      client: { maxReadRetries: 0 },
    });
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      stderr += String(chunk);
      return write(chunk, ...rest);
    }) as typeof process.stderr.write;
  });
  afterAll(async () => {
    process.stderr.write = write;
    await h.close();
  });
  const call = async (name: string, args: Record<string, unknown>) => {
    const outcome = await h.call(name, args);
    agentSaw.push(outcome.text, JSON.stringify(outcome.body));
    return outcome;
  };
  const leaks = (text: string) =>
    ["FRAGCANARY", SECRET_HALF.slice(0, 16), SECRET_HALF.slice(-16)].filter((s) => text.includes(s));

  it("redacts the token, its secret half and most of it in a successful result", async () => {
    const got = await call("get_task", { task_gid: DEMO_TASK_GID });
    expect(got.isError).toBe(false);
    const task = got.body.task as { name: string; notes: string };
    expect(task.name).toBe("deploy with [redacted]");
    expect(task.notes).toBe("secret: [redacted]; minus three: [redacted]");
    expect(got.text).not.toContain("FRAGCANARY");
  });

  it("keeps a real request id, and never passes on a token echoed as X-Request-Id", async () => {
    h.fake.inject({ method: "GET", path: `/tasks/${DEMO_TASK_GID}`, type: "status", status: 404 });
    const plain = await call("get_task", { task_gid: DEMO_TASK_GID });
    expect(plain.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    for (const [echoed, expected] of [
      [PAT, null], // not the shape of a request id: dropped
      [SECRET_HALF, "[redacted]"], // id-shaped, but a secret
    ] as const) {
      h.fake.inject({
        method: "GET",
        path: `/tasks/${DEMO_TASK_GID}`,
        type: "status",
        status: 404,
        headers: { "X-Request-Id": echoed },
      });
      const got = await call("get_task", { task_gid: DEMO_TASK_GID });
      expect(errorOf(got).code).toBe("not_found");
      expect(got.body.request_id).toBe(expected);
    }
  });

  it("redacts fragments of the token in an error and the audit log", async () => {
    for (const echoed of [PAT, SECRET_HALF]) {
      h.fake.inject({
        method: "GET",
        path: `/tasks/${DEMO_TASK_GID}`,
        type: "status",
        status: 403,
        headers: { "X-Request-Id": echoed },
        body: { errors: [{ message: `no access for ${SECRET_HALF.slice(2)} (${PAT.slice(0, -4)})` }] },
      });
      const got = await call("get_task", { task_gid: DEMO_TASK_GID });
      expect(errorOf(got).code).toBe("forbidden");
      expect(errorOf(got).message).toContain("[redacted]");
      expect(got.body.request_id).not.toBe(echoed);
    }
    // A write's audit line records the request id: an echoed token is not one.
    h.fake.inject({
      method: "POST",
      type: "status",
      status: 400,
      headers: { "X-Request-Id": SECRET_HALF },
      body: { errors: [{ message: `bad ${SECRET_HALF}` }] },
    });
    const write = await call("create_comment", { task_gid: DEMO_TASK_GID, text: "hello" });
    expect(errorOf(write).code).toBe("asana_bad_request");
    const auditText = readFileSync(audit, "utf8");
    expect(auditText).toContain('"outcome":"asana_bad_request"');
    expect(leaks(auditText)).toEqual([]);
  });

  it("left nothing of the token in anything the agent, the audit log or stderr received", () => {
    const tools = h.fake.requests.filter((r) => r.userGid === SANDBOX_USER_GIDS.pat);
    expect(tools.length).toBeGreaterThan(0); // the token was really used
    expect(leaks(agentSaw.join("\n"))).toEqual([]);
    expect(leaks(readFileSync(audit, "utf8"))).toEqual([]);
    expect(leaks(stderr)).toEqual([]);
  });
});

// Answers arrive before the client gives up: against a hung Asana the agent gets the server's own
// `timeout` / `write_unknown` answer, not the MCP client's generic request timeout (after which
// an agent would send the write again). Real runs are scaled down from the defaults by SCALE.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_REQUEST_TIMEOUT_MSEC } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { afterEach, describe, expect, it } from "vitest";
import { CLIENT_TIMEOUT_MS, loadConfig } from "../src/config.js";
import { DEMO_TASK_GID, SANDBOX_TOKENS, SANDBOX_WORKSPACE_GIDS } from "../src/sandbox/demo-data.js";
import { SETTLE_READS_AT_MS } from "../src/tools/settle.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const defaults = loadConfig({ env: {}, cwd: mkdtempSync(join(tmpdir(), "asana-mcp-deadline-")) });
/** The real runs take 1/SCALE of the default times. */
const SCALE = 15;
const hung = { type: "delay", ms: 120_000, times: Number.POSITIVE_INFINITY } as const;
const env = {
  ASANA_PAT: SANDBOX_TOKENS.pat,
  ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
  ASANA_TOOL_DEADLINE_MS: String(Math.round(defaults.toolDeadlineMs / SCALE)),
  ASANA_TIMEOUT_MS: String(Math.round(defaults.requestTimeoutMs / SCALE)),
};
const text = (result: Record<string, unknown>) =>
  JSON.parse((result.content as Array<{ text: string }>)[0]?.text ?? "{}") as { error?: { code: string } };

describe("the default deadlines", () => {
  it("end every call, retries and settlement included, well before the MCP client's 60 s", () => {
    expect(CLIENT_TIMEOUT_MS).toBe(DEFAULT_REQUEST_TIMEOUT_MSEC);
    // Retries, backoff and settlement read-backs all run under the tool's deadline signal, so the
    // deadline is the worst case; 10 s of margin for a loaded machine and the answer's transit.
    expect(defaults.toolDeadlineMs + 10_000).toBeLessThanOrEqual(CLIENT_TIMEOUT_MS);
    // A request that times out leaves room for one more attempt (a read retry, a settlement read).
    expect(2 * defaults.requestTimeoutMs + SETTLE_READS_AT_MS.at(-1)!).toBeLessThanOrEqual(
      defaults.toolDeadlineMs,
    );
    expect(defaults.warnings).toEqual([]);
  });

  it("warn when a deadline is set longer than MCP clients wait", () => {
    const config = loadConfig({
      env: { ASANA_TOOL_DEADLINE_MS: "90000" },
      cwd: mkdtempSync(join(tmpdir(), "asana-mcp-deadline-")),
    });
    expect(config.warnings).toMatchObject([
      { code: "deadline_too_long", variable: "ASANA_TOOL_DEADLINE_MS" },
    ]);
  });
});

describe("against a hung Asana, scaled down", () => {
  it("a read and a write get the server's own answer before the client's timeout", async () => {
    h = await startHarness({ env });
    h.fake.inject(hung);
    const clientTimeout = DEFAULT_REQUEST_TIMEOUT_MSEC / SCALE;
    const startedAt = Date.now();
    const [read, write] = await Promise.all([
      h.client.callTool(
        { name: "list_projects", arguments: { workspace_gid: SANDBOX_WORKSPACE_GIDS.acme } },
        undefined,
        { timeout: clientTimeout },
      ),
      h.client.callTool(
        { name: "create_comment", arguments: { task_gid: DEMO_TASK_GID, text: "while Asana hangs" } },
        undefined,
        { timeout: clientTimeout },
      ),
    ]);
    expect(Date.now() - startedAt).toBeLessThan(clientTimeout);
    expect(text(read).error?.code).toBe("timeout");
    // The POST reached Asana and its answer never came: the agent is told not to repeat blindly.
    expect(text(write).error?.code).toBe("write_unknown");
    const posts = h.fake.requests.filter((r) => r.method === "POST");
    expect(posts).toHaveLength(1);
    expect(posts[0]?.status).toBe(0);
  });
});

describe("progress notifications", () => {
  it("keep a client that resets its timeout on progress waiting for the server's answer", async () => {
    h = await startHarness({ env: { ...env, ASANA_TOOL_DEADLINE_MS: "1500" }, progressIntervalMs: 200 });
    h.fake.inject(hung);
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await h.client.callTool(
      { name: "list_projects", arguments: { workspace_gid: SANDBOX_WORKSPACE_GIDS.acme } },
      undefined,
      { timeout: 700, resetTimeoutOnProgress: true, onprogress: (p) => progress.push(p) },
    );
    expect(text(result).error?.code).toBe("timeout");
    expect(progress.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
    }
    expect(progress[0]).toMatchObject({ total: 2 });
    expect(progress[0]?.message).toContain("list_projects");
    // The timer ends with the call: nothing arrives afterwards.
    const count = progress.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(progress).toHaveLength(count);
  });

  it("are not sent when the request carries no progress token", async () => {
    h = await startHarness({ env: { ...env, ASANA_TOOL_DEADLINE_MS: "1500" }, progressIntervalMs: 100 });
    const errors: Error[] = [];
    h.client.onerror = (error) => errors.push(error);
    h.fake.inject(hung);
    await expect(
      h.client.callTool(
        { name: "list_projects", arguments: { workspace_gid: SANDBOX_WORKSPACE_GIDS.acme } },
        undefined,
        { timeout: 700, resetTimeoutOnProgress: true },
      ),
    ).rejects.toThrow(/timed out/i);
    await new Promise((r) => setTimeout(r, 1_200));
    // A notification for a token the client never sent would be reported here.
    expect(errors).toEqual([]);
  });
});

describe("a deadline that passes while a read waits to retry", () => {
  it("answers the server's timeout, not an internal error", async () => {
    h = await startHarness({
      env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_TOOL_DEADLINE_MS: "1500" },
      client: { backoffMs: 5_000 },
    });
    h.fake.inject({ type: "status", status: 503, path: "/projects", times: Number.POSITIVE_INFINITY });
    const started = Date.now();
    const outcome = await h.call("list_projects", { workspace_gid: SANDBOX_WORKSPACE_GIDS.acme });
    expect(errorOf(outcome).code).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

// Asana's answers are bounded: in bytes (counted as they arrive, the exchange aborted past the
// limit) and in total time; the Asana-Change headers remembered are bounded too.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_SEEN_CHANGES, seenChangeCount } from "../../src/asana/http.js";
import { errorOf, type Harness, startHarness } from "../helpers/harness.js";

let h: Harness | undefined;
let asana: Server | undefined;
afterEach(async () => {
  asana?.closeAllConnections();
  await h?.close();
  if (asana) await new Promise((r) => asana?.close(r));
  h = undefined;
  asana = undefined;
});

const LIMIT = 1024 * 1024;
const USER = { data: { gid: "1", name: "Big User", workspaces: [{ gid: "2", name: "W" }] } };

interface Seen {
  requests: string[];
  /** Bytes of body written to each response before the client hung up. */
  written: number[];
}

/** An Asana whose other answers come from `answer`; /users/me is answered normally. */
async function startAsana(answer: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void) {
  const seen: Seen = { requests: [], written: [] };
  asana = createServer((req, res) => {
    if (req.url?.startsWith("/api/1.0/users/me")) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(USER));
      return;
    }
    seen.requests.push(`${req.method} ${req.url?.split("?")[0]}`);
    req.resume();
    answer(req, res, seen);
  });
  await new Promise<void>((r) => asana!.listen(0, "127.0.0.1", r));
  const { port } = asana.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/api/1.0`, seen };
}

/** Writes a JSON body of 64 KiB chunks forever (until the client hangs up), as fast as it drains. */
function endless(status: number) {
  return (_req: IncomingMessage, res: ServerResponse, seen: Seen) => {
    res.writeHead(status, { "content-type": "application/json" });
    const chunk = Buffer.alloc(64 * 1024, " ");
    const index = seen.written.push(0) - 1;
    res.write('{"data":[');
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) seen.written[index]! += chunk.length;
      if (!res.destroyed) res.once("drain", pump);
    };
    pump();
  };
}

async function harness(baseUrl: string, env: Record<string, string> = {}) {
  return startHarness({
    resolve: false,
    env: { ASANA_PAT: "big-token", ASANA_BASE_URL: baseUrl, ...env },
    client: { maxResponseBytes: LIMIT },
  });
}

describe("an answer larger than the limit", () => {
  it("an endless read answer is cut at the limit, a clear error, never retried", async () => {
    const { baseUrl, seen } = await startAsana(endless(200));
    h = await harness(baseUrl);
    const error = errorOf(await h.call("list_projects", { workspace_gid: "2" }));
    expect(error.code).toBe("asana_response_too_large");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`larger than ${LIMIT} bytes (ASANA_MAX_RESPONSE_BYTES)`);
    expect(seen.requests).toEqual(["GET /api/1.0/projects"]);
    // Aborted as the limit passed, not after reading on: what the server managed to write before
    // the hang-up is the limit plus what socket buffers hold, far from unbounded.
    expect(seen.written[0]).toBeLessThan(LIMIT * 8);
    // The server is still there for the next call.
    expect((await h.call("whoami")).isError).toBe(false);
  });

  it("an answer announcing a larger Content-Length is refused before its body is read", async () => {
    const { baseUrl, seen } = await startAsana((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(LIMIT * 100) });
      res.write('{"data":[');
    });
    h = await harness(baseUrl);
    const error = errorOf(await h.call("list_projects", { workspace_gid: "2" }));
    expect(error.code).toBe("asana_response_too_large");
    expect(seen.requests).toHaveLength(1);
  });

  it("a write whose 201 answer is too large is reported as applied, never re-sent or settled", async () => {
    const { baseUrl, seen } = await startAsana(endless(201));
    h = await harness(baseUrl);
    const error = errorOf(await h.call("create_comment", { task_gid: "3", text: "huge answer" }));
    expect(error.code).toBe("asana_response_too_large");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("Asana answered 201: the write WAS applied");
    // One POST; no second POST and no read-back into another huge answer.
    expect(seen.requests).toEqual(["POST /api/1.0/tasks/3/stories"]);
  });

  it("a write whose error answer is too large says it may have been applied", async () => {
    const { baseUrl } = await startAsana(endless(500));
    h = await harness(baseUrl);
    const error = errorOf(await h.call("create_comment", { task_gid: "3", text: "huge error" }));
    expect(error.code).toBe("asana_response_too_large");
    expect(error.message).toContain("Asana answered 500: the write may or may not have been applied");
  });
});

describe("an answer's total time", () => {
  it("a body trickling in forever ends as a timeout, though each chunk arrives in time", async () => {
    const { baseUrl, seen } = await startAsana((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"data":[');
      const timer = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(timer));
    });
    h = await harness(baseUrl, { ASANA_TIMEOUT_MS: "400", ASANA_TOOL_DEADLINE_MS: "20000" });
    const startedAt = Date.now();
    const error = errorOf(await h.call("list_projects", { workspace_gid: "2" }));
    expect(error.code).toBe("timeout");
    // Four attempts (a read is retried three times) of 400 ms each, plus backoff.
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(seen.requests.length).toBeLessThanOrEqual(4);
  });
});

describe("Asana-Change headers", () => {
  it("remembers a bounded number of distinct announcements", async () => {
    let n = 0;
    const { baseUrl } = await startAsana((_req, res) => {
      n++;
      res.writeHead(200, {
        "content-type": "application/json",
        "asana-change": `name=change_${n};info=https://forum.asana.com/x;affected=true`,
      });
      res.end(JSON.stringify({ data: [], next_page: null }));
    });
    h = await harness(baseUrl, { ASANA_LOG_LEVEL: "error" });
    for (let i = 0; i < MAX_SEEN_CHANGES + 20; i++) {
      expect((await h.call("list_projects", { workspace_gid: "2" })).isError).toBe(false);
    }
    expect(n).toBe(MAX_SEEN_CHANGES + 20);
    expect(seenChangeCount()).toBe(MAX_SEEN_CHANGES);
  });
});

describe("many large answers at once", () => {
  it("together hold at most the shared budget (plus one answer), and every one still ends", async () => {
    // 64 KiB every 2 ms: every answer is still arriving while the others are.
    const { baseUrl, seen } = await startAsana((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"data":[');
      const timer = setInterval(() => res.write(Buffer.alloc(64 * 1024, " ")), 2);
      res.on("close", () => clearInterval(timer));
    });
    h = await startHarness({
      resolve: false,
      env: { ASANA_PAT: "big-token", ASANA_BASE_URL: baseUrl },
      client: { maxResponseBytes: LIMIT, maxBufferedBytes: 2 * LIMIT },
    });
    const calls = Array.from({ length: 12 }, () => h!.call("list_projects", { workspace_gid: "2" }));
    const codes = (await Promise.all(calls)).map((outcome) => errorOf(outcome).code);
    expect(codes).toEqual(Array(12).fill("asana_response_too_large"));
    expect(seen.requests).toHaveLength(12);
    // Without the budget, twelve answers would hold twelve times LIMIT at once.
    expect(h.asana.bufferedBytesPeak).toBeLessThanOrEqual(3 * LIMIT + 12 * 64 * 1024);
  });
});

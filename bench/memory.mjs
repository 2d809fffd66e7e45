// The memory ceiling under N concurrent huge answers: the built server (dist/index.js) over
// stdio, against a loopback Asana whose every listing answer is an endless body written as fast
// as the server reads it. N list_projects calls at once, ROUNDS times; the server's peak RSS
// (Linux: VmHWM in /proc/<pid>/status) is printed with each round's outcome.
//
//   npm run build && node bench/memory.mjs [N=10] [ROUNDS=3]
//   ASANA_MAX_RESPONSE_BYTES=16777216 node bench/memory.mjs 50
//
// Loopback only, and bounded: N ≤ 200 calls a round, ROUNDS ≤ 20; each call ends as soon as the
// server gives up on its answer.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { resolve } from "node:path";

const N = Math.min(200, Math.max(1, Number(process.argv[2] ?? 10)));
const ROUNDS = Math.min(20, Math.max(1, Number(process.argv[3] ?? 3)));
const BIN = resolve(import.meta.dirname, "../dist/index.js");

const USER = { data: { gid: "1", name: "Bench User", workspaces: [{ gid: "2", name: "W" }] } };
let bytesSent = 0;
const asana = createServer((req, res) => {
  req.resume();
  res.setHeader("content-type", "application/json");
  if (req.url?.startsWith("/api/1.0/users/me")) {
    res.end(JSON.stringify(USER));
    return;
  }
  res.writeHead(200);
  res.write('{"data":[');
  const chunk = Buffer.alloc(64 * 1024, " ");
  const pump = () => {
    for (let more = true; more && !res.destroyed; bytesSent += chunk.length) more = res.write(chunk);
    if (!res.destroyed) res.once("drain", pump);
  };
  pump();
});
await new Promise((r) => asana.listen(0, "127.0.0.1", r));
const baseUrl = `http://127.0.0.1:${asana.address().port}/api/1.0`;

const child = spawn(process.execPath, [BIN], {
  env: {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    ASANA_PAT: "bench-memory-token",
    ASANA_BASE_URL: baseUrl,
    ASANA_LOG_LEVEL: "error",
    ...(process.env.ASANA_MAX_RESPONSE_BYTES
      ? { ASANA_MAX_RESPONSE_BYTES: process.env.ASANA_MAX_RESPONSE_BYTES }
      : {}),
  },
  stdio: ["pipe", "pipe", "inherit"],
});
const waiting = new Map();
let buffered = "";
child.stdout.on("data", (chunk) => {
  buffered += chunk.toString("utf8");
  for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
    const message = JSON.parse(buffered.slice(0, nl));
    buffered = buffered.slice(nl + 1);
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  }
});
let nextId = 1;
const rpc = (method, params) =>
  new Promise((done) => {
    const id = nextId++;
    waiting.set(id, done);
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
  });

/** Resident and peak resident memory of the server process, in MB. */
function memory() {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb("VmRSS") / 1024), peak: Math.round(kb("VmHWM") / 1024) };
}

await rpc("initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "bench-memory", version: "1" },
});
child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
await rpc("tools/list", {});
await new Promise((r) => setTimeout(r, 1_000));
console.log(`limit ${process.env.ASANA_MAX_RESPONSE_BYTES ?? "default"}; ${N} concurrent calls`);
console.log(`idle: rss ${memory().rss} MB`);

let sampledPeak = 0;
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, memory().rss);
}, 10);
for (let round = 1; round <= ROUNDS; round++) {
  const startedAt = Date.now();
  const sentBefore = bytesSent;
  const answers = await Promise.all(
    Array.from({ length: N }, () =>
      rpc("tools/call", { name: "list_projects", arguments: { workspace_gid: "2" } }),
    ),
  );
  const codes = new Map();
  for (const answer of answers) {
    const text = answer.result?.content?.[0]?.text ?? "{}";
    const code = JSON.parse(text).error?.code ?? (answer.error ? `rpc ${answer.error.code}` : "ok");
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  const { rss, peak } = memory();
  console.log(
    `round ${round}: ${Date.now() - startedAt} ms, ${Math.round((bytesSent - sentBefore) / 2 ** 20)} MB written by Asana, ` +
      `answers ${JSON.stringify(Object.fromEntries(codes))}; rss ${rss} MB, peak so far ${Math.max(peak, sampledPeak)} MB`,
  );
}
clearInterval(sampler);
console.log(`peak rss ${Math.max(memory().peak, sampledPeak)} MB`);
child.stdin.end();
await new Promise((r) => child.on("exit", r));
asana.closeAllConnections();
asana.close();

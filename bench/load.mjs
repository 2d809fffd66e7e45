// `npm run build && node bench/load.mjs`: 1,000 concurrent tool calls (70 % list_projects as the
// reader, 30 % create_comment as the bot) through one built server over stdio, against the
// sandbox Asana on 127.0.0.1 with an added latency per request (Asana answers in tens to hundreds
// of ms). Prints throughput, per-call p50/p95/max, peak requests in flight per identity as the fake
// counted them, and the server's RSS. A benchmark, not a test: nothing here passes or fails.
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  DEMO_TASK_GID,
  demoData,
  SANDBOX_TOKENS,
  SANDBOX_USER_GIDS,
  SANDBOX_WORKSPACE_GIDS,
} from "../dist/sandbox/demo-data.js";
import { FakeAsana } from "../dist/sandbox/fake-asana.js";

// 1,000 requests written at once make the client's stdin wait for "drain" once per request.
EventEmitter.defaultMaxListeners = 2_000;
const CALLS = Number(process.env.BENCH_CALLS ?? 1_000);
const LATENCIES = (process.env.BENCH_LATENCY_MS ?? "0,50").split(",").map(Number);
const bin = new URL("../dist/index.js", import.meta.url).pathname;

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const rssMb = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

async function run(latencyMs) {
  const fake = new FakeAsana(demoData());
  const baseUrl = `${await fake.listen(0)}/api/1.0`;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin],
    env: {
      PATH: process.env.PATH ?? "",
      ASANA_BASE_URL: baseUrl,
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
      ASANA_LOG_LEVEL: "error",
    },
    stderr: "ignore",
  });
  const client = new Client({ name: "bench-load", version: "1.0.0" });
  await client.connect(transport);
  await client.listTools();
  await new Promise((r) => setTimeout(r, 500)); // identities resolved
  const rssBefore = rssMb(transport.pid);
  if (latencyMs > 0) {
    fake.inject({ method: "GET", type: "delay", ms: latencyMs, times: Number.POSITIVE_INFINITY });
    fake.inject({ method: "POST", type: "delay", ms: latencyMs, times: Number.POSITIVE_INFINITY });
  }
  fake.resetCounters();
  const listing = { workspace_gid: SANDBOX_WORKSPACE_GIDS.acme, limit: 20 };
  const times = [];
  let errors = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CALLS }, async (_, i) => {
      const t0 = performance.now();
      const result =
        i % 10 < 7
          ? await client.callTool({ name: "list_projects", arguments: listing })
          : await client.callTool({
              name: "create_comment",
              arguments: { task_gid: DEMO_TASK_GID, text: `bench ${latencyMs} ${i}` },
            });
      times.push(performance.now() - t0);
      if (result.isError) errors++;
    }),
  );
  const elapsed = performance.now() - start;
  const rssAfter = rssMb(transport.pid);
  const peaks = fake.maxInFlightByUser();
  await client.close();
  await fake.close();
  return {
    latencyMs,
    throughput: (CALLS / elapsed) * 1000,
    p50: quantile(times, 0.5),
    p95: quantile(times, 0.95),
    max: Math.max(...times),
    errors,
    readPeak: peaks.get(SANDBOX_USER_GIDS.pat)?.read ?? 0,
    writePeak: peaks.get(SANDBOX_USER_GIDS.bot)?.write ?? 0,
    rssBefore,
    rssAfter,
  };
}

process.stdout.write(
  `asana-mcp load bench: node ${process.version}, ${CALLS} concurrent calls (70 % list_projects, 30 % create_comment) through one server over stdio\n\n`,
);
const header = [
  "Asana latency",
  "calls/s",
  "p50",
  "p95",
  "max",
  "errors",
  "peak reads in flight (pat)",
  "peak writes in flight (bot)",
  "server RSS before → after",
];
process.stdout.write(`| ${header.join(" | ")} |\n|${header.map(() => " --- ").join("|")}|\n`);
for (const latency of LATENCIES) {
  const r = await run(latency);
  const ms = (v) => `${v.toFixed(0)} ms`;
  const row = [
    `${r.latencyMs} ms`,
    r.throughput.toFixed(0),
    ms(r.p50),
    ms(r.p95),
    ms(r.max),
    String(r.errors),
    `${r.readPeak} (cap 50)`,
    `${r.writePeak} (cap 15)`,
    `${r.rssBefore.toFixed(0)} → ${r.rssAfter.toFixed(0)} MB`,
  ];
  process.stdout.write(`| ${row.join(" | ")} |\n`);
}

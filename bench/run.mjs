// `npm run bench`: asana-mcp side by side with @roychri/mcp-server-asana 1.8.0 (the most used
// community Asana MCP server, installed into bench/.work at bench time and pointed at the same
// sandbox Asana by a preload), a bare MCP SDK server (the floor: for start-up as is, per call with
// tools that send the same Asana request) and raw undici requests, all against the sandbox Asana
// on 127.0.0.1, in a process of its own (bench/sandbox.mjs). Prints a table of medians and ratios;
// a benchmark, not a test: nothing here passes or fails. BENCH_STARTS (cold starts per server),
// BENCH_ROUNDS and BENCH_CALLS (per-call rounds, and calls per round) set the sample sizes; the
// per-call method is bench/percall.mjs's, so that the two agree.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { DEMO_TASK_GID, SANDBOX_TOKENS } from "../dist/sandbox/demo-data.js";
import { asanaPaths } from "./asana-http.mjs";
import { rawRequester, startSandbox } from "./sandbox.mjs";

const STARTS = Number(process.env.BENCH_STARTS ?? 15);
// Short rounds, many of them: each difference then pairs measures taken seconds apart, and a
// shared machine's speed drifts over minutes.
const CALLS = Number(process.env.BENCH_CALLS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
/** Calls before measuring: enough for the JIT to have compiled each server's hot path. */
const WARMUP = 100;
/** Calls before each server's turn in a round, not measured (see perCall). */
const REWARM = 30;
/** asana-mcp's first four tools, whose tools/list entries have a budget of 3,000 characters. */
const CORE_TOOLS = ["whoami", "list_projects", "create_comment", "oidc_userinfo"];
const here = (path) => new URL(path, import.meta.url).pathname;
const ROYCHRI_VERSION = "1.8.0";
const roychriEntry = here("./.work/node_modules/@roychri/mcp-server-asana/dist/index.js");

const sandbox = await startSandbox();
const baseUrl = sandbox.baseUrl;
const raw = rawRequester(baseUrl);
const workspace = (await raw.send("GET", "/users/me?opt_fields=workspaces")).data.workspaces[0].gid;

/** The servers compared: how to spawn each, its environment, and its equivalent of each workload. */
const servers = {
  "asana-mcp": {
    args: [here("../dist/index.js")],
    env: { ASANA_BASE_URL: baseUrl, ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot },
    calls: {
      identity: ["whoami", {}],
      projects: ["list_projects", { workspace_gid: workspace, limit: 100 }],
      comment: ["create_comment", { task_gid: DEMO_TASK_GID, text: "bench comment" }],
    },
  },
  roychri: {
    args: ["--import", here("./roychri-base-path.mjs"), roychriEntry],
    env: {
      ASANA_ACCESS_TOKEN: SANDBOX_TOKENS.pat,
      BENCH_ASANA_BASE_URL: baseUrl,
      BENCH_ROYCHRI_ENTRY: roychriEntry,
    },
    calls: {
      identity: ["asana_list_workspaces", {}],
      projects: ["asana_search_projects", { workspace, name_pattern: ".*" }],
      comment: ["asana_create_task_story", { task_id: DEMO_TASK_GID, text: "bench comment" }],
    },
  },
  "bare SDK": {
    args: [here("./bare-server.mjs")],
    env: {},
    // The same-sized page with no HTTP request behind it: the MCP round trip's own cost.
    calls: { projects: ["list_projects", { limit: 100 }] },
  },
  // The same bare server answering with the same Asana request asana-mcp sends, sent the same way
  // (undici's dispatch()): the SDK's per-call cost with none of asana-mcp's code. Not started
  // cold; its start-up is the bare SDK's.
  "bare SDK + dispatch": {
    perCallOnly: true,
    args: [here("./bare-server.mjs")],
    env: {
      BARE_ASANA_URL: baseUrl,
      BARE_ASANA_TOKEN: SANDBOX_TOKENS.pat,
      BARE_ASANA_WRITE_TOKEN: SANDBOX_TOKENS.bot,
    },
    calls: {
      projects: ["list_projects_http", { workspace_gid: workspace, limit: 100 }],
      comment: ["create_comment_http", { task_gid: DEMO_TASK_GID, text: "bench comment" }],
    },
  },
};

const roychriProblem = installRoychri();
if (roychriProblem) {
  process.stderr.write(`bench: @roychri/mcp-server-asana left out: ${roychriProblem}\n`);
  delete servers.roychri;
}
const names = Object.keys(servers);
/** The servers started cold and measured idle. */
const started = names.filter((name) => !servers[name].perCallOnly);

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const median = (values) => quantile(values, 0.5);
const ms = (v) => (v === undefined ? "" : `${v.toFixed(v < 10 ? 2 : 0)} ms`);
const signed = (v) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(2)} ms`;
const times = (a, b) => (a === undefined || b === undefined ? "" : `${(a / b).toFixed(2)}x`);

async function connect(name) {
  const server = servers[name];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: server.args,
    env: { PATH: process.env.PATH ?? "", ASANA_LOG_LEVEL: "error", ...server.env },
    stderr: "ignore",
  });
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(transport);
  return { client, pid: transport.pid };
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Spawn to the tools/list answer, as an MCP client experiences it; servers take turns. */
async function coldStarts() {
  const samples = Object.fromEntries(started.map((name) => [name, []]));
  for (let i = 0; i < STARTS; i++) {
    for (const name of started) {
      const start = performance.now();
      const { client } = await connect(name);
      await client.listTools();
      samples[name].push(performance.now() - start);
      await client.close();
    }
  }
  return samples;
}

/** Idle memory and the size of tools/list once the server has settled. */
async function idle(name) {
  const { client, pid } = await connect(name);
  await client.listTools();
  await new Promise((r) => setTimeout(r, 1000));
  const { tools } = await client.listTools();
  const rss = rssMb(pid);
  await client.close();
  const core = tools.filter((t) => CORE_TOOLS.includes(t.name));
  return {
    rss,
    toolsChars: JSON.stringify(tools).length,
    toolCount: tools.length,
    coreChars: core.length === CORE_TOOLS.length ? JSON.stringify(core).length : undefined,
  };
}

/**
 * Sequential calls of one workload on every server that has it, and the raw request behind it:
 * latency, calls per second, Asana requests and characters per result. Each is warmed up first
 * (so the JIT has compiled the hot paths), then they take turns in ROUNDS rounds, so that the
 * machine's noise hits each alike.
 */
async function perCall(workload) {
  const runners = {};
  const clients = [];
  for (const name of names) {
    const call = servers[name].calls[workload];
    if (!call) continue;
    const { client, pid } = await connect(name);
    await client.listTools();
    clients.push(client);
    const [tool, args] = call;
    runners[name] = {
      pid,
      once: async () => {
        const result = await client.callTool({ name: tool, arguments: args });
        if (result.isError) throw new Error(`${name} ${tool} failed: ${JSON.stringify(result.content)}`);
        return result;
      },
    };
  }
  for (const [name, once] of Object.entries(rawCalls[workload] ?? {})) runners[name] = { once };
  await new Promise((r) => setTimeout(r, 500)); // identities resolved
  const results = {};
  for (const [name, runner] of Object.entries(runners)) {
    for (let i = 0; i < WARMUP; i++) await runner.once();
    results[name] = { samples: [], roundP50s: [], elapsed: 0, requests: 0 };
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, runner] of Object.entries(runners)) {
      const result = results[name];
      // Unmeasured calls first: a process that sat idle through the others' turns answers its
      // first calls slower (caches, scheduler), and that would be measured, not the server.
      for (let i = 0; i < REWARM; i++) await runner.once();
      const before = await sandbox.requests();
      const began = performance.now();
      const samples = [];
      for (let i = 0; i < CALLS; i++) {
        const start = performance.now();
        result.last = await runner.once();
        samples.push(performance.now() - start);
      }
      result.elapsed += performance.now() - began;
      result.requests += (await sandbox.requests()) - before;
      result.samples.push(...samples);
      result.roundP50s.push(median(samples));
    }
  }
  for (const [name, result] of Object.entries(results)) {
    const calls = result.samples.length;
    result.perSecond = calls / (result.elapsed / 1000);
    result.requests /= calls;
    if (runners[name].pid) result.rss = rssMb(runners[name].pid);
    // What the model reads: the text content (asana-mcp's structuredContent is the same JSON).
    const text = result.last.content?.map((c) => c.text ?? "").join("") ?? "";
    result.chars = text.length;
    result.items = countItems(text);
  }
  await Promise.all(clients.map((client) => client.close()));
  return results;
}

function countItems(text) {
  try {
    const value = JSON.parse(text);
    if (Array.isArray(value)) return value.length;
    if (Array.isArray(value?.projects)) return value.projects.length;
  } catch {}
  return undefined;
}

/**
 * The raw undici request behind each workload, the baseline of the per-call comparison: with
 * request(), the plain way to call an HTTP API, and with dispatch(), as asana-mcp sends it.
 */
const projectsPath = asanaPaths.projects(workspace);
const commentPath = asanaPaths.comment(DEMO_TASK_GID);
const comment = { text: "bench comment" };
const rawCalls = {
  projects: {
    "raw undici": () => raw.send("GET", projectsPath),
    "raw dispatch": () => raw.dispatch("GET", projectsPath),
  },
  comment: {
    "raw undici": () => raw.send("POST", commentPath, comment),
    "raw dispatch": () => raw.dispatch("POST", commentPath, comment),
  },
};

const starts = await coldStarts();
const idles = Object.fromEntries(await Promise.all(started.map(async (n) => [n, await idle(n)])));
const workloads = ["identity", "projects", "comment"];
const calls = {};
for (const workload of workloads) calls[workload] = await perCall(workload);
await raw.close();
await sandbox.close();

const ours = "asana-mcp";
const rows = [];
const row = (measure, values, ratio) => rows.push([measure, ...names.map((n) => values[n] ?? ""), ratio]);
const startP50 = Object.fromEntries(started.map((n) => [n, median(starts[n])]));
row(
  "cold start to tools/list, p50",
  Object.fromEntries(started.map((n) => [n, ms(startP50[n])])),
  [
    servers.roychri ? `${times(startP50[ours], startP50.roychri)} roychri` : "",
    `${times(startP50[ours], startP50["bare SDK"])} bare`,
  ]
    .filter(Boolean)
    .join(", "),
);
row(
  "cold start to tools/list, p95",
  Object.fromEntries(started.map((n) => [n, ms(quantile(starts[n], 0.95))])),
  "",
);
row(
  "RSS at idle",
  Object.fromEntries(started.map((n) => [n, `${idles[n].rss.toFixed(1)} MB`])),
  `${times(idles[ours].rss, idles["bare SDK"].rss)} bare`,
);
row(
  "tools/list size",
  Object.fromEntries(started.map((n) => [n, `${idles[n].toolsChars} chars, ${idles[n].toolCount} tools`])),
  servers.roychri ? `${times(idles[ours].toolsChars, idles.roychri.toolsChars)} roychri` : "",
);
row(
  "tools/list size, 4 core tools",
  { [ours]: `${idles[ours].coreChars} chars` },
  `${Math.round(idles[ours].toolsChars / idles[ours].toolCount)} chars per tool over all ${idles[ours].toolCount}; roychri ${servers.roychri ? Math.round(idles.roychri.toolsChars / idles.roychri.toolCount) : "-"}`,
);
const label = {
  identity: "identity (whoami / list_workspaces)",
  projects: "100 projects (list_projects / search_projects)",
  comment: "comment (create_comment / create_task_story)",
};
for (const workload of workloads) {
  const { "raw undici": rawRequest, "raw dispatch": rawDispatch, ...results } = calls[workload];
  const p50 = Object.fromEntries(Object.entries(results).map(([n, r]) => [n, median(r.samples)]));
  // Raw figures and differences are medians over rounds, each difference taken within one round
  // so that both sides met the same machine.
  const roundsP50 = (result) => median(result.roundP50s);
  const over = (name, base) =>
    signed(median(results[name].roundP50s.map((p, round) => p - base.roundP50s[round])));
  row(
    `${label[workload]}: p50 / p95`,
    Object.fromEntries(
      Object.entries(results).map(([n, r]) => [n, `${ms(p50[n])} / ${ms(quantile(r.samples, 0.95))}`]),
    ),
    [
      rawRequest
        ? `raw undici request() ${ms(roundsP50(rawRequest))}, dispatch() ${ms(roundsP50(rawDispatch))}; ` +
          `asana-mcp ${over(ours, rawRequest)} over request(), ${over(ours, rawDispatch)} over dispatch()`
        : "",
      rawRequest && results["bare SDK + dispatch"]
        ? `bare SDK + dispatch ${over("bare SDK + dispatch", rawRequest)} over request()`
        : "",
      p50["bare SDK"] === undefined ? "" : "bare SDK: the same page over MCP with no HTTP",
    ]
      .filter(Boolean)
      .join("; "),
  );
  row(
    `${label[workload]}: calls/s`,
    Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.perSecond.toFixed(0)])),
    results.roychri ? `${times(results[ours].perSecond, results.roychri.perSecond)} roychri` : "",
  );
  row(
    `${label[workload]}: Asana requests per call`,
    Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.requests.toFixed(2)])),
    "",
  );
  row(
    `${label[workload]}: characters per result`,
    Object.fromEntries(
      Object.entries(results).map(([n, r]) => [
        n,
        `${r.chars}${r.items ? ` (${r.items} items, ${Math.round(r.chars / r.items)} per item)` : ""}`,
      ]),
    ),
    "",
  );
  row(
    `${label[workload]}: RSS after ${ROUNDS * (CALLS + REWARM) + WARMUP} calls`,
    Object.fromEntries(Object.entries(results).map(([n, r]) => [n, `${r.rss.toFixed(1)} MB`])),
    "",
  );
}

const header = ["measure", ...names, "ratio"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
process.stdout.write(
  `asana-mcp bench, ${new Date().toISOString().slice(0, 10)}: node ${process.version}, ${cpus().length} CPUs ` +
    `(${cpus()[0]?.model ?? "unknown"}), ${STARTS} starts; per call, ${WARMUP} warm-up calls, then ${ROUNDS} rounds of ${CALLS} sequential calls (after ${REWARM} unmeasured) with the servers taking turns (over raw: median of the rounds' p50 differences); ` +
    `sandbox Asana on 127.0.0.1; roychri = @roychri/mcp-server-asana ${ROYCHRI_VERSION}` +
    `${roychriProblem ? ` (left out: ${roychriProblem})` : ""}\n\n`,
);
process.stdout.write(`${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}\n`);
for (const r of rows) process.stdout.write(`${line(r)}\n`);

/** Installs the compared server into bench/.work (git-ignored) once; returns why it cannot run, if so. */
function installRoychri() {
  if (process.env.BENCH_SKIP_ROYCHRI) return "BENCH_SKIP_ROYCHRI is set";
  if (existsSync(roychriEntry)) return undefined;
  try {
    execFileSync(
      "npm",
      [
        "install",
        "--prefix",
        here("./.work"),
        "--no-audit",
        "--no-fund",
        "--no-save",
        `@roychri/mcp-server-asana@${ROYCHRI_VERSION}`,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
  } catch (error) {
    return `npm install failed: ${String(error.stderr ?? error.message)
      .trim()
      .split("\n")
      .at(-1)}`;
  }
  return existsSync(roychriEntry) ? undefined : "installed, but dist/index.js is missing";
}

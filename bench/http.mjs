// `npm run bench:http` (or `npm run build && node bench/http.mjs`): remote mode measured. The
// built server is spawned as `asana-mcp http --sandbox` (its sandbox Asana inside it, as
// `asana-mcp sandbox` has its own) and signed in to over plain HTTP by bench/remote-client.mjs.
// A benchmark, not a test: nothing here passes or fails.
//
// 1. Per call: the same tools over Streamable HTTP (the SDK's client, bearer token) beside stdio
//    (`asana-mcp sandbox`), sequential (latency) and with 10 callers at once (throughput), in
//    alternating rounds; the server's CPU per call, read from /proc, says what a core sustains.
// 2. Memory per signed-in session: the server's RSS after 0, 100 and 1,000 sign-ins (each its own
//    client registration and grant, each making one call), before and after a full collection
//    (bench/gc-on-signal.mjs is preloaded into this server only), and how long sign-ins take as
//    they accumulate.
// 3. 100 signed-in clients at once, 10 calls each: total time, latency and errors.
//
// BENCH_ROUNDS (default 5), BENCH_CALLS (sequential calls per round and transport, 200),
// BENCH_CONCURRENT_CALLS (calls per caller per round with 10 callers, 50) and BENCH_SIGN_INS
// (1000) set the sample sizes. Sign-ins come from addresses of their own on 127/8 (see
// bench/remote-client.mjs: the server budgets registrations per IP).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SANDBOX_WORKSPACE_GIDS } from "../dist/sandbox/demo-data.js";
import { GRACE_GID, signIn } from "./remote-client.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const CALLERS = 10;
const CONCURRENT_CALLS = Number(process.env.BENCH_CONCURRENT_CALLS ?? 50);
const SIGN_INS = Math.max(100, Number(process.env.BENCH_SIGN_INS ?? 1000));
/** Sign-ins in flight at once while the sessions accumulate. */
const SIGN_IN_PARALLEL = 10;
const SESSIONS = 100;
const CALLS_PER_SESSION = 10;
const WARMUP = 100;
const REWARM = 30;
const here = (path) => new URL(path, import.meta.url).pathname;
const BIN = here("../dist/index.js");
const scratch = mkdtempSync(join(tmpdir(), "asana-mcp-bench-http-"));
/** A home of its own: the servers' data directory (store, key) and config are made up for the run. */
const env = {
  PATH: process.env.PATH ?? "",
  HOME: scratch,
  XDG_DATA_HOME: join(scratch, "data"),
  XDG_CONFIG_HOME: join(scratch, "config"),
};

const WORKLOADS = {
  whoami: ["whoami", {}],
  "list_projects (100)": ["list_projects", { workspace_gid: SANDBOX_WORKSPACE_GIDS.acme, limit: 100 }],
};

// --- the processes --------------------------------------------------------------------------------

/** Spawns `asana-mcp http --sandbox --port 0` and resolves once it listens and knows its identities. */
async function startRemote(name, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, BIN, "http", "--sandbox", "--port", "0"], {
    env: { ...env, XDG_DATA_HOME: join(scratch, name) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const problems = [];
  const memoryWaiters = [];
  let buffer = "";
  const url = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`asana-mcp http exited (${code}): ${buffer}`)));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text) => {
      buffer += text;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        const served = /remote MCP server at (\S+)/.exec(line);
        if (served) resolve(served[1]);
        else if (line.startsWith("bench-memory ")) memoryWaiters.shift()?.(JSON.parse(line.slice(13)));
        else if (/^asana-mcp (warn|error):/.test(line) && !line.includes("SANDBOX MODE")) problems.push(line);
      }
    });
  });
  await new Promise((r) => setTimeout(r, 500)); // the shared identities resolved
  return {
    url,
    pid: child.pid,
    problems,
    storePath: join(scratch, name, "asana-mcp", "sandbox-store.json"),
    /** Asks the preloaded collector for a full collection; resolves the memory it reports. */
    collect: () =>
      new Promise((resolve) => {
        memoryWaiters.push(resolve);
        child.kill("SIGUSR2");
      }),
    close: async () => {
      child.kill("SIGTERM");
      if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
    },
  };
}

async function connectStdio() {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "sandbox"],
    env,
    stderr: "ignore",
  });
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(transport);
  await client.listTools();
  return { client, pid: transport.pid };
}

async function connectHttp(url, accessToken, listTools = true) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
  });
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(transport);
  if (listTools) await client.listTools();
  return client;
}

/** One source address per sign-in, on 127/8 (Linux answers every one of them). */
const addressOf = (i) => `127.77.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`;

const callOnce =
  (client, [name, args]) =>
  async () => {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content).slice(0, 300)}`);
  };

// --- measures -------------------------------------------------------------------------------------

/** utime + stime of a process, in ms (clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssBytes(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
}

/** `callers` loops of `each` calls at once; every call's latency, the wall time, the CPU spent. */
async function measure(pid, once, callers, each) {
  const samples = [];
  const serverCpu = cpuMs(pid);
  const benchCpu = process.cpuUsage();
  const began = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let i = 0; i < each; i++) {
        const start = performance.now();
        await once();
        samples.push(performance.now() - start);
      }
    }),
  );
  const elapsed = performance.now() - began;
  const bench = process.cpuUsage(benchCpu);
  return {
    samples,
    elapsed,
    calls: callers * each,
    serverCpu: cpuMs(pid) - serverCpu,
    benchCpu: (bench.user + bench.system) / 1000,
  };
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const median = (values) => quantile(values, 0.5);
const ms = (v) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
const out = (line = "") => process.stdout.write(`${line}\n`);

// --- 1. per call: HTTP beside stdio ---------------------------------------------------------------

out(
  `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average ${loadavg()[0].toFixed(2)} at start`,
);
const perCallServer = await startRemote("per-call");
const grace = await signIn(perCallServer.url, { person: GRACE_GID, localAddress: addressOf(0) });
const stdio = await connectStdio();
// The HTTP client is connected anew for every turn: Node's fetch leaves an abort listener on the
// transport's one AbortSignal per request until the request is collected (over 1,500 of them
// the process warns), and the bench measures the server, not that. Connecting is two POSTs.
const transports = {
  stdio: { pid: stdio.pid, open: async () => stdio.client, done: async () => {} },
  http: {
    pid: perCallServer.pid,
    open: () => connectHttp(perCallServer.url, grace.accessToken),
    done: (client) => client.close(),
  },
};
const modes = {
  sequential: { callers: 1, each: CALLS },
  [`${CALLERS} callers at once`]: { callers: CALLERS, each: CONCURRENT_CALLS },
};
const results = {};
for (const [workload, call] of Object.entries(WORKLOADS)) {
  for (const { open, done } of Object.values(transports)) {
    const client = await open();
    const once = callOnce(client, call);
    for (let i = 0; i < WARMUP; i++) await once();
    await done(client);
  }
  for (const mode of Object.keys(modes))
    for (const name of Object.keys(transports)) results[`${workload}|${mode}|${name}`] = [];
}
for (let round = 0; round < ROUNDS; round++) {
  for (const [workload, call] of Object.entries(WORKLOADS)) {
    for (const [mode, { callers, each }] of Object.entries(modes)) {
      for (const [name, { pid, open, done }] of Object.entries(transports)) {
        const client = await open();
        const once = callOnce(client, call);
        // Unmeasured calls first: a process idle through the other's turn answers slower at first.
        for (let i = 0; i < REWARM; i++) await once();
        results[`${workload}|${mode}|${name}`].push(await measure(pid, once, callers, each));
        await done(client);
      }
    }
  }
}
await stdio.client.close();
const perCallProblems = [...perCallServer.problems];
await perCallServer.close();

out(
  `\n1. Per call, ${ROUNDS} alternating rounds: sequential ${CALLS} calls, then ${CALLERS} callers x ${CONCURRENT_CALLS} calls on one client`,
);
out(
  "   (calls/s: all calls over all rounds' wall time, range of the rounds'; CPU: the server process's, per call)",
);
const header = [
  "workload",
  "mode",
  "transport",
  "p50",
  "p99",
  "calls/s (rounds)",
  "server CPU/call",
  "calls/s per server core",
  "bench CPU/call",
  "http/stdio",
];
const rows = [header];
for (const workload of Object.keys(WORKLOADS)) {
  for (const mode of Object.keys(modes)) {
    const summary = {};
    for (const name of Object.keys(transports)) {
      const rounds = results[`${workload}|${mode}|${name}`];
      const samples = rounds.flatMap((r) => r.samples);
      const calls = rounds.reduce((a, r) => a + r.calls, 0);
      const elapsed = rounds.reduce((a, r) => a + r.elapsed, 0);
      const perRound = rounds.map((r) => r.calls / (r.elapsed / 1000));
      const cpu = rounds.reduce((a, r) => a + r.serverCpu, 0) / calls;
      summary[name] = {
        p50: median(samples),
        p99: quantile(samples, 0.99),
        perSecond: calls / (elapsed / 1000),
        range: `${Math.min(...perRound).toFixed(0)}-${Math.max(...perRound).toFixed(0)}`,
        cpu,
        bench: rounds.reduce((a, r) => a + r.benchCpu, 0) / calls,
      };
    }
    for (const name of Object.keys(transports)) {
      const s = summary[name];
      const ratio =
        name === "http"
          ? `p50 ${(s.p50 / summary.stdio.p50).toFixed(2)}x, calls/s ${(s.perSecond / summary.stdio.perSecond).toFixed(2)}x, CPU ${(s.cpu / summary.stdio.cpu).toFixed(2)}x`
          : "";
      rows.push([
        workload,
        mode,
        name,
        ms(s.p50),
        ms(s.p99),
        `${s.perSecond.toFixed(0)} (${s.range})`,
        ms(s.cpu),
        (1000 / s.cpu).toFixed(0),
        ms(s.bench),
        ratio,
      ]);
    }
  }
}
const widths = header.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
for (const r of rows) out(`   ${r.map((v, i) => String(v).padEnd(widths[i])).join("  ")}`);
if (perCallProblems.length)
  out(`   server warnings: ${perCallProblems.length}, first: ${perCallProblems[0]}`);

// --- 2. memory per signed-in session --------------------------------------------------------------

const server = await startRemote("sessions", ["--expose-gc", "--import", here("./gc-on-signal.mjs")]);
const memoryAt = async (signIns) => {
  await new Promise((r) => setTimeout(r, 1000));
  const before = rssBytes(server.pid);
  const collected = await server.collect();
  await new Promise((r) => setTimeout(r, 500));
  return {
    signIns,
    rss: before,
    rssCollected: rssBytes(server.pid),
    heap: collected.heapUsed,
    external: collected.external,
  };
};
const memory = [await memoryAt(0)];
// One more sign-in, made after the first reading: its calls, at 0, 100 and SIGN_INS sign-ins, say
// whether a call costs more when the server holds more sessions.
const probe = await signIn(server.url, { person: GRACE_GID, localAddress: addressOf(SIGN_INS + 1) });
const probeCalls = async (signIns) => {
  const client = await connectHttp(server.url, probe.accessToken, false);
  const once = callOnce(client, WORKLOADS["list_projects (100)"]);
  for (let i = 0; i < REWARM; i++) await once();
  const m = await measure(server.pid, once, 1, CALLS);
  await client.close();
  return { signIns, p50: median(m.samples), cpu: m.serverCpu / m.calls };
};
const probes = [await probeCalls(0)];
const signInTimes = [];
const tokens = [];
let signInErrors = 0;
let firstSignInError;
async function signInBatch(from, to) {
  let next = from;
  await Promise.all(
    Array.from({ length: SIGN_IN_PARALLEL }, async () => {
      for (let i = next++; i < to; i = next++) {
        try {
          const start = performance.now();
          const t = await signIn(server.url, { person: GRACE_GID, localAddress: addressOf(i + 1) });
          signInTimes[i] = performance.now() - start;
          const client = await connectHttp(server.url, t.accessToken, false);
          await callOnce(client, WORKLOADS.whoami)();
          await client.close();
          tokens[i] = t.accessToken;
        } catch (error) {
          signInErrors++;
          firstSignInError ??= error;
        }
      }
    }),
  );
}
const batchStart = performance.now();
await signInBatch(0, 100);
const first100 = performance.now() - batchStart;
memory.push(await memoryAt(100));
probes.push(await probeCalls(100));
const restStart = performance.now();
await signInBatch(100, SIGN_INS);
const rest = performance.now() - restStart;
memory.push(await memoryAt(SIGN_INS));
probes.push(await probeCalls(SIGN_INS));
const storeBytes = statSync(server.storePath).size;

out(`\n2. Memory per signed-in session (each sign-in its own client and grant, then one whoami call)`);
out("   sign-ins  RSS        RSS after full GC  heap used after GC  external");
for (const m of memory)
  out(
    `   ${String(m.signIns).padEnd(8)}  ${mb(m.rss).padEnd(9)}  ${mb(m.rssCollected).padEnd(17)}  ${mb(m.heap).padEnd(18)}  ${mb(m.external)}`,
  );
const per = (a, b, key) => (b[key] - a[key]) / (b.signIns - a.signIns);
for (const [a, b] of [
  [memory[0], memory[1]],
  [memory[1], memory[2]],
  [memory[0], memory[2]],
])
  out(
    `   per session, ${a.signIns}->${b.signIns}: RSS ${kb(per(a, b, "rss"))}, RSS after GC ${kb(per(a, b, "rssCollected"))}, heap ${kb(per(a, b, "heap"))}`,
  );
out(
  `   one session's list_projects (100), ${CALLS} in a row, with 0 / 100 / ${SIGN_INS} other sign-ins held: p50 ${probes.map((p) => ms(p.p50)).join(" / ")}, server CPU per call ${probes.map((p) => ms(p.cpu)).join(" / ")}`,
);
const hundreds = [];
for (let i = 0; i + 100 <= SIGN_INS; i += 100)
  hundreds.push(median(signInTimes.slice(i, i + 100).filter(Boolean)));
out(
  `   sign-in (register to tokens, ${SIGN_IN_PARALLEL} at once), p50 per hundred: ${hundreds.map((v) => v.toFixed(1)).join(" ")} ms`,
);
out(
  `   sign-ins per second (with the call): first 100 ${(100 / (first100 / 1000)).toFixed(0)}, next ${SIGN_INS - 100} ${((SIGN_INS - 100) / (rest / 1000)).toFixed(0)}; store file ${mb(storeBytes)} at the end; sign-in errors ${signInErrors}${firstSignInError ? ` (first: ${firstSignInError.message})` : ""}`,
);

// --- 3. 100 sessions at once ----------------------------------------------------------------------

const sessionTokens = tokens.filter(Boolean).slice(-SESSIONS);
const clients = await Promise.all(sessionTokens.map((t) => connectHttp(server.url, t, false)));
const burst = async (sequential) => {
  const samples = [];
  const errors = [];
  const cpu = cpuMs(server.pid);
  const began = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      const once = callOnce(client, WORKLOADS["list_projects (100)"]);
      const timed = async () => {
        const start = performance.now();
        try {
          await once();
          samples.push(performance.now() - start);
        } catch (error) {
          errors.push(error);
        }
      };
      if (sequential) for (let i = 0; i < CALLS_PER_SESSION; i++) await timed();
      else await Promise.all(Array.from({ length: CALLS_PER_SESSION }, timed));
    }),
  );
  return { samples, errors, elapsed: performance.now() - began, cpu: cpuMs(server.pid) - cpu };
};
const bursts = { "all 1,000 at once": await burst(false), "each client 10 in a row": await burst(true) };
await Promise.all(clients.map((c) => c.close()));

out(
  `\n3. ${clients.length} signed-in clients at once, ${CALLS_PER_SESSION} list_projects (100) calls each, on the server holding ${SIGN_INS} sessions`,
);
for (const [name, b] of Object.entries(bursts)) {
  const calls = b.samples.length + b.errors.length;
  out(
    `   ${name.padEnd(24)} total ${ms(b.elapsed)}, ${(calls / (b.elapsed / 1000)).toFixed(0)} calls/s, p50 ${ms(median(b.samples))}, p99 ${ms(quantile(b.samples, 0.99))}, server CPU ${ms(b.cpu / calls)}/call, errors ${b.errors.length}/${calls}${b.errors[0] ? ` (first: ${b.errors[0].message})` : ""}`,
  );
}
if (server.problems.length)
  out(`   server warnings: ${server.problems.length}, first: ${server.problems[0]}`);
await server.close();
out(`\nload average ${loadavg()[0].toFixed(2)} at the end`);
rmSync(scratch, { recursive: true, force: true });

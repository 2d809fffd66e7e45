// `npm run build && node bench/percall.mjs`: asana-mcp's per-call overhead over a raw undici request
// to the same sandbox Asana (with request(), and with dispatch() as asana-mcp sends it), and over a
// bare SDK server sending that request the same way (the bare server's `*_http` tools: the SDK's
// cost with none of asana-mcp's code), measured in alternating rounds so that the machine's noise
// hits every variant alike. Prints, per variant, the median of the rounds' p50s and the CPU each call costs the
// server process and the bench process (the MCP client, or the raw request), then the differences
// that matter. A benchmark, not a test.
//
// The sandbox Asana runs in its own process (BENCH_FAKE=inline: in the bench process; see
// bench/sandbox.mjs). BENCH_CALLS calls per round (default 100), BENCH_ROUNDS rounds (default 15:
// short rounds pair the variants closely in time, and a shared machine's speed drifts over minutes),
// BENCH_ONLY a regular expression choosing variants, BENCH_SERVER_ARGS node flags for the servers
// (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { DEMO_TASK_GID, SANDBOX_TOKENS } from "../dist/sandbox/demo-data.js";
import { asanaPaths } from "./asana-http.mjs";
import { rawRequester, startSandbox } from "./sandbox.mjs";

const CALLS = Number(process.env.BENCH_CALLS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP = 30;
const here = (path) => new URL(path, import.meta.url).pathname;

const sandbox = await startSandbox();
const baseUrl = sandbox.baseUrl;
const raw = rawRequester(baseUrl);
const workspace = (await raw.send("GET", "/users/me?opt_fields=workspaces")).data.workspaces[0].gid;

async function connect(args, env = {}) {
  const extra = (process.env.BENCH_SERVER_ARGS ?? "").split(" ").filter(Boolean);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...extra, ...args],
    env: { PATH: process.env.PATH ?? "", ASANA_LOG_LEVEL: "error", ...env },
    stderr: "inherit",
  });
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(transport);
  await client.listTools();
  return { client, pid: transport.pid, transport };
}

/** utime + stime of a process, in ms (clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function measure(pid, once) {
  for (let i = 0; i < WARMUP; i++) await once();
  const samples = [];
  const serverCpu = pid ? cpuMs(pid) : 0;
  const selfCpu = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    await once();
    samples.push(performance.now() - start);
  }
  const self = process.cpuUsage(selfCpu);
  samples.sort((a, b) => a - b);
  return {
    p50: samples[Math.floor(CALLS / 2)],
    serverCpu: pid ? (cpuMs(pid) - serverCpu) / CALLS : 0,
    benchCpu: (self.user + self.system) / 1000 / CALLS,
  };
}

const rawCall = (method, path, body) => () => raw.send(method, path, body);
const rawDispatch = (method, path, body) => () => raw.dispatch(method, path, body);
const tool = (client, name, args) => async () => {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
};

const ours = await connect([here("../dist/index.js")], {
  ASANA_BASE_URL: baseUrl,
  ASANA_PAT: SANDBOX_TOKENS.pat,
  ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
});
const bare = await connect([here("./bare-server.mjs")], {
  BARE_ASANA_URL: baseUrl,
  BARE_ASANA_TOKEN: SANDBOX_TOKENS.pat,
  BARE_ASANA_WRITE_TOKEN: SANDBOX_TOKENS.bot,
});
await new Promise((r) => setTimeout(r, 500)); // identities resolved

const projectsPath = asanaPaths.projects(workspace);
const commentPath = asanaPaths.comment(DEMO_TASK_GID);
const comment = { text: "bench comment" };
const variants = {
  "raw undici, 100 projects": [undefined, rawCall("GET", projectsPath)],
  "raw undici dispatch, 100 projects": [undefined, rawDispatch("GET", projectsPath)],
  "asana-mcp list_projects (100)": [
    ours.pid,
    tool(ours.client, "list_projects", { workspace_gid: workspace, limit: 100 }),
  ],
  "bare SDK, same page, no HTTP": [bare.pid, tool(bare.client, "list_projects", { limit: 100 })],
  "bare SDK + dispatch, 100 projects": [
    bare.pid,
    tool(bare.client, "list_projects_http", { workspace_gid: workspace, limit: 100 }),
  ],
  "raw undici, comment": [undefined, rawCall("POST", commentPath, comment)],
  "raw undici dispatch, comment": [undefined, rawDispatch("POST", commentPath, comment)],
  "asana-mcp create_comment": [
    ours.pid,
    tool(ours.client, "create_comment", { task_gid: DEMO_TASK_GID, ...comment }),
  ],
  "bare SDK + dispatch, comment": [
    bare.pid,
    tool(bare.client, "create_comment_http", { task_gid: DEMO_TASK_GID, ...comment }),
  ],
  "asana-mcp whoami (no HTTP)": [ours.pid, tool(ours.client, "whoami", {})],
};
// BENCH_ONLY: a regular expression choosing variants (e.g. to profile one tool alone).
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
for (const name of Object.keys(variants)) if (only && !only.test(name)) delete variants[name];
const results = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
// One unmeasured pass first, so that round 1 does not measure the JIT compiling the hot paths.
for (const [, once] of Object.values(variants)) for (let i = 0; i < 100; i++) await once();
const connectionsBefore = await sandbox.connections();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, [pid, once]] of Object.entries(variants)) results[name].push(await measure(pid, once));
}
const newConnections = (await sandbox.connections()) - connectionsBefore;
await ours.client.close();
await bare.client.close();
await raw.close();
await sandbox.close();

const med = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
// CPU is read in 10 ms clock ticks: its mean over the rounds, not a median of coarse values.
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const f = (v) => v.toFixed(2).padStart(6);
process.stdout.write(
  `${ROUNDS} rounds x ${CALLS} calls, node ${process.version}, sandbox Asana ${sandbox.inline ? "in the bench process" : "in its own process"}; median over rounds (min-max of round p50s)\n`,
);
process.stdout.write(
  `${"variant".padEnd(32)}   p50 ms  (range)         server CPU ms/call  bench CPU ms/call\n`,
);
for (const [name, rounds] of Object.entries(results)) {
  const p50s = rounds.map((r) => r.p50);
  process.stdout.write(
    `${name.padEnd(32)} ${f(med(p50s))}  (${f(Math.min(...p50s))}-${f(Math.max(...p50s))})  ${f(mean(rounds.map((r) => r.serverCpu)))}              ${f(mean(rounds.map((r) => r.benchCpu)))}\n`,
  );
}
// Per round, so that each difference pairs measures taken seconds apart.
const over = (a, b) => {
  if (!results[a] || !results[b]) return;
  const d = results[a].map((r, i) => r.p50 - results[b][i].p50);
  process.stdout.write(
    `${a} over ${b}: ${med(d) >= 0 ? "+" : ""}${med(d).toFixed(2)} ms (rounds ${Math.min(...d).toFixed(2)} to ${Math.max(...d).toFixed(2)})\n`,
  );
};
process.stdout.write("\n");
over("asana-mcp list_projects (100)", "raw undici, 100 projects");
over("asana-mcp list_projects (100)", "raw undici dispatch, 100 projects");
over("bare SDK + dispatch, 100 projects", "raw undici, 100 projects");
over("asana-mcp list_projects (100)", "bare SDK + dispatch, 100 projects");
over("asana-mcp create_comment", "raw undici, comment");
over("asana-mcp create_comment", "raw undici dispatch, comment");
over("bare SDK + dispatch, comment", "raw undici, comment");
over("asana-mcp create_comment", "bare SDK + dispatch, comment");
process.stdout.write(
  `new TCP connections to the sandbox Asana during the rounds: ${newConnections} (0 = keep-alive reused)\n`,
);

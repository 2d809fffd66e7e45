// `npm run build && node bench/percall.mjs`: asana-mcp's per-call overhead over a raw undici request
// to the same sandbox Asana, measured in alternating rounds so that the machine's noise hits every
// variant alike. Prints, per variant, the median of the rounds' p50s, and the CPU each call costs
// the server process and the bench process (client + sandbox Asana). A benchmark, not a test.
//
// BENCH_FAKE=process runs the sandbox Asana in a process of its own (see fake-process.mjs).
// BENCH_CALLS calls per round (default 300), BENCH_ROUNDS rounds (default 5), BENCH_ONLY a regular
// expression choosing variants. BENCH_SERVER_ARGS adds node flags to the asana-mcp server (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
import { fork } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Agent, request } from "undici";
import { DEMO_TASK_GID, demoData, SANDBOX_TOKENS } from "../dist/sandbox/demo-data.js";
import { FakeAsana } from "../dist/sandbox/fake-asana.js";

const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP = 50;
const here = (path) => new URL(path, import.meta.url).pathname;
const inProcess = process.env.BENCH_FAKE !== "process";

/** The sandbox Asana in this process (default) or, with BENCH_FAKE=process, in a child process. */
async function startSandbox() {
  if (inProcess) {
    const fake = new FakeAsana(demoData());
    const url = `${await fake.listen(0)}/api/1.0`;
    let count = 0;
    fake.server.on("connection", () => count++);
    return { baseUrl: url, connections: async () => count, close: () => fake.close() };
  }
  const child = fork(here("./fake-process.mjs"), { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const [{ baseUrl: url }] = await once(child, "message");
  return {
    baseUrl: url,
    connections: async () => {
      child.send("connections");
      return (await once(child, "message"))[0].connections;
    },
    close: async () => {
      child.send("close");
      await once(child, "exit");
    },
  };
}

const sandbox = await startSandbox();
const baseUrl = sandbox.baseUrl;
const agent = new Agent({ keepAliveTimeout: 10_000 });
const workspace = (
  await (
    await request(`${baseUrl}/users/me?opt_fields=workspaces`, {
      dispatcher: agent,
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
    })
  ).body.json()
).data.workspaces[0].gid;
const projectsPath = `/projects?workspace=${workspace}&archived=false&limit=100&opt_fields=name,archived,team.name`;

async function connect(args, env = {}) {
  const extra = (process.env.BENCH_SERVER_ARGS ?? "").split(" ").filter(Boolean);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...(args[0].endsWith("index.js") ? extra : []), ...args],
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

const raw = (method, path, body) => async () => {
  const response = await request(`${baseUrl}${path}`, {
    dispatcher: agent,
    method,
    headers: {
      authorization: `Bearer ${SANDBOX_TOKENS.pat}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify({ data: body }) : undefined,
  });
  JSON.parse(await response.body.text());
};
const tool = (client, name, args) => async () => {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
};

const ours = await connect([here("../dist/index.js")], {
  ASANA_BASE_URL: baseUrl,
  ASANA_PAT: SANDBOX_TOKENS.pat,
  ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
});
const bare = await connect([here("./bare-server.mjs")]);
await new Promise((r) => setTimeout(r, 500)); // identities resolved

const variants = {
  "raw undici, 100 projects": [undefined, raw("GET", projectsPath)],
  "asana-mcp list_projects (100)": [
    ours.pid,
    tool(ours.client, "list_projects", { workspace_gid: workspace, limit: 100 }),
  ],
  "bare SDK, same page, no HTTP": [bare.pid, tool(bare.client, "list_projects", { limit: 100 })],
  "raw undici, comment": [
    undefined,
    raw("POST", `/tasks/${DEMO_TASK_GID}/stories`, { text: "bench comment" }),
  ],
  "asana-mcp create_comment": [
    ours.pid,
    tool(ours.client, "create_comment", { task_gid: DEMO_TASK_GID, text: "bench comment" }),
  ],
  "asana-mcp whoami (no HTTP)": [ours.pid, tool(ours.client, "whoami", {})],
};
// BENCH_ONLY: a regular expression choosing variants (e.g. to profile one tool alone).
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
for (const name of Object.keys(variants)) if (only && !only.test(name)) delete variants[name];
const results = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
const connectionsBefore = await sandbox.connections();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, [pid, once]] of Object.entries(variants)) results[name].push(await measure(pid, once));
}
const newConnections = (await sandbox.connections()) - connectionsBefore;
await ours.client.close();
await bare.client.close();
await agent.close();
await sandbox.close();

const med = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const f = (v) => v.toFixed(2).padStart(6);
process.stdout.write(
  `${ROUNDS} rounds x ${CALLS} calls, node ${process.version}, sandbox Asana ${inProcess ? "in the bench process" : "in its own process"}; median over rounds (min-max of round p50s)\n`,
);
process.stdout.write(
  `${"variant".padEnd(32)}   p50 ms  (range)         server CPU ms/call  bench CPU ms/call\n`,
);
for (const [name, rounds] of Object.entries(results)) {
  const p50s = rounds.map((r) => r.p50);
  process.stdout.write(
    `${name.padEnd(32)} ${f(med(p50s))}  (${f(Math.min(...p50s))}-${f(Math.max(...p50s))})  ${f(med(rounds.map((r) => r.serverCpu)))}              ${f(med(rounds.map((r) => r.benchCpu)))}\n`,
  );
}
process.stdout.write(
  `new TCP connections to the sandbox Asana during the rounds: ${newConnections} (0 = keep-alive reused)\n`,
);

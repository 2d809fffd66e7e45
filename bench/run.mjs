// `npm run bench`: start-up, per-call latency and idle memory of the built server, side by side
// with a bare SDK server and a raw undici request, all against the sandbox Asana on 127.0.0.1.
// Prints a table of medians and ratios; a benchmark, not a test: nothing here passes or fails.
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { request } from "undici";
import { demoData, SANDBOX_TOKENS } from "../dist/sandbox/demo-data.js";
import { FakeAsana } from "../dist/sandbox/fake-asana.js";

const STARTS = Number(process.env.BENCH_STARTS ?? 15);
const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const bin = new URL("../dist/index.js", import.meta.url).pathname;
const bare = new URL("./bare-server.mjs", import.meta.url).pathname;

const fake = new FakeAsana(demoData());
const baseUrl = `${await fake.listen(0)}/api/1.0`;
const env = {
  PATH: process.env.PATH ?? "",
  ASANA_BASE_URL: baseUrl,
  ASANA_PAT: SANDBOX_TOKENS.pat,
  ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
  ASANA_LOG_LEVEL: "error",
};

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const ms = (v) => `${v.toFixed(2)} ms`;

async function connect(args) {
  const transport = new StdioClientTransport({ command: process.execPath, args, env, stderr: "ignore" });
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(transport);
  return { client, pid: transport.pid };
}

/** Spawn to the tools/list answer, as an MCP client experiences it. */
async function coldStart(args) {
  const times = [];
  for (let i = 0; i < STARTS; i++) {
    const start = performance.now();
    const { client } = await connect(args);
    await client.listTools();
    times.push(performance.now() - start);
    await client.close();
  }
  return times;
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function perCall(args, name, callArgs) {
  const { client, pid } = await connect(args);
  await client.listTools();
  await new Promise((r) => setTimeout(r, 500)); // identities resolved, JIT warm-ish
  for (let i = 0; i < 20; i++) await client.callTool({ name, arguments: callArgs });
  const before = fake.requests.length;
  const times = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    const result = await client.callTool({ name, arguments: callArgs });
    times.push(performance.now() - start);
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  }
  const requestsPerCall = (fake.requests.length - before) / CALLS;
  await new Promise((r) => setTimeout(r, 300));
  const rss = rssMb(pid);
  const last = await client.callTool({ name, arguments: callArgs });
  const chars = JSON.stringify(last.structuredContent).length;
  await client.close();
  return { times, requestsPerCall, rss, chars };
}

async function rawUndici(path) {
  const times = [];
  for (let i = 0; i < CALLS + 20; i++) {
    const start = performance.now();
    const response = await request(`${baseUrl}${path}`, {
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
    });
    await response.body.text();
    if (i >= 20) times.push(performance.now() - start);
  }
  return times;
}

async function idleRss(args) {
  const { client, pid } = await connect(args);
  await client.listTools();
  await new Promise((r) => setTimeout(r, 1000));
  const rss = rssMb(pid);
  await client.close();
  return rss;
}

const ours = await coldStart([bin]);
const floor = await coldStart([bare]);
const oursRss = await idleRss([bin]);
const bareRss = await idleRss([bare]);
const whoami = await perCall([bin], "whoami", {});
const projects = await perCall([bin], "list_projects", { workspace_gid: await firstWorkspace(), limit: 100 });
const raw = await rawUndici(
  "/projects?workspace=" +
    (await firstWorkspace()) +
    "&limit=100&archived=false&opt_fields=name,archived,team.name",
);
const { tools } = await listToolsOnce();
await fake.close();

const rows = [
  [
    "cold start to tools/list (p50)",
    ms(quantile(ours, 0.5)),
    ms(quantile(floor, 0.5)),
    `${(quantile(ours, 0.5) / quantile(floor, 0.5)).toFixed(2)}x bare`,
  ],
  ["cold start to tools/list (p95)", ms(quantile(ours, 0.95)), ms(quantile(floor, 0.95)), ""],
  [
    "RSS at idle",
    `${oursRss.toFixed(1)} MB`,
    `${bareRss.toFixed(1)} MB`,
    `${(oursRss / bareRss).toFixed(2)}x bare`,
  ],
  [
    "whoami p50 / p95",
    `${ms(quantile(whoami.times, 0.5))} / ${ms(quantile(whoami.times, 0.95))}`,
    "",
    `${whoami.requestsPerCall.toFixed(2)} Asana requests per call`,
  ],
  [
    "list_projects (100) p50 / p95",
    `${ms(quantile(projects.times, 0.5))} / ${ms(quantile(projects.times, 0.95))}`,
    `raw undici ${ms(quantile(raw, 0.5))}`,
    `+${ms(quantile(projects.times, 0.5) - quantile(raw, 0.5))} over raw at p50; ${projects.requestsPerCall.toFixed(2)} requests per call`,
  ],
  [
    "list_projects result size",
    `${projects.chars} chars`,
    "",
    `${(projects.chars / 100).toFixed(0)} chars per project`,
  ],
  ["tools/list size", `${JSON.stringify(tools).length} chars`, "", `${tools.length} tools`],
];
const widths = [0, 1, 2, 3].map((i) =>
  Math.max(...rows.map((r) => r[i].length), ["measure", "asana-mcp", "bare SDK / raw", "ratio"][i].length),
);
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
process.stdout.write(
  `asana-mcp bench: node ${process.version}, ${STARTS} starts, ${CALLS} calls each, against the sandbox Asana on 127.0.0.1\n\n`,
);
process.stdout.write(
  `${line(["measure", "asana-mcp", "bare SDK / raw", "ratio"])}\n${line(widths.map((w) => "-".repeat(w)))}\n`,
);
for (const row of rows) process.stdout.write(`${line(row)}\n`);

async function firstWorkspace() {
  const response = await request(`${baseUrl}/users/me?opt_fields=workspaces`, {
    headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
  });
  return (await response.body.json()).data.workspaces[0].gid;
}

async function listToolsOnce() {
  const { client } = await connect([bin]);
  await new Promise((r) => setTimeout(r, 500));
  const list = await client.listTools();
  await client.close();
  return list;
}

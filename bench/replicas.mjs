// `npm run bench:replicas` (or `npm run build && node bench/replicas.mjs`): remote mode scaled out
// on one PostgreSQL. Each replica is startRemoteServer (dist/http/server.js) in a process of its
// own (bench/replica-process.mjs), all in front of one sandbox Asana in another process
// (bench/fake-process.mjs, showing its sign-in page) and one throwaway PostgreSQL
// (bench/postgres.mjs). A round-robin proxy in this process is the deployment's public URL: people
// sign in (bench/remote-client.mjs) and call through it, with one replica as with two, so its hop
// is in every figure alike. A benchmark, not a test.
//
// 1. Throughput: 20 callers at once calling get_task on the demo task as the signed-in person for
//    BENCH_SECONDS (10) each: the embedded file store with 1 replica, PostgreSQL with 1 and with 2.
// 2. Refresh under contention: 2 replicas, 50 calls at once (25 to each) right after the fake
//    expired the person's Asana access token: time until all answered, and Asana refreshes seen.
// 3. The shared rate budget per call: get_task and update_task as the shared bot, one caller,
//    PostgreSQL (shared limits on) beside the embedded store (off) and beside the person's own
//    token on PostgreSQL (no shared identity, so no budget: PostgreSQL's other costs alone), in
//    alternating rounds of BENCH_CALLS (100) for BENCH_ROUNDS (5); store operations per call are
//    counted in the replicas. BENCH_PG_FSYNC=off runs PostgreSQL without fsync (default on).
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, createServer, request as httpRequest } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { DEMO_TASK_GID } from "../dist/sandbox/demo-data.js";
import { startPostgres } from "./postgres.mjs";
import { GRACE_GID, signIn } from "./remote-client.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CALLERS = 20;
const CONTENDERS = 50;
const REFRESH_ROUNDS = 3;
const CALLS = Number(process.env.BENCH_CALLS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const APP = { clientId: "1209999000000077", clientSecret: "bench-remote-app-secret-3c9d1e7a55" };
const scratch = mkdtempSync(join(tmpdir(), "asana-mcp-bench-replicas-"));
const out = (line = "") => process.stdout.write(`${line}\n`);

// --- the processes --------------------------------------------------------------------------------

function ipc(child) {
  return async (question) => {
    child.send(question);
    const [answer] = await once(child, "message");
    return answer[question];
  };
}

const fakeChild = fork(new URL("./fake-process.mjs", import.meta.url), {
  env: {
    ...process.env,
    BENCH_FAKE_SIGN_IN_PAGE: "1",
    BENCH_FAKE_APP: JSON.stringify({ ...APP, redirectUris: ["http://127.0.0.1/oauth/callback"] }),
  },
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const [{ baseUrl }] = await once(fakeChild, "message");
const askFake = ipc(fakeChild);
const postgres = await startPostgres();

/**
 * A deployment's public URL: round robin, request by request, over its replicas (a replica
 * answers to the public URL's host only, so callers cannot skip it), over kept-alive connections
 * as a load balancer's are.
 */
async function startProxy(targets) {
  let next = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const proxy = createServer((req, res) => {
    const port = targets[next++ % targets.length];
    const upstream = httpRequest(
      { host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstream);
  });
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  return {
    url: `http://127.0.0.1:${proxy.address().port}`,
    close() {
      proxy.close();
      proxy.closeAllConnections();
      agent.destroy();
    },
  };
}

/** `count` replicas on a fresh PostgreSQL database, or one on a fresh embedded file. */
async function deploy(store, count, env = {}) {
  const target =
    store === "postgres"
      ? await postgres.freshDatabase()
      : join(mkdtempSync(join(scratch, "file-")), "store.json");
  const targets = [];
  const proxy = await startProxy(targets);
  const publicUrl = proxy.url;
  const children = [];
  for (let i = 0; i < count; i++) {
    const child = fork(new URL("./replica-process.mjs", import.meta.url), {
      env: {
        ...process.env,
        BENCH_STORE: target,
        BENCH_BASE_URL: baseUrl,
        BENCH_PUBLIC_URL: publicUrl,
        BENCH_APP: JSON.stringify(APP),
        BENCH_ENV: JSON.stringify(env),
      },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    // The server's info lines (sign-ins, who the bot is) are noise here; warnings and errors are not.
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text) => {
      for (const line of text.split("\n"))
        if (line && !line.startsWith("asana-mcp info:")) process.stderr.write(`${line}\n`);
    });
    const [{ port }] = await once(child, "message");
    children.push({ child, port, ask: ipc(child) });
    targets.push(port);
  }
  await new Promise((r) => setTimeout(r, 300)); // the shared identities resolved
  return {
    url: publicUrl,
    pids: children.map((c) => c.child.pid),
    /** Store operations on every replica since the last ask, summed by name. */
    async counts() {
      const sum = {};
      for (const c of children)
        for (const [name, n] of Object.entries(await c.ask("counts"))) sum[name] = (sum[name] ?? 0) + n;
      return sum;
    },
    async close() {
      proxy.close();
      for (const c of children) {
        c.child.send("close");
        if (c.child.exitCode === null) await once(c.child, "exit");
      }
    },
  };
}

let signIns = 0;
const addressOf = () => {
  signIns++;
  return `127.78.${Math.floor(signIns / 250) % 250}.${(signIns % 250) + 1}`;
};

async function connect(publicUrl, accessToken) {
  const transport = new StreamableHTTPClientTransport(new URL(`${publicUrl}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${accessToken}` } },
  });
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

const getTask = (client) => call(client, "get_task", { task_gid: DEMO_TASK_GID });
let edits = 0;
const updateTask = (client) =>
  call(client, "update_task", { task_gid: DEMO_TASK_GID, notes: `bench ${++edits}` });
async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content).slice(0, 300)}`);
}

// --- measures -------------------------------------------------------------------------------------

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const median = (values) => quantile(values, 0.5);
const ms = (v) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

/** Busy and total jiffies of the whole machine (/proc/stat's first line). */
function machineJiffies() {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + fields[4];
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** utime + stime in ms of the given processes; "postgres" sums every PostgreSQL server process. */
function cpuMs(pids) {
  let sum = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      sum += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // Gone (a PostgreSQL backend that ended).
    }
  }
  return sum;
}
function postgresPids() {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, "utf8").trim().startsWith("postgres");
      } catch {
        return false;
      }
    });
}

/** 20 callers, each on its own client pinned to replica i % n, calling for SECONDS. */
async function throughput(label, store, count) {
  const deployment = await deploy(store, count);
  const { accessToken } = await signIn(`${deployment.url}/mcp`, {
    person: GRACE_GID,
    localAddress: addressOf(),
  });
  const clients = await Promise.all(
    Array.from({ length: CALLERS }, () => connect(deployment.url, accessToken)),
  );
  // Warm-up: connections, JIT, the person's session on every replica.
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < 20; i++) await getTask(c);
    }),
  );
  const samples = [];
  let errors = 0;
  const pg = postgresPids();
  const cpu = { replicas: cpuMs(deployment.pids), fake: cpuMs([fakeChild.pid]), postgres: cpuMs(pg) };
  const self = process.cpuUsage();
  const machine = machineJiffies();
  const began = performance.now();
  const until = began + SECONDS * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < until) {
        const start = performance.now();
        try {
          await getTask(client);
          samples.push(performance.now() - start);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = performance.now() - began;
  const after = machineJiffies();
  const bench = process.cpuUsage(self);
  const used = {
    replicas: cpuMs(deployment.pids) - cpu.replicas,
    fake: cpuMs([fakeChild.pid]) - cpu.fake,
    postgres: cpuMs(postgresPids()) - cpu.postgres,
    bench: (bench.user + bench.system) / 1000,
  };
  const counted = await deployment.counts();
  for (const c of clients) await c.close();
  await deployment.close();
  const calls = samples.length;
  const perCall = (v) => `${(v / calls).toFixed(2)}`;
  return {
    label,
    rate: calls / (elapsed / 1000),
    p50: median(samples),
    p99: quantile(samples, 0.99),
    errors,
    busy: (after.busy - machine.busy) / (after.total - machine.total),
    cpu: `replicas ${perCall(used.replicas)}, Asana fake ${perCall(used.fake)}, PostgreSQL ${perCall(used.postgres)}, bench clients ${perCall(used.bench)}`,
    // Counted since the deployment started: the sign-in's and the warm-up's operations included.
    storeOps: Object.entries(counted)
      .map(([op, n]) => `${op} ${(n / (calls + errors + CALLERS * 20)).toFixed(2)}`)
      .join(", "),
  };
}

// --- run ------------------------------------------------------------------------------------------

out(
  `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), PostgreSQL ${postgres.version} (fsync ${postgres.fsync}), load average ${loadavg()[0].toFixed(2)} at start`,
);
out(
  `\n1. get_task as the person, ${CALLERS} callers at once for ${SECONDS} s each (through the round-robin proxy)`,
);
const results = [];
for (const [label, store, count] of [
  ["embedded file, 1 replica", "file", 1],
  ["PostgreSQL, 1 replica", "postgres", 1],
  ["PostgreSQL, 2 replicas", "postgres", 2],
])
  results.push(await throughput(label, store, count));
for (const r of results)
  out(
    `  ${r.label.padEnd(26)} ${r.rate.toFixed(0).padStart(5)} calls/s  p50 ${ms(r.p50).padStart(8)}  p99 ${ms(r.p99).padStart(8)}  errors ${r.errors}  machine busy ${(r.busy * 100).toFixed(0)}%`,
  );
out("  store operations per call (sign-in and warm-up included):");
for (const r of results) out(`    ${r.label.padEnd(26)} ${r.storeOps}`);
out("  CPU ms per call:");
for (const r of results) out(`    ${r.label.padEnd(26)} ${r.cpu}`);

out(
  `\n2. refresh under contention: 2 replicas on PostgreSQL, ${CONTENDERS} calls at once right after Asana expired the person's access token`,
);
{
  const deployment = await deploy("postgres", 2);
  const { accessToken } = await signIn(`${deployment.url}/mcp`, {
    person: GRACE_GID,
    localAddress: addressOf(),
  });
  const clients = await Promise.all(
    Array.from({ length: CONTENDERS }, () => connect(deployment.url, accessToken)),
  );
  await Promise.all(clients.map((c) => getTask(c)));
  for (let round = 1; round <= REFRESH_ROUNDS; round++) {
    const before = await askFake("refreshes");
    await askFake("expire");
    const began = performance.now();
    const settled = await Promise.allSettled(clients.map((c) => getTask(c)));
    const elapsed = performance.now() - began;
    const refreshes = (await askFake("refreshes")) - before;
    const failed = settled.filter((s) => s.status === "rejected");
    out(
      `  round ${round}: all ${CONTENDERS} answered in ${ms(elapsed)}, ${failed.length} errors${failed.length ? ` (${String(failed[0].reason).slice(0, 120)})` : ""}, Asana refreshes: ${refreshes}`,
    );
  }
  for (const c of clients) await c.close();
  await deployment.close();
}

out(
  `\n3. the shared rate budget: the shared bot, one caller, ${ROUNDS} alternating rounds of ${CALLS} calls`,
);
{
  const bot = { ASANA_READ_AS: "bot", ASANA_WRITE_AS: "bot" };
  // The person's own token is no shared identity: PostgreSQL's other costs, without the budget.
  const person = { ASANA_READ_AS: "oauth", ASANA_WRITE_AS: "oauth" };
  const variants = [];
  for (const [label, store, env] of [
    ["bot, embedded file (limits off)", "file", bot],
    ["bot, PostgreSQL (limits on)", "postgres", bot],
    ["person, PostgreSQL (no budget)", "postgres", person],
  ]) {
    const deployment = await deploy(store, 1, env);
    const { accessToken } = await signIn(`${deployment.url}/mcp`, {
      person: GRACE_GID,
      localAddress: addressOf(),
    });
    const client = await connect(deployment.url, accessToken);
    variants.push({
      label,
      deployment,
      client,
      p50s: { get_task: [], update_task: [] },
      ops: { get_task: {}, update_task: {} },
    });
  }
  const tools = { get_task: getTask, update_task: updateTask };
  for (const v of variants)
    for (const once of Object.values(tools)) for (let i = 0; i < 30; i++) await once(v.client);
  for (const v of variants) await v.deployment.counts();
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, once] of Object.entries(tools))
      for (const v of variants) {
        const samples = [];
        for (let i = 0; i < CALLS; i++) {
          const start = performance.now();
          await once(v.client);
          samples.push(performance.now() - start);
        }
        v.p50s[name].push(median(samples));
        for (const [op, n] of Object.entries(await v.deployment.counts()))
          v.ops[name][op] = (v.ops[name][op] ?? 0) + n;
      }
  for (const name of Object.keys(tools)) {
    const [off, on, unbudgeted] = variants;
    out(`  ${name}:`);
    for (const v of variants) {
      const ops = Object.entries(v.ops[name])
        .map(([op, n]) => `${op} ${(n / (ROUNDS * CALLS)).toFixed(2)}`)
        .join(", ");
      out(`    ${v.label.padEnd(32)} p50 ${ms(median(v.p50s[name]))}  store ops/call: ${ops || "none"}`);
    }
    out(
      `    added per call at p50: ${ms(median(on.p50s[name]) - median(off.p50s[name]))} over the embedded store, ${ms(median(on.p50s[name]) - median(unbudgeted.p50s[name]))} over the person on PostgreSQL`,
    );
  }
  for (const v of variants) {
    await v.client.close();
    await v.deployment.close();
  }
}

fakeChild.send("close");
await postgres.stop();
rmSync(scratch, { recursive: true, force: true });

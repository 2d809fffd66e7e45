// One replica of the remote server in a process of its own (bench/replicas.mjs starts them):
// startRemoteServer from dist/, on PostgreSQL (BENCH_STORE=postgres://…) or the embedded file
// (BENCH_STORE=<path>), against the sandbox Asana at BENCH_BASE_URL, with BENCH_PUBLIC_URL as the
// deployment's public URL (the bench's proxy). BENCH_ENV (JSON) adds settings (ASANA_READ_AS…).
// Sends its port over IPC; "counts" answers how often each store operation ran since the last
// "counts" (a store operation is one database round trip on PostgreSQL, bar withLock's).
import { identitiesFromConfig } from "../dist/auth/identities.js";
import { loadConfig } from "../dist/config.js";
import { startRemoteServer } from "../dist/http/server.js";
import { SANDBOX_TOKENS } from "../dist/sandbox/demo-data.js";
import { keyringFrom } from "../dist/store/crypto.js";
import { openFileStore } from "../dist/store/json-file.js";
import { openPostgresStore } from "../dist/store/postgres.js";
import { ALL_TOOLS } from "../dist/tools/index.js";

// The same key on every replica: each decrypts what another stored.
const SECRET_KEY = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz";
/** The Asana app people sign in through (BENCH_APP: clientId, clientSecret). */
const APP = JSON.parse(process.env.BENCH_APP ?? "{}");

const target = process.env.BENCH_STORE ?? "";
const opened = target.startsWith("postgres://")
  ? await openPostgresStore(target)
  : await openFileStore(target);
const counts = {};
// Every operation counted by name: the bench divides by the calls it made.
const store = new Proxy(opened, {
  get(object, name) {
    const value = Reflect.get(object, name, object);
    if (typeof value !== "function" || typeof name !== "string") return value;
    return (...args) => {
      counts[name] = (counts[name] ?? 0) + 1;
      return value.apply(object, args);
    };
  },
});
const config = loadConfig({
  env: {
    ASANA_BASE_URL: process.env.BENCH_BASE_URL ?? "",
    ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
    ASANA_LOG_LEVEL: "error",
    ...JSON.parse(process.env.BENCH_ENV ?? "{}"),
  },
  cwd: "/",
});
const remote = await startRemoteServer({
  config,
  tools: ALL_TOOLS,
  version: "0.0.0-bench",
  store,
  keyring: keyringFrom(SECRET_KEY),
  sharedIdentities: identitiesFromConfig(config.tokens),
  app: { baseUrl: config.baseUrl, ...APP },
  host: "127.0.0.1",
  port: 0,
  publicUrl: new URL(process.env.BENCH_PUBLIC_URL ?? "http://127.0.0.1"),
  sandbox: false,
  rateLimits: { authorize: 100_000, token: 100_000, register: 100_000 },
});
process.send({ port: remote.port });
process.on("disconnect", () => process.exit(0));
process.on("message", async (message) => {
  if (message === "counts") {
    process.send({ counts: { ...counts } });
    for (const name of Object.keys(counts)) delete counts[name];
  }
  if (message === "close") {
    await remote.close(0);
    await opened.close();
    process.exit(0);
  }
});

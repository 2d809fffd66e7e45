// A throwaway PostgreSQL for benches (as test/helpers/postgres.ts starts for tests): a cluster in
// a temporary directory on a free loopback port, its socket in that directory. Debian's server
// binaries refuse to run as root, so as root the cluster belongs to `postgres` (through runuser).
//
//   import { startPostgres } from "./postgres.mjs";
//   const pg = await startPostgres(); const url = await pg.freshDatabase(); ...; await pg.stop();
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;

/** POSTGRES_BIN, else the newest /usr/lib/postgresql/<v>/bin holding initdb. */
function binDir() {
  const fromEnv = process.env.POSTGRES_BIN;
  if (fromEnv) return existsSync(join(fromEnv, "initdb")) ? fromEnv : undefined;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

async function pgBin(bin, name, args) {
  const [file, argv] = asRoot
    ? ["runuser", ["-u", "postgres", "--", join(bin, name), ...args]]
    : [join(bin, name), args];
  await run(file, argv, { env: { ...process.env, LC_ALL: "C" } });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** @returns {Promise<{ url: string, version: string, fsync: string, freshDatabase(): Promise<string>, stop(): Promise<void> }>} */
export async function startPostgres() {
  const bin = binDir();
  if (bin === undefined)
    throw new Error("no PostgreSQL server binaries (initdb) under /usr/lib/postgresql/*/bin");
  const dir = await mkdtemp(join(tmpdir(), "asana-mcp-bench-pg-"));
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    await chown(dir, uid, gid);
  }
  const data = join(dir, "db");
  const log = join(dir, "server.log");
  await pgBin(bin, "initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "-A",
    "trust",
    "--no-sync",
    "--no-locale",
    "-E",
    "UTF8",
  ]);
  let port = 0;
  // A free port can be taken between the probe and the server's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    // Durability as a production server has it (fsync on) unless BENCH_PG_FSYNC=off: each write
    // the budget makes commits, and a commit waits for its WAL flush.
    const fsync = process.env.BENCH_PG_FSYNC === "off" ? "off" : "on";
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=200 -c fsync=${fsync}`;
    try {
      await pgBin(bin, "pg_ctl", ["-D", data, "-l", log, "-o", options, "-w", "-t", "30", "start"]);
      break;
    } catch (error) {
      if (attempt >= 3) {
        const tail = await readFile(log, "utf8").catch(() => "");
        await rm(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${String(error)}\n${tail.slice(-2000)}`);
      }
    }
  }
  const haltNow = () => {
    const args = ["-D", data, "-m", "immediate", "stop"];
    try {
      if (asRoot)
        execFileSync("runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), ...args], { stdio: "ignore" });
      else execFileSync(join(bin, "pg_ctl"), args, { stdio: "ignore" });
    } catch {
      // Already stopped.
    }
  };
  process.once("exit", haltNow);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    version: bin.split("/").at(-2) ?? "?",
    fsync: process.env.BENCH_PG_FSYNC === "off" ? "off" : "on",
    async freshDatabase() {
      const name = `b_${Math.random().toString(36).slice(2, 12)}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      process.removeListener("exit", haltNow);
      await pgBin(bin, "pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// A real PostgreSQL for tests: a throwaway cluster in a temporary directory, on a free loopback
// port, with its socket in that directory (never the system's). Debian's server binaries refuse
// to run as root, so as root the cluster belongs to the `postgres` user and the binaries run
// through runuser. One cluster per test file; tests that need isolation take a fresh database.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface TestPostgres {
  /** The cluster's `postgres` database, for creating others. */
  url: string;
  port: number;
  /** Stops the server (fast shutdown) and deletes the cluster: the end of the test file. */
  stop(): Promise<void>;
  /** A fast shutdown and a start on the same port, with the data kept. */
  restart(): Promise<void>;
  /** An immediate shutdown, as a crash would be: connections die, the data stays. */
  kill(): Promise<void>;
  /** Starts the server again after kill(), on the same port. */
  startAgain(): Promise<void>;
  /** A new empty database on this cluster (`t_<random>`), by URL. */
  freshDatabase(): Promise<string>;
}

/** The directory holding initdb and pg_ctl: POSTGRES_BIN, else the newest /usr/lib/postgresql/<v>/bin. */
function binDir(): string | undefined {
  const fromEnv = process.env.POSTGRES_BIN;
  if (fromEnv) return existsSync(join(fromEnv, "initdb")) ? fromEnv : undefined;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/**
 * Whether tests can start a PostgreSQL here. In CI a missing PostgreSQL is a failure, never a
 * skip: this throws, so the test file fails instead of passing with nothing run.
 */
/** A plain-text pg_dump of a database: everything it holds, as a backup would. */
export async function dumpDatabase(url: string): Promise<string> {
  const bin = binDir();
  if (!bin) throw new Error("no PostgreSQL binaries");
  const { stdout } = await run(join(bin, "pg_dump"), ["--no-owner", url], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export function postgresAvailable(): boolean {
  if (binDir() !== undefined) return true;
  if (process.env.CI)
    throw new Error(
      "PostgreSQL is required in CI: no initdb under /usr/lib/postgresql/*/bin (or POSTGRES_BIN)",
    );
  return false;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as the `postgres` user when we are root. */
async function pgBin(bin: string, name: string, args: string[]): Promise<void> {
  const [file, argv] = asRoot
    ? ["runuser", ["-u", "postgres", "--", join(bin, name), ...args]]
    : [join(bin, name), args];
  await run(file, argv, { env: { ...process.env, LC_ALL: "C" } });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Every cluster this process started, stopped at exit should a test file end without stop(). */
const running = new Set<() => void>();
process.once("exit", () => {
  for (const halt of running) halt();
});

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  if (bin === undefined) throw new Error("no PostgreSQL server binaries (initdb) found");
  const dir = await mkdtemp(join(tmpdir(), "asana-mcp-pg-"));
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
  const start = async (): Promise<void> => {
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`;
    try {
      await pgBin(bin, "pg_ctl", ["-D", data, "-l", log, "-o", options, "-w", "-t", "30", "start"]);
    } catch (error) {
      const tail = await readFile(log, "utf8").catch(() => "");
      throw new Error(`PostgreSQL did not start on port ${port}: ${String(error)}\n${tail.slice(-2000)}`);
    }
  };
  const halt = (mode: "fast" | "immediate") => pgBin(bin, "pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]);
  const haltAtExit = () => {
    try {
      const args = ["-D", data, "-m", "immediate", "stop"];
      if (asRoot)
        execFileSync("runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), ...args], { stdio: "ignore" });
      else execFileSync(join(bin, "pg_ctl"), args, { stdio: "ignore" });
    } catch {
      // Already stopped.
    }
  };

  // A free port can be taken between the probe and the server's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  running.add(haltAtExit);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

  return {
    url,
    port,
    async stop() {
      running.delete(haltAtExit);
      await halt("fast").catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt("fast");
      await start();
    },
    kill: () => halt("immediate"),
    startAgain: start,
    async freshDatabase() {
      const name = `t_${Math.random().toString(36).slice(2, 12)}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
  };
}

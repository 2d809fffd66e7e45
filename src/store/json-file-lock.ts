// The embedded store's lock file, `<store>.lock`, holding the pid of the process that has the
// store open. The file store is for one process: a second one would rewrite the file from its own
// memory and lose the first one's sign-ins, so it is refused with the way out (PostgreSQL).
import { open, readFile, rm, stat } from "node:fs/promises";
import { StoreUnavailableError } from "./types.js";

/** A lock file without a pid younger than this may be one being written by a process starting. */
const WRITING_MS = 10_000;

/**
 * Takes the lock file for this process. A lock of a process that is gone (or of this pid in an
 * earlier life: containers reuse pids) is taken over. Two processes taking over one stale lock in
 * the same instant can both succeed; the lock is a guard against a second `asana-mcp http` started
 * by mistake, not a consensus protocol.
 */
export async function acquireLockFile(lockPath: string): Promise<void> {
  const storePath = lockPath.replace(/\.lock$/, "");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockPath, "wx", 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`, "utf8");
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new StoreUnavailableError(
          `The lock file ${lockPath} cannot be created (${(error as NodeJS.ErrnoException).code}).`,
        );
      }
    }
    const holder = await readHolder(lockPath);
    if (holder === "gone") continue;
    if (holder === "unknown") {
      const age = await ageOf(lockPath);
      if (age !== undefined && age < WRITING_MS) {
        throw new StoreUnavailableError(
          `Another asana-mcp process is opening the store ${storePath} (lock file ${lockPath}). ` +
            "Several processes need a shared store: set ASANA_DATABASE_URL=postgres://….",
        );
      }
    } else if (holder !== process.pid && processRuns(holder)) {
      throw new StoreUnavailableError(
        `Another asana-mcp process (pid ${holder}) holds the store ${storePath}. ` +
          "Several processes need a shared store: set ASANA_DATABASE_URL=postgres://….",
      );
    }
    await rm(lockPath, { force: true });
  }
  throw new StoreUnavailableError(`The lock file ${lockPath} keeps changing; another process is using it.`);
}

/** Removes the lock file if it is still this process's. */
export async function releaseLockFile(lockPath: string): Promise<void> {
  if ((await readHolder(lockPath)) === process.pid) await rm(lockPath, { force: true });
}

/** The pid in the lock file, "gone" when there is no file, "unknown" when it holds no pid. */
async function readHolder(lockPath: string): Promise<number | "gone" | "unknown"> {
  let text: string;
  try {
    text = await readFile(lockPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw new StoreUnavailableError(
      `The lock file ${lockPath} cannot be read (${(error as NodeJS.ErrnoException).code}).`,
    );
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : "unknown";
}

async function ageOf(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Whether a process runs: signal 0 checks without signalling; EPERM means it runs as someone else. */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

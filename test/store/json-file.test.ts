// The embedded file store: the shared suite, then what only a file has (modes, the lock file
// between processes, a corrupt or half-written file, the bound on its size).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_RECORDS, openFileStore } from "../../src/store/json-file.js";
import { type JsonObject, StoreUnavailableError } from "../../src/store/types.js";
import { storeSuite } from "./suite.js";

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), "asana-mcp-file-store-")), "remote", "store.json");
}

storeSuite("json file", async () => {
  const path = tempPath();
  return {
    store: await openFileStore(path),
    reopen: () => openFileStore(path),
    cleanup: async () => rmSync(join(path, "..", ".."), { recursive: true, force: true }),
  };
});

describe("json file store on disk", () => {
  let path: string;
  let children: ChildProcess[] = [];
  beforeEach(() => {
    path = tempPath();
  });
  afterEach(() => {
    for (const child of children) child.kill("SIGKILL");
    children = [];
    rmSync(join(path, "..", ".."), { recursive: true, force: true });
  });

  /** A process that runs until the test ends. */
  function liveProcess(): number {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    children.push(child);
    return child.pid!;
  }

  /** The pid of a process that has exited. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await once(child, "exit");
    return child.pid!;
  }

  it.skipIf(process.platform === "win32")("writes the file 0600 in a directory 0700", async () => {
    const store = await openFileStore(path);
    await store.put("grant", "g", { v: 1 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    expect(statSync(`${path}.lock`).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it.skipIf(process.platform === "win32")("makes a file others can read private again", async () => {
    const store = await openFileStore(path);
    await store.put("grant", "g", { v: 1 });
    await store.close();
    chmodSync(path, 0o644);
    const again = await openFileStore(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await again.get("grant", "g")).toEqual({ v: 1 });
    await again.close();
  });

  it("refuses a store another running process holds, and leaves its lock alone", async () => {
    const pid = liveProcess();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.lock`, `${pid}\n`);
    const opening = openFileStore(path);
    await expect(opening).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(opening).rejects.toThrow(`Another asana-mcp process (pid ${pid}) holds the store ${path}`);
    await expect(opening).rejects.toThrow("ASANA_DATABASE_URL=postgres://");
    expect(readFileSync(`${path}.lock`, "utf8")).toBe(`${pid}\n`);
  });

  it("takes over the lock of a process that is gone, and releases it on the last close", async () => {
    const pid = await deadPid();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.lock`, `${pid}\n`);
    const store = await openFileStore(path);
    expect(readFileSync(`${path}.lock`, "utf8").trim()).toBe(String(process.pid));
    const second = await openFileStore(path);
    await store.put("grant", "g", { v: 1 });
    expect(await second.get("grant", "g")).toEqual({ v: 1 });
    await store.close();
    expect(existsSync(`${path}.lock`)).toBe(true);
    await second.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("takes over a lock holding this pid from an earlier run (containers reuse pids)", async () => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.lock`, `${process.pid}\n`);
    const store = await openFileStore(path);
    await store.put("client", "c", { v: 1 });
    await store.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("refuses a corrupt file, names it, and leaves it untouched", async () => {
    mkdirSync(dirname(path), { recursive: true });
    for (const text of [
      '{"format":"asana-mcp store","version":1,"records":{"grant":{"g":',
      '{"other":true}',
    ]) {
      writeFileSync(path, text);
      const opening = openFileStore(path);
      await expect(opening).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(opening).rejects.toThrow(`The store file ${path} is corrupt`);
      expect(readFileSync(path, "utf8")).toBe(text);
      expect(existsSync(`${path}.lock`)).toBe(false);
    }
  });

  it("refuses a file a newer asana-mcp wrote", async () => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ format: "asana-mcp store", version: 2, records: {} }));
    await expect(openFileStore(path)).rejects.toThrow("written by a newer asana-mcp (format 2)");
  });

  it("ignores the temp file a write killed midway left, and removes it on the next write", async () => {
    const store = await openFileStore(path);
    await store.put("grant", "g", { v: 1 });
    await store.close();
    const before = readFileSync(path, "utf8");
    const leftover = `${path}.99999.0badc0de.tmp`;
    writeFileSync(leftover, '{"format":"asana-mcp store","version":1,"records":{"gra');
    const other = `${dirname(path)}/unrelated.tmp`;
    writeFileSync(other, "not ours");
    const again = await openFileStore(path);
    expect(await again.get("grant", "g")).toEqual({ v: 1 });
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(existsSync(leftover)).toBe(true);
    await again.put("grant", "h", { v: 2 });
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(other)).toBe(true);
    expect(readdirSync(dirname(path)).filter((n) => n.endsWith(".tmp"))).toEqual(["unrelated.tmp"]);
    await again.close();
  });

  it("a write that fails is rejected and leaves memory as the file is", async () => {
    const store = await openFileStore(path);
    await store.put("grant", "kept", { v: 1 });
    // A directory where the file goes: the rename of the new file over it fails.
    rmSync(path);
    mkdirSync(join(path, "blocker"), { recursive: true });
    const failing = store.put("grant", "lost", { v: 2 });
    await expect(failing).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failing).rejects.toThrow(`The store file ${path} could not be written`);
    expect(await store.get("grant", "lost")).toBeUndefined();
    expect(await store.get("grant", "kept")).toEqual({ v: 1 });
    expect(readdirSync(dirname(path)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    rmSync(path, { recursive: true });
    await store.put("grant", "later", { v: 3 });
    await store.close();
  });

  it("drops expired records when it loads the file", async () => {
    const store = await openFileStore(path);
    await store.put("access", "old", { v: 1 }, { expiresAt: Date.now() + 60 * 60_000 });
    await store.put("access", "new", { v: 2 });
    await store.close();
    const text = readFileSync(path, "utf8").replace(/"expiresAt":\d+/, `"expiresAt":${Date.now() - 1}`);
    writeFileSync(path, text);
    const again = await openFileStore(path);
    await again.put("grant", "g", { v: 3 });
    expect(readFileSync(path, "utf8")).not.toContain('"old"');
    expect(await again.count("access")).toBe(1);
    await again.close();
  });

  it(`refuses to grow past ${MAX_RECORDS} records`, async () => {
    const access: Record<string, { value: JsonObject; expiresAt?: number }> = {};
    for (let i = 0; i < MAX_RECORDS - 1; i++) access[`a${i}`] = { value: { i } };
    access.expired = { value: { i: -1 }, expiresAt: Date.now() - 1 };
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ format: "asana-mcp store", version: 1, records: { access } }));
    const store = await openFileStore(path);
    // The expired one was dropped at load: one more fits.
    await store.put("access", "last", { i: MAX_RECORDS });
    const refused = store.put("grant", "one too many", { v: 1 });
    await expect(refused).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(refused).rejects.toThrow(`holds ${MAX_RECORDS} records`);
    expect(await store.putNew("grant", "one too many", { v: 1 }).catch((e: Error) => e.name)).toBe(
      "StoreUnavailableError",
    );
    // Replacing a record and deleting one still work; then there is room again.
    await store.put("access", "a0", { i: 0, replaced: true });
    expect(await store.take("access", "a1")).toEqual({ i: 1 });
    await store.put("grant", "one too many", { v: 1 });
    expect(await store.count("access")).toBe(MAX_RECORDS - 1);
    await store.close();
  });

  it("an open racing the close of the last handle gets a store that holds the lock", async () => {
    const first = await openFileStore(path);
    await first.put("grant", "g", { v: 1 });
    // The open starts first and is waiting on the shared state when the close takes it away.
    const [second] = await Promise.all([openFileStore(path), first.close()]);
    expect(readFileSync(`${path}.lock`, "utf8").trim()).toBe(String(process.pid));
    expect(await second.get("grant", "g")).toEqual({ v: 1 });
    await second.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("refuses to work through a closed handle", async () => {
    const store = await openFileStore(path);
    await store.close();
    await expect(store.get("grant", "g")).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.put("grant", "g", { v: 1 })).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
  });
});

import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OAuthIdentity } from "../../src/auth/oauth.js";
import { AutoStore, type FileStore, KeychainStore, type StoredLogin } from "../../src/auth/store.js";
import { startFakeAsana } from "../fake-asana/index.js";
import { registerClient, signIn, tempStore } from "../helpers/oauth.js";

let started: Awaited<ReturnType<typeof startFakeAsana>>;
beforeEach(async () => {
  started = await startFakeAsana();
  registerClient(started.fake);
});
afterEach(() => started.close());

const FIXTURE = resolve(import.meta.dirname, "../fixtures/refresh-then-stop.mjs");

/** Runs a refresh in a child process and SIGKILLs it at `step`. */
function killAt(storePath: string, step: "token-response" | "stored"): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [FIXTURE, storePath, step], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(`reached ${step}`)) child.kill("SIGKILL");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("exit", (_code, signal) =>
      signal === "SIGKILL" ? done() : fail(new Error(`child did not reach ${step}: ${out} ${err}`)),
    );
  });
}

describe("file token store", () => {
  it("removes temp files an interrupted write left (they hold the secrets) on the next write", async () => {
    const store = tempStore();
    const login = await signIn(started.baseUrl, store);
    const dir = dirname(store.path);
    // As a write killed before its rename leaves them: a process long gone, and this one an hour ago.
    const gone = `${store.path}.4194999.0badc0de.tmp`;
    const stale = `${store.path}.${process.pid}.00c0ffee.tmp`;
    // Left alone: a fresh temp file of a running process (a write in flight), and files not ours.
    const inFlight = `${store.path}.${process.pid}.feedf00d.tmp`;
    const others = [`${store.path}.bak`, join(dir, "other.json.4194999.0badc0de.tmp")];
    for (const path of [gone, stale, inFlight, ...others]) writeFileSync(path, JSON.stringify(login));
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(stale, hourAgo, hourAgo);
    await store.write({ ...login, refreshed_at: new Date().toISOString() });
    expect(existsSync(gone)).toBe(false);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(inFlight)).toBe(true);
    for (const path of others) expect(existsSync(path)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(
      [
        "oauth-login.json",
        "oauth-login.json.bak",
        basename(inFlight),
        "other.json.4194999.0badc0de.tmp",
      ].sort(),
    );
    expect(await store.removeLeftovers()).toBe(0);
  });

  it("writes 0600 atomically, validates what it reads, and refuses a newer format", async () => {
    const store = tempStore();
    const login = await signIn(started.baseUrl, store);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(store.path)).mode & 0o777).toBe(0o700);
    expect(readdirSync(dirname(store.path))).toEqual(["oauth-login.json"]);
    expect(await store.read()).toEqual(login);

    writeFileSync(store.path, JSON.stringify({ ...login, refresh_token: 7 }));
    await expect(store.read()).rejects.toThrow(/malformed \(refresh_token/);
    writeFileSync(store.path, JSON.stringify({ ...login, version: 2 }));
    await expect(store.read()).rejects.toThrow(/newer asana-mcp/);
    writeFileSync(store.path, "{");
    await expect(store.read()).rejects.toThrow(/not valid JSON/);
    expect(await store.delete()).toBe(true);
    expect(await store.read()).toBeUndefined();
  });

  for (const step of ["token-response", "stored"] as const) {
    it(`keeps a usable login when the process is killed at "${step}" during a rotating refresh`, async () => {
      started.fake.oauth.rotateRefreshTokens = true;
      const store = tempStore();
      const original = await signIn(started.baseUrl, store);
      await killAt(store.path, step);
      expect(started.fake.oauth.tokenRequests.refresh_token).toBe(1);

      const survivor = (await store.read()) as StoredLogin;
      expect(statSync(store.path).mode & 0o777).toBe(0o600);
      if (step === "token-response") expect(survivor.refresh_token).toBe(original.refresh_token);
      else expect(survivor.refresh_token).not.toBe(original.refresh_token);

      // A new process signs in again from what is stored, without a new login.
      const next = new OAuthIdentity({ store, login: survivor, timeoutMs: 5_000 });
      const token = await next.accessToken();
      const me = await fetch(`${started.baseUrl}/users/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(me.status).toBe(200);
      // And the login stays renewable after that.
      const again = new OAuthIdentity({
        store,
        login: (await store.read()) as StoredLogin,
        timeoutMs: 5_000,
      });
      await expect(again.accessToken()).resolves.toEqual(expect.any(String));
    });
  }
});

describe("OS keychain token store", () => {
  it("stores, reads and deletes a login in the real keychain", async (ctx) => {
    const account = `test-${process.pid}-${Date.now()}`;
    const keychain = new KeychainStore(account);
    const login = await signIn(started.baseUrl, tempStore());
    try {
      await keychain.write(login);
    } catch (error) {
      const reason = `no usable OS keychain here (${(error as Error).message}); on Linux run the tests under dbus-run-session with an unlocked gnome-keyring (see .ci/run)`;
      // CI must prove the keychain path; a developer machine without one may skip, visibly.
      if (process.env.CI === "true") throw new Error(reason);
      ctx.skip(reason);
      return;
    }
    try {
      expect(await keychain.read()).toEqual(login);
      expect(keychain.location).toContain("OS keychain");
      // Auto mode prefers the keychain and leaves no file behind.
      const file = tempStore();
      const auto = new AutoStore(keychain, file);
      await auto.write({ ...login, refresh_token: `${login.refresh_token}-2` });
      expect(auto.kind).toBe("keychain");
      expect(existsSync(file.path)).toBe(false);
      expect((await auto.read())?.refresh_token).toBe(`${login.refresh_token}-2`);
    } finally {
      expect(await keychain.delete()).toBe(true);
    }
    expect(await keychain.read()).toBeUndefined();
  });

  it("auto mode falls back to the 0600 file when the keychain refuses, and says where", async () => {
    const login = await signIn(started.baseUrl, tempStore());
    const refusing = {
      kind: "keychain" as const,
      location: "the OS keychain",
      read: async () => {
        throw new Error("AccessDenied");
      },
      write: async () => {
        throw new Error("AccessDenied");
      },
      delete: async () => false,
      removeLeftovers: async () => 0,
    };
    const file: FileStore = tempStore();
    const auto = new AutoStore(refusing, file);
    await auto.write(login);
    expect(auto.kind).toBe("file");
    expect(auto.location).toBe(file.path);
    expect(JSON.parse(readFileSync(file.path, "utf8")).refresh_token).toBe(login.refresh_token);
    expect(await new AutoStore(refusing, file).read()).toEqual(login);
  });
});

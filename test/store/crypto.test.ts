// Digests and sealing of what remote mode stores, and the secret key file.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { digest, keyringFrom, loadOrCreateSecretKey } from "../../src/store/crypto.js";

const SECRET = "a-secret-key-of-at-least-thirty-two-characters";
const OLD_SECRET = "the-previous-secret-key-also-thirty-two-chars";

describe("digest", () => {
  it("is SHA-256 in base64url, the same for the same token", () => {
    // SHA-256("abc"), a published test vector.
    expect(digest("abc")).toBe(
      Buffer.from("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "hex").toString(
        "base64url",
      ),
    );
    expect(digest("token")).toBe(digest("token"));
    expect(digest("token")).not.toBe(digest("token2"));
  });
});

describe("keyring", () => {
  const keyring = keyringFrom(SECRET);

  it("opens what it sealed, in the v1.<keyId>.<iv>.<body> format", () => {
    const sealed = keyring.seal("asana refresh token ✓", "grant-1");
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed.split(".")[1]).toBe(keyring.keyId);
    expect(sealed).not.toContain("asana");
    expect(keyring.open(sealed, "grant-1")).toBe("asana refresh token ✓");
    expect(keyringFrom(SECRET).open(sealed, "grant-1")).toBe("asana refresh token ✓");
    expect(keyring.open(keyring.seal("", "g"), "g")).toBe("");
  });

  it("seals the same plaintext differently every time", () => {
    const seals = new Set(Array.from({ length: 20 }, () => keyring.seal("same", "grant-1")));
    expect(seals.size).toBe(20);
  });

  it("refuses a sealed value with any byte changed", () => {
    const sealed = keyring.seal("asana refresh token", "grant-1");
    const [version, keyId, iv, body] = sealed.split(".") as [string, string, string, string];
    const flip = (text: string, at: number) => {
      const bytes = Buffer.from(text, "base64url");
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      return bytes.toString("base64url");
    };
    for (let at = 0; at < Buffer.from(body, "base64url").length; at++) {
      expect(() => keyring.open(`${version}.${keyId}.${iv}.${flip(body, at)}`, "grant-1")).toThrow(
        "tampered or wrong context",
      );
    }
    expect(() => keyring.open(`${version}.${keyId}.${flip(iv, 0)}.${body}`, "grant-1")).toThrow(
      "tampered or wrong context",
    );
    expect(() => keyring.open(`${version}.${keyId}.${iv}.${body.slice(0, 10)}`, "grant-1")).toThrow(
      "tampered or wrong context",
    );
    expect(() => keyring.open("v2.x.y.z", "grant-1")).toThrow("not a sealed value");
    expect(() => keyring.open("plain text", "grant-1")).toThrow("not a sealed value");
  });

  it("refuses a sealed value moved to another record", () => {
    const sealed = keyring.seal("asana refresh token", "grant-1");
    expect(() => keyring.open(sealed, "grant-2")).toThrow("tampered or wrong context");
    expect(() => keyring.open(sealed, "")).toThrow("tampered or wrong context");
  });

  it("opens values sealed with a previous key after a rotation, and seals with the new one", () => {
    const old = keyringFrom(OLD_SECRET);
    const sealedBefore = old.seal("asana token", "grant-1");
    const rotated = keyringFrom(SECRET, [OLD_SECRET]);
    expect(rotated.keyId).toBe(keyring.keyId);
    expect(rotated.keyId).not.toBe(old.keyId);
    expect(rotated.open(sealedBefore, "grant-1")).toBe("asana token");
    expect(rotated.seal("x", "g").split(".")[1]).toBe(keyring.keyId);
    expect(() => keyring.open(sealedBefore, "grant-1")).toThrow("sealed with an unknown key");
  });

  it("derives the key id from the derived key, not from the secret", () => {
    const secretDigest = digest(SECRET).slice(0, 8);
    expect(keyring.keyId).toHaveLength(8);
    expect(keyring.keyId).not.toBe(secretDigest);
    expect(keyringFrom(`${SECRET}!`).keyId).not.toBe(keyring.keyId);
  });

  it("refuses a secret shorter than 32 characters, current or previous", () => {
    expect(() => keyringFrom("x".repeat(31))).toThrow("at least 32 characters");
    expect(() => keyringFrom(SECRET, ["short"])).toThrow("at least 32 characters");
    expect(keyringFrom("x".repeat(32)).keyId).toHaveLength(8);
  });
});

describe("secret key file", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("creates a key 0600 in a directory 0700, then reads the same key back", async () => {
    dir = mkdtempSync(join(tmpdir(), "asana-mcp-key-"));
    const path = join(dir, "remote", "secret.key");
    const first = await loadOrCreateSecretKey(path);
    expect(first.created).toBe(true);
    expect(first.key).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(readFileSync(path, "utf8")).toBe(`${first.key}\n`);
    if (process.platform !== "win32") {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    }
    expect(await loadOrCreateSecretKey(path)).toEqual({ key: first.key, created: false });
    expect(keyringFrom(first.key).keyId).toHaveLength(8);
  });

  it("gives racing creators one key", async () => {
    dir = mkdtempSync(join(tmpdir(), "asana-mcp-key-"));
    const path = join(dir, "secret.key");
    const results = await Promise.all(Array.from({ length: 10 }, () => loadOrCreateSecretKey(path)));
    expect(new Set(results.map((r) => r.key)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(readFileSync(path, "utf8").trim()).toBe(results[0]?.key);
  });

  it.skipIf(process.platform === "win32")(
    "makes a key file others can read private, and uses it",
    async () => {
      dir = mkdtempSync(join(tmpdir(), "asana-mcp-key-"));
      const path = join(dir, "secret.key");
      writeFileSync(path, `${SECRET}\n`);
      chmodSync(path, 0o644);
      expect(await loadOrCreateSecretKey(path)).toEqual({ key: SECRET, created: false });
      expect(statSync(path).mode & 0o777).toBe(0o600);
    },
  );
});

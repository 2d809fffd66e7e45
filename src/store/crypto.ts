// What remote mode keeps secret in its store. Tokens this server issues are stored only as
// digests (a stolen store answers no request); the Asana tokens it must use again are sealed with
// AES-256-GCM under a key derived from ASANA_SECRET_KEY, bound to the record they belong to.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { chmod, link, mkdir, open, readFile, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * The store key of a token: SHA-256, base64url. No secret key goes in: the tokens are 256-bit
 * random, so a plain digest cannot be guessed back, and it survives a rotation of the secret key.
 */
export function digest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("base64url");
}

export interface Keyring {
  /** `v1.<keyId>.<iv>.<ciphertext+tag>`; `context` (the record's id) must be given again to open it. */
  seal(plaintext: string, context: string): string;
  /** The plaintext; throws when the key is unknown, the value was changed, or the context differs. */
  open(sealed: string, context: string): string;
  /** The id of the key new values are sealed with. */
  readonly keyId: string;
}

/** Characters a secret key has at least (48 random bytes in base64url, as generated, have 64). */
export const MIN_SECRET_LENGTH = 32;
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Key {
  id: string;
  bytes: Buffer;
}

function deriveKey(secret: string): Key {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`the secret key is too short: at least ${MIN_SECRET_LENGTH} characters are needed`);
  }
  const bytes = Buffer.from(hkdfSync("sha256", secret, "asana-mcp", "asana-mcp token seal v1", 32));
  // The id comes from the derived key, never the secret, so it tells nothing about the secret.
  const id = createHash("sha256").update(bytes).digest("base64url").slice(0, 8);
  return { id, bytes };
}

/**
 * The keyring of `secret`, opening values sealed with any of `previous` too: rotating the secret
 * key is setting the new one and keeping the old ones in `previous` until their sign-ins are gone.
 */
export function keyringFrom(secret: string, previous: readonly string[] = []): Keyring {
  const current = deriveKey(secret);
  const keys = new Map<string, Buffer>([[current.id, current.bytes]]);
  for (const old of previous) {
    const key = deriveKey(old);
    if (!keys.has(key.id)) keys.set(key.id, key.bytes);
  }
  return {
    keyId: current.id,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current.bytes, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${current.id}.${iv.toString("base64url")}.${body.toString("base64url")}`;
    },
    open(sealed, context) {
      const parts = sealed.split(".");
      if (parts.length !== 4 || parts[0] !== VERSION) throw new Error("not a sealed value");
      const [, keyId, ivText, bodyText] = parts as [string, string, string, string];
      const key = keys.get(keyId);
      if (!key) throw new Error("sealed with an unknown key");
      const iv = Buffer.from(ivText, "base64url");
      const body = Buffer.from(bodyText, "base64url");
      if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new Error("tampered or wrong context");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(body.subarray(0, body.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return plain.toString("utf8");
      } catch {
        throw new Error("tampered or wrong context");
      }
    },
  };
}

/**
 * The secret key kept in `path`, created (48 random bytes, base64url, mode 0600) when there is
 * none. The new file is written whole under a temporary name and linked into place, which fails
 * when another process created the key first: then that key is read, so both use the same one.
 */
export async function loadOrCreateSecretKey(path: string): Promise<{ key: string; created: boolean }> {
  const existing = await readKey(path);
  if (existing !== undefined) return { key: existing, created: false };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(48).toString("base64url");
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(`${key}\n`, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const winner = await readKey(path);
    if (winner === undefined) throw error;
    return { key: winner, created: false };
  } finally {
    await rm(temp, { force: true });
  }
  return { key, created: true };
}

async function readKey(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (process.platform !== "win32" && (await stat(path)).mode & 0o077) await chmod(path, 0o600);
  return text.trim();
}

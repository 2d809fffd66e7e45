// The token store: where an OAuth login (refresh token, client secret, who signed in) is kept
// between runs. The OS keychain when it works, otherwise a 0600 file written atomically. The
// access token is never stored: it lives in memory and is refreshed on start.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import type { OAuthSettings } from "../config.js";
import { log, registerSecret, SECRET_SLOTS } from "../log.js";
import { verifiedClaimsSchema } from "./identities.js";

export const STORE_VERSION = 1;

export const storedLoginSchema = z
  .object({
    version: z.literal(STORE_VERSION),
    /** The API base the login belongs to (the fake Asana in tests, app.asana.com otherwise). */
    base_url: z.string().url(),
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
    redirect_uri: z.string().min(1),
    refresh_token: z.string().min(1),
    scopes: z.array(z.string()),
    user: z.object({ gid: z.string(), name: z.string(), email: z.string().nullable() }),
    /** Claims of the id_token verified at sign-in (signature, issuer, audience, expiry, nonce). */
    verified_claims: verifiedClaimsSchema.nullable(),
    signed_in_at: z.string(),
    refreshed_at: z.string().nullable(),
  })
  .strict();

export type StoredLogin = z.infer<typeof storedLoginSchema>;

export interface TokenStore {
  readonly kind: "keychain" | "file";
  /** Where the login is kept, for people: "the OS keychain (service asana-mcp)" or a file path. */
  readonly location: string;
  read(): Promise<StoredLogin | undefined>;
  write(login: StoredLogin): Promise<void>;
  /** Resolves true when something was deleted. */
  delete(): Promise<boolean>;
  /** Removes temporary files an interrupted write left (they hold the secrets); resolves how many. */
  removeLeftovers(): Promise<number>;
}

export class StoreError extends Error {
  override name = "StoreError";
}

const SERVICE = "asana-mcp";
const ACCOUNT = "oauth-login";

/** Registers every secret of a login with the log redactor before anything can print it. */
function guard(login: StoredLogin): StoredLogin {
  registerSecret(login.refresh_token, SECRET_SLOTS.oauthRefresh);
  registerSecret(login.client_secret);
  return login;
}

function parseLogin(text: string, where: string): StoredLogin {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new StoreError(
      `The OAuth login in ${where} is not valid JSON; run \`asana-mcp auth login\` again.`,
    );
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === "number" && version > STORE_VERSION) {
    throw new StoreError(
      `The OAuth login in ${where} was written by a newer asana-mcp (format ${version}); upgrade asana-mcp.`,
    );
  }
  const parsed = storedLoginSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoreError(
      `The OAuth login in ${where} is malformed (${issue?.path.join(".") || "root"}: ${issue?.message}); run \`asana-mcp auth login\` again.`,
    );
  }
  return guard(parsed.data);
}

/** A JSON file readable only by its owner, replaced atomically so a crash leaves the old or the new login. */
export class FileStore implements TokenStore {
  readonly kind = "file";
  constructor(readonly path: string) {}

  get location(): string {
    return this.path;
  }

  async read(): Promise<StoredLogin | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new StoreError(
        `The token file ${this.path} cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      );
    }
    if (process.platform !== "win32") {
      const mode = (await stat(this.path)).mode & 0o777;
      if (mode & 0o077)
        log.warn(`the token file ${this.path} is readable by others (mode ${mode.toString(8)}); fixing`);
      if (mode & 0o077) await chmod(this.path, 0o600);
    }
    return parseLogin(text, this.path);
  }

  async write(login: StoredLogin): Promise<void> {
    guard(login);
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await this.removeLeftovers();
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    // Created 0600 from the first byte (no chmod window), flushed, then renamed over the old file.
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(login, null, 2)}\n`, "utf8");
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temp, this.path);
  }

  /**
   * A write killed between creating its temp file and renaming it leaves `<path>.<pid>.<hex>.tmp`
   * holding the refresh token and client secret. Only files of exactly that name, next to the store,
   * are removed; one of a process still running and written in the last minute may be a write in
   * flight (another asana-mcp refreshing), so it is left to that process.
   */
  async removeLeftovers(): Promise<number> {
    const dir = dirname(this.path);
    const ours = new RegExp(`^${escapeRegExp(basename(this.path))}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const pid = ours.exec(name)?.[1];
      if (pid === undefined) continue;
      const path = join(dir, name);
      try {
        if (processRuns(Number(pid)) && Date.now() - (await stat(path)).mtimeMs < IN_FLIGHT_MS) continue;
        await rm(path);
        removed++;
      } catch {
        // Gone already (renamed by its writer, or removed by another process).
      }
    }
    if (removed) log.info(`removed ${removed} leftover temporary file(s) of the token store in ${dir}`);
    return removed;
  }

  async delete(): Promise<boolean> {
    try {
      await rm(this.path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }
}

/** How long a temp file of a running process counts as a write in flight. */
const IN_FLIGHT_MS = 60_000;

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

type KeyringEntry = {
  getPassword(): string | null;
  setPassword(password: string): void;
  deletePassword(): boolean;
};

/** The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux). */
export class KeychainStore implements TokenStore {
  readonly kind = "keychain";
  private entry: KeyringEntry | undefined;

  /** `account` lets tests use their own entry instead of the person's login. */
  constructor(private readonly account = ACCOUNT) {}

  get location(): string {
    return `the OS keychain (service "${SERVICE}", account "${this.account}")`;
  }

  private async open(): Promise<KeyringEntry> {
    if (this.entry) return this.entry;
    try {
      // Loaded only when a login is read or written, so plain server start-up never pays for it.
      const { Entry } = await import("@napi-rs/keyring");
      this.entry = new Entry(SERVICE, this.account);
      return this.entry;
    } catch (error) {
      throw new StoreError(`The OS keychain is not available here (${messageOf(error)}).`);
    }
  }

  async read(): Promise<StoredLogin | undefined> {
    const entry = await this.open();
    let text: string | null;
    try {
      text = entry.getPassword();
    } catch (error) {
      throw new StoreError(`The OS keychain could not be read (${messageOf(error)}).`);
    }
    return text === null ? undefined : parseLogin(text, this.location);
  }

  async write(login: StoredLogin): Promise<void> {
    guard(login);
    const entry = await this.open();
    try {
      entry.setPassword(JSON.stringify(login));
    } catch (error) {
      throw new StoreError(`The OS keychain refused the login (${messageOf(error)}).`);
    }
  }

  async removeLeftovers(): Promise<number> {
    return 0; // the keychain is written in one call: nothing is left behind
  }

  async delete(): Promise<boolean> {
    const entry = await this.open();
    try {
      return entry.deletePassword();
    } catch (error) {
      throw new StoreError(`The OS keychain entry could not be deleted (${messageOf(error)}).`);
    }
  }
}

/**
 * ASANA_TOKEN_STORE unset: the keychain when it accepts the login, otherwise the file. Reads look in
 * both (keychain first); a write to the keychain removes a leftover file so one login is authoritative.
 */
export class AutoStore implements TokenStore {
  private active: TokenStore;
  constructor(
    private readonly keychain: TokenStore,
    private readonly file: TokenStore,
  ) {
    this.active = keychain;
  }

  get kind(): "keychain" | "file" {
    return this.active.kind;
  }

  get location(): string {
    return this.active.location;
  }

  async read(): Promise<StoredLogin | undefined> {
    try {
      const login = await this.keychain.read();
      if (login) {
        this.active = this.keychain;
        return login;
      }
    } catch (error) {
      log.debug(`keychain not used: ${messageOf(error)}`);
    }
    const login = await this.file.read();
    if (login) this.active = this.file;
    return login;
  }

  async write(login: StoredLogin): Promise<void> {
    if (this.active === this.keychain) {
      try {
        await this.keychain.write(login);
        await this.file.delete().catch(() => false);
        return;
      } catch (error) {
        log.warn(`${messageOf(error)} Storing the login in ${this.file.location} (mode 0600) instead.`);
        this.active = this.file;
      }
    }
    await this.file.write(login);
  }

  removeLeftovers(): Promise<number> {
    return this.file.removeLeftovers();
  }

  async delete(): Promise<boolean> {
    const fromKeychain = await this.keychain.delete().catch(() => false);
    const fromFile = await this.file.delete();
    return fromKeychain || fromFile;
  }
}

export function openTokenStore(settings: OAuthSettings["tokenStore"]): TokenStore {
  if (settings.mode === "keychain") return new KeychainStore();
  if (settings.mode === "file") return new FileStore(settings.path);
  return new AutoStore(new KeychainStore(), new FileStore(settings.path));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// The only reader of process.env and .env: everything else receives a validated Config.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import type { z } from "zod";
import {
  CLIENT_TIMEOUT_MS,
  type ConfirmMode,
  IDENTITY_KINDS,
  type IdentityKind,
  type LogLevel,
  TOKEN_VARIABLES,
  VARIABLES,
} from "./config-variables.js";
import { DEFAULT_TOOLSETS, isToolsetName, TOOLSET_NAMES, type ToolsetName } from "./tools/toolsets.js";

export {
  CLIENT_TIMEOUT_MS,
  CONFIRM_MODES,
  type ConfirmMode,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_TOOL_DEADLINE_MS,
  IDENTITY_KINDS,
  type IdentityKind,
  LOG_LEVELS,
  type LogLevel,
} from "./config-variables.js";

export const DEFAULT_BASE_URL = "https://app.asana.com/api/1.0";
const API_PATH = "/api/1.0";

/** Where a value came from, shown by `whoami` so a person can find the token to change. */
export type ValueSource = "environment" | ".env file" | "sandbox";

export interface TokenSetting {
  token: string;
  /** The variable that held it, e.g. "ASANA_BOT_PAT". */
  variable: string;
  source: ValueSource;
}

export interface Config {
  baseUrl: string;
  tokens: Partial<Record<IdentityKind, TokenSetting>>;
  readAs?: IdentityKind;
  writeAs?: IdentityKind;
  requestTimeoutMs: number;
  toolDeadlineMs: number;
  logLevel: LogLevel;
  sandbox: boolean;
  /** The .env file that was read, if any. */
  envFile?: string;
  oauth: OAuthSettings;
  /** ASANA_READ_ONLY: write and destructive tools are hidden and refused. */
  readOnly: boolean;
  /** ASANA_TOOLS: the only tools exposed (checked against the tool list by src/policy.ts). */
  tools?: string[];
  /**
   * ASANA_TOOLSETS: the toolsets on at start-up. Unset: `tasks`, or every set when ASANA_TOOLS
   * names the tools itself (that list is then the whole choice).
   */
  toolsets: ToolsetName[];
  /** ASANA_CONFIRM: which calls a human confirms before they run. */
  confirm: ConfirmMode;
  /** ASANA_WORKSPACES / ASANA_PROJECTS: the only workspaces and projects tools may touch. */
  workspaces?: string[];
  projects?: string[];
  /** ASANA_AUDIT_LOG: a JSON-lines file every write attempt is appended to. */
  auditLog?: string;
  /** ASANA_AUDIT_LOG_BODIES: also record the arguments (comment text) of each write. */
  auditLogBodies: boolean;
  /** ASANA_MAX_RESPONSE_BYTES: the largest Asana answer read; a larger one is an error. */
  maxResponseBytes: number;
  /** ASANA_MAX_MESSAGE_BYTES: the largest JSON-RPC message read from stdin. */
  maxMessageBytes: number;
  /** ASANA_SHUTDOWN_GRACE_MS: how long shutdown waits for writes in flight. */
  shutdownGraceMs: number;
  /** Remote mode's settings as read (`asana-mcp http` checks them: src/http/settings.ts). */
  remote: RemoteSettings;
  /**
   * Settings that did not stop start-up but are probably mistakes (an unknown ASANA_* variable,
   * a deadline longer than MCP clients wait): logged at start-up, shown by whoami, checked by doctor.
   */
  warnings: ConfigWarning[];
}

export interface ConfigWarning {
  /** unknown_variable fails `doctor`: the setting the person meant is not in effect. */
  code: "unknown_variable" | "deadline_too_long";
  variable: string;
  message: string;
}

/** Where the OAuth login is kept: "auto" tries the OS keychain, then the file. */
export type TokenStoreMode = "auto" | "keychain" | "file";

export interface OAuthSettings {
  clientId?: string;
  clientSecret?: string;
  tokenStore: { mode: TokenStoreMode; path: string };
  /** A command that opens the authorize URL instead of the platform's opener (ASANA_BROWSER). */
  browser?: string;
}

/** What `asana-mcp http` reads from the environment; validated with the command's flags. */
export interface RemoteSettings {
  /** ASANA_HTTP_PORT / ASANA_HTTP_HOST: where `asana-mcp http` listens (--port / --host win). */
  port?: number;
  host?: string;
  /** ASANA_HTTP_TRUST_PROXY: the reverse proxies allowed to say the client's address. */
  trustProxy?: string;
  /** ASANA_PUBLIC_URL: the origin clients reach the server at. */
  publicUrl?: string;
  /** ASANA_DATABASE_URL: unset for the embedded store, postgres://… for PostgreSQL. */
  databaseUrl?: string;
  /** ASANA_SECRET_KEY (and ASANA_SECRET_KEY_PREVIOUS, keys being rotated out). */
  secretKey?: string;
  secretKeyPrevious: string[];
  /** Where the embedded store and its generated key live: the user's data directory. */
  dataDir: string;
  /** ASANA_RATE_PER_MINUTE: requests a minute per shared token, counted across every replica. */
  ratePerMinute?: number;
}

/** A configuration problem: start-up stops with this one line on stderr. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

/**
 * An MCP Bundle option the user left empty can reach the server as its unfilled template,
 * e.g. "${user_config.asana_bot_pat}" (some Claude Desktop versions): that means "not set".
 */
const UNFILLED = /^\$\{user_config\.[A-Za-z0-9_]+\}$/;

export interface LoadOptions {
  env?: Env;
  /** Directory whose .env is read; default the working directory. */
  cwd?: string;
  /** Force sandbox mode (the `sandbox` command). */
  sandbox?: boolean;
}

/** Reads the environment (and an optional .env, which never overrides it) into a Config. */
export function loadConfig(options: LoadOptions = {}): Config {
  const processEnv = options.env ?? process.env;
  const { values: fileEnv, path: envFile } = readDotenv(processEnv, options.cwd ?? process.cwd());
  const lookup = (name: string): { value: string; source: ValueSource } | undefined => {
    const fromProcess = processEnv[name];
    if (fromProcess !== undefined && fromProcess !== "" && !UNFILLED.test(fromProcess))
      return { value: unquote(name, fromProcess), source: "environment" };
    const fromFile = fileEnv[name];
    if (fromFile !== undefined && fromFile !== "")
      return { value: unquote(name, fromFile), source: ".env file" };
    return undefined;
  };
  const warnings = unknownVariables([processEnv, fileEnv]);

  const parsed = {} as { [K in keyof typeof VARIABLES]: z.output<(typeof VARIABLES)[K]> };
  for (const [name, schema] of Object.entries(VARIABLES)) {
    const raw = lookup(name)?.value.trim();
    const result = schema.safeParse(raw);
    if (!result.success) throw new ConfigError(describeInvalid(name, raw, result.error));
    (parsed as Record<string, unknown>)[name] = result.data;
  }

  const sandbox = options.sandbox === true || parsed.ASANA_SANDBOX;
  const tokens: Config["tokens"] = {};
  for (const identityKind of IDENTITY_KINDS) {
    for (const variable of TOKEN_VARIABLES[identityKind]) {
      const found = lookup(variable);
      if (!found) continue;
      const token = found.value.trim();
      if (/^bearer\s/i.test(token)) {
        throw new ConfigError(`${variable} starts with "Bearer": paste the token alone, without "Bearer ".`);
      }
      if (/\s/.test(token)) {
        throw new ConfigError(
          `${variable} contains white space: paste the token alone, without quotes or "Bearer".`,
        );
      }
      if (/["'`]/.test(token)) {
        throw new ConfigError(
          `${variable} contains a quote character: paste the token alone, without quotes.`,
        );
      }
      tokens[identityKind] = { token, variable, source: found.source };
      break;
    }
  }

  const baseUrl = sandbox ? DEFAULT_BASE_URL : checkBaseUrl(parsed.ASANA_BASE_URL ?? DEFAULT_BASE_URL);
  for (const [name, value] of [
    ["ASANA_READ_AS", parsed.ASANA_READ_AS],
    ["ASANA_WRITE_AS", parsed.ASANA_WRITE_AS],
  ] as const) {
    // oauth may come from the token store (`asana-mcp auth login`), which is read at start-up.
    if (value && value !== "oauth" && !sandbox && !tokens[value]) {
      const configured = Object.keys(tokens);
      throw new ConfigError(
        `${name}=${value} but no ${value} token is configured (set ${TOKEN_VARIABLES[value][0]}); configured: ${
          configured.length ? configured.join(", ") : "none"
        }.`,
      );
    }
  }

  if (parsed.ASANA_TOOL_DEADLINE_MS >= CLIENT_TIMEOUT_MS) {
    warnings.push({
      code: "deadline_too_long",
      variable: "ASANA_TOOL_DEADLINE_MS",
      message: `ASANA_TOOL_DEADLINE_MS=${parsed.ASANA_TOOL_DEADLINE_MS} is not shorter than the ${CLIENT_TIMEOUT_MS / 1000} s many MCP clients wait for an answer: against a slow Asana they may give up before this server answers (clients that reset their timeout on progress notifications keep waiting).`,
    });
  }

  return {
    baseUrl,
    tokens: sandbox ? {} : tokens,
    readAs: parsed.ASANA_READ_AS,
    writeAs: parsed.ASANA_WRITE_AS,
    requestTimeoutMs: parsed.ASANA_TIMEOUT_MS,
    toolDeadlineMs: parsed.ASANA_TOOL_DEADLINE_MS,
    logLevel: parsed.ASANA_LOG_LEVEL,
    sandbox,
    envFile,
    oauth: {
      clientId: parsed.ASANA_OAUTH_CLIENT_ID,
      clientSecret: parsed.ASANA_OAUTH_CLIENT_SECRET,
      tokenStore: tokenStoreSetting(parsed.ASANA_TOKEN_STORE, processEnv, options.cwd ?? process.cwd()),
      browser: parsed.ASANA_BROWSER,
    },
    readOnly: parsed.ASANA_READ_ONLY,
    tools: parsed.ASANA_TOOLS,
    toolsets: toolsetsSetting(parsed.ASANA_TOOLSETS, parsed.ASANA_TOOLS),
    confirm: parsed.ASANA_CONFIRM,
    workspaces: parsed.ASANA_WORKSPACES,
    projects: parsed.ASANA_PROJECTS,
    auditLog: parsed.ASANA_AUDIT_LOG,
    auditLogBodies: parsed.ASANA_AUDIT_LOG_BODIES,
    maxResponseBytes: parsed.ASANA_MAX_RESPONSE_BYTES,
    maxMessageBytes: parsed.ASANA_MAX_MESSAGE_BYTES,
    shutdownGraceMs: parsed.ASANA_SHUTDOWN_GRACE_MS,
    remote: {
      port: parsed.ASANA_HTTP_PORT,
      host: parsed.ASANA_HTTP_HOST,
      trustProxy: parsed.ASANA_HTTP_TRUST_PROXY,
      publicUrl: parsed.ASANA_PUBLIC_URL,
      databaseUrl: parsed.ASANA_DATABASE_URL,
      secretKey: parsed.ASANA_SECRET_KEY,
      secretKeyPrevious: (parsed.ASANA_SECRET_KEY_PREVIOUS ?? "")
        .split(",")
        .map((key) => key.trim())
        .filter(Boolean),
      dataDir: userDataDir(processEnv),
      ratePerMinute: parsed.ASANA_RATE_PER_MINUTE,
    },
    warnings,
  };
}

function toolsetsSetting(raw: string[] | undefined, tools: string[] | undefined): ToolsetName[] {
  if (raw === undefined) return tools ? [...TOOLSET_NAMES] : [...DEFAULT_TOOLSETS];
  if (raw.includes("all")) return [...TOOLSET_NAMES];
  const unknown = raw.filter((name) => !isToolsetName(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `ASANA_TOOLSETS names ${unknown.length > 1 ? "unknown toolsets" : "an unknown toolset"} ${unknown.join(", ")}; valid names: ${TOOLSET_NAMES.join(", ")}, or all.`,
    );
  }
  return [...new Set(raw as ToolsetName[])];
}

/** Every variable this server reads: the settings, the token variables and ASANA_ENV_FILE. */
export function knownVariables(): string[] {
  return [...Object.keys(VARIABLES), ...Object.values(TOKEN_VARIABLES).flat(), "ASANA_ENV_FILE"];
}

/**
 * A misspelt variable (ASANA_READONLY) would be ignored silently and leave writes on: every set
 * ASANA_* name that is not known is reported with the closest known one.
 */
function unknownVariables(sources: Env[]): ConfigWarning[] {
  const known = knownVariables();
  const seen = new Set<string>();
  const warnings: ConfigWarning[] = [];
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) {
      if (!/^ASANA_/i.test(name) || known.includes(name) || seen.has(name)) continue;
      if (value === undefined || value === "" || UNFILLED.test(value)) continue;
      seen.add(name);
      const closest = closestName(name, known);
      warnings.push({
        code: "unknown_variable",
        variable: name,
        message: `${name} is not a variable asana-mcp reads, so it has no effect${closest ? `; did you mean ${closest}?` : "."}`,
      });
    }
  }
  return warnings;
}

/** Names other Asana tools use for a personal access token. */
const PAT_ALIASES = ["ASANA_TOKEN", "ASANA_API_TOKEN", "ASANA_API_KEY", "ASANA_PERSONAL_ACCESS_TOKEN"];

/** The known name nearest by edit distance (on the part after ASANA_), when it is near enough. */
function closestName(name: string, known: readonly string[]): string | undefined {
  const upper = name.toUpperCase();
  if (upper !== name && known.includes(upper)) return upper;
  if (PAT_ALIASES.includes(upper)) return "ASANA_PAT";
  const tail = (n: string) => n.toUpperCase().replace(/^ASANA_/, "");
  let best: { name: string; score: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(tail(name), tail(candidate));
    // Sharing a word (BOT in ASANA_BOT_TOKEN and ASANA_BOT_PAT) counts for more than letters.
    const words = new Set(tail(candidate).split("_"));
    const shared = tail(name)
      .split("_")
      .filter((w) => w && words.has(w)).length;
    const score = distance - 2 * shared;
    if (!best || score < best.score) best = { name: candidate, score };
  }
  return best && best.score <= Math.max(2, tail(name).length / 2) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * A value wrapped in one pair of matching quotes (`"…"` pasted into a client's JSON env, which
 * keeps them) is taken without them; a token with a stray quote left is refused by name.
 */
function unquote(name: string, raw: string): string {
  const value = raw.trim();
  const match = /^(["'])(.*)\1$/s.exec(value);
  // ASANA_BROWSER is a command line, where quotes have a meaning.
  if (match && name !== "ASANA_BROWSER") {
    const inner = match[2] ?? "";
    if (!inner.includes(match[1] ?? "")) return inner.trim();
  }
  return value;
}

/** ASANA_TOKEN_STORE=keychain|file|<path>; the default file lives in the user's config directory. */
function tokenStoreSetting(raw: string | undefined, env: Env, cwd: string): OAuthSettings["tokenStore"] {
  const defaultPath = join(userConfigDir(env), "asana-mcp", "oauth-login.json");
  if (raw === undefined || raw === "" || raw === "auto") return { mode: "auto", path: defaultPath };
  if (raw === "keychain") return { mode: "keychain", path: defaultPath };
  if (raw === "file") return { mode: "file", path: defaultPath };
  return { mode: "file", path: resolve(cwd, raw.startsWith("~/") ? join(homedir(), raw.slice(2)) : raw) };
}

/** Remote mode's embedded store: the user's data directory (XDG_DATA_HOME on Linux). */
function userDataDir(env: Env): string {
  if (process.platform === "win32") return join(env.LOCALAPPDATA ?? userConfigDir(env), "asana-mcp");
  if (process.platform === "darwin") return join(userConfigDir(env), "asana-mcp");
  return join(env.XDG_DATA_HOME || join(env.HOME || homedir(), ".local", "share"), "asana-mcp");
}

function userConfigDir(env: Env): string {
  if (process.platform === "win32") return env.APPDATA ?? join(homedir(), "AppData", "Roaming");
  if (process.platform === "darwin") return join(homedir(), "Library", "Application Support");
  return env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
}

export function tokenVariables(identityKind: IdentityKind): readonly string[] {
  return TOKEN_VARIABLES[identityKind];
}

function readDotenv(env: Env, cwd: string): { values: Record<string, string>; path?: string } {
  const path = resolve(cwd, env.ASANA_ENV_FILE ?? ".env");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    // A missing default .env is normal; a missing file the user named explicitly is a mistake.
    if (env.ASANA_ENV_FILE)
      throw new ConfigError(`ASANA_ENV_FILE=${env.ASANA_ENV_FILE} cannot be read (${code(error)}).`);
    return { values: {} };
  }
  // parse() only parses: unlike config() it neither touches process.env nor prints anything to stdout.
  return { values: parseDotenv(text), path };
}

/** https anywhere; plain http only to this machine (the tests' fake Asana, a local proxy). */
function checkBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`ASANA_BASE_URL is not a URL: ${JSON.stringify(raw)}.`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ConfigError(
      `ASANA_BASE_URL must use https (plain http is allowed only on 127.0.0.1): ${url.origin}.`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError("ASANA_BASE_URL must not carry credentials, a query or a fragment.");
  }
  const path = url.pathname.replace(/\/+$/, "");
  // Just the host (https://app.asana.com) means the API under it.
  if (path === "") return `${url.origin}${API_PATH}`;
  if (!path.endsWith(API_PATH)) {
    throw new ConfigError(
      `ASANA_BASE_URL must end in ${API_PATH}, Asana's API path (e.g. ${DEFAULT_BASE_URL}); got the path ${JSON.stringify(url.pathname)}.`,
    );
  }
  return `${url.origin}${path}`;
}

function describeInvalid(name: string, raw: string | undefined, error: z.ZodError): string {
  const issue = error.issues[0];
  const shown =
    raw === undefined ? "" : ` (got ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)})`;
  // "" is how an empty variable reads as unset: never worth listing as a choice.
  if (issue?.code === "invalid_value")
    return `${name} must be one of ${issue.values.filter((v) => v !== "").join(", ")}${shown}.`;
  if (issue?.code === "too_small") return `${name} must be at least ${issue.minimum}${shown}.`;
  if (issue?.code === "too_big") return `${name} must be at most ${issue.maximum}${shown}.`;
  return `${name} is invalid${shown}: ${issue?.message ?? "unexpected value"}.`;
}

function code(error: unknown): string {
  return error instanceof Error && "code" in error ? String(error.code) : "unreadable";
}

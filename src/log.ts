// Logs go to stderr only: in server mode stdout belongs to JSON-RPC.
import type { LogLevel } from "./config.js";

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
let threshold: LogLevel = "info";
/** Set once stderr is gone (the client closed it): a failed log line must not become another error. */
let sinkBroken = false;

export function stopLogging(): void {
  sinkBroken = true;
}

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/**
 * A secret compiled for redaction. `core` is the part whose fragments are secret too: for an Asana
 * token `N/gid:secret` or `N/gid/gid:secret` only what follows the last `:` (the gids before it,
 * `prefix`, are public and appear in every result); for any other secret, all of it.
 *
 * The fragment rule: any run of at least `min` characters of the core is redacted, wherever it
 * appears: `min` is 16 for cores of 20 characters or more (16 random characters are never a
 * coincidence in Asana data, and what remains of a token with 16 characters cut out is too little
 * to guess it from), the core less 4 characters for cores of 12 to 19, and the whole core below
 * that (a shorter fragment would match ordinary words). The core is cut into slices of
 * `probe` = ceil(min / 2) characters at offsets 0, probe, 2·probe…; every run of `min` characters
 * contains one whole slice, so a text containing no slice holds no fragment. A slice found is
 * extended both ways to the maximal match (and over the prefix when the whole token is there).
 */
interface Needle {
  prefix: string;
  core: string;
  min: number;
}

/** The process's fixed credentials (configured tokens, client secrets): few, registered once. */
const pinned = new Map<string, Needle[]>();
/**
 * Credentials that are replaced over time (OAuth access and refresh tokens), by slot: the current
 * value plus the few before it, which may still sit in a late log line or an answer in flight.
 * Older ones are expired or revoked, so the set stays bounded however long the server runs.
 */
const rotating = new Map<string, Array<{ secret: string; needles: Needle[] }>>();
export const ROTATING_HISTORY = 4;
/** The credentials that rotate: access tokens hourly, refresh tokens when Asana rotates them. */
export const SECRET_SLOTS = {
  oauthAccess: "oauth access token",
  oauthRefresh: "oauth refresh token",
  /** Remote mode: the Asana tokens of everyone signed in, the most recently used first. */
  remoteSignIns: "remote sign-in tokens",
} as const;
/** Remote mode keeps the latest of its people's Asana tokens in the redactor (bounded, however many sign in). */
export const REMOTE_SIGN_IN_HISTORY = 64;

/**
 * Every slice of every secret in one regular expression: a single pass over the text finds any
 * of them (one indexOf per slice costs several times more on a 16 kB result), and the slice found
 * says which secret and where in it.
 */
let scanner: RegExp | undefined;
let slices = new Map<string, Array<{ needle: Needle; offset: number }>>();
let count = 0;

/** A secret with a quote, a backslash or a control character is also looked for as JSON writes it. */
function compile(secret: string): Needle[] {
  const escaped = JSON.stringify(secret).slice(1, -1);
  return escaped === secret ? [needleOf(secret)] : [needleOf(secret), needleOf(escaped)];
}

function needleOf(secret: string): Needle {
  const colon = secret.lastIndexOf(":");
  const split = /^\d+\/[0-9/]+:./.test(secret) && secret.length - colon - 1 >= 12;
  const core = split ? secret.slice(colon + 1) : secret;
  const n = core.length;
  const min = n < 12 ? n : n >= 20 ? 16 : n - 4;
  return { prefix: split ? secret.slice(0, colon + 1) : "", core, min };
}

function rebuild(): void {
  const all = [...[...pinned.values()].flat(), ...[...rotating.values()].flat().flatMap((r) => r.needles)];
  count = all.length;
  slices = new Map();
  for (const needle of all) {
    const probe = Math.ceil(needle.min / 2);
    for (let offset = 0; offset + probe <= needle.core.length; offset += probe) {
      const slice = needle.core.slice(offset, offset + probe);
      const at = slices.get(slice);
      if (at) at.push({ needle, offset });
      else slices.set(slice, [{ needle, offset }]);
    }
  }
  // Longest first, so that a slice is never shadowed by a shorter one it starts with.
  const sources = [...slices.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  scanner = sources.length ? new RegExp(sources.join("|"), "g") : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/**
 * Every secret the process holds is registered here, so no log line, error or result can carry it.
 * `slot` names a credential that is replaced over time ("oauth access token"): registering a new
 * value in a slot keeps the last `keep` (ROTATING_HISTORY) values of that slot and forgets older ones.
 */
export function registerSecret(secret: string | undefined, slot?: string, keep = ROTATING_HISTORY): void {
  if (!secret || secret.length < 4) return;
  if (slot === undefined) {
    if (pinned.has(secret)) return;
    pinned.set(secret, compile(secret));
  } else {
    const history = rotating.get(slot) ?? [];
    if (history.at(-1)?.secret === secret) return;
    const kept = history.filter((r) => r.secret !== secret);
    kept.push({ secret, needles: compile(secret) });
    rotating.set(slot, kept.slice(-keep));
  }
  rebuild();
}

/**
 * Every secret the process holds, whole, as a file's bytes would carry it: a personal access
 * token's part after its `n/gid:` prefix (a JSON writer may escape the slashes before it), else the
 * secret itself; none shorter than 8 characters, which ordinary text would hold by chance.
 */
export function heldSecrets(): string[] {
  const all = [...pinned.keys(), ...[...rotating.values()].flat().map((r) => r.secret)];
  const cores = all.map((secret) => /^\d+\/[0-9/]+:(.{12,})$/.exec(secret)?.[1] ?? secret);
  return [...new Set(cores)].filter((core) => core.length >= 8);
}

/** How many secrets redaction looks for (tests check the bound). */
export function registeredSecretCount(): number {
  return count;
}

const REDACTED = "[redacted]";

/** Replaces registered secrets, long fragments of them, and anything that looks like a bearer credential. */
export function redact(text: string): string {
  const out = scanner ? redactSecrets(text, scanner) : text;
  return out.replace(/(Bearer\s+)[^\s"',;]+/gi, "$1[redacted]");
}

function redactSecrets(text: string, re: RegExp): string {
  const ranges: Array<[number, number]> = [];
  re.lastIndex = 0;
  for (let found = re.exec(text); found; found = re.exec(text)) {
    const at = found.index;
    let next = at + 1;
    for (const { needle, offset } of slices.get(found[0]) ?? []) {
      const { core, prefix } = needle;
      let start = at;
      let k = offset;
      while (start > 0 && k > 0 && text[start - 1] === core[k - 1]) {
        start--;
        k--;
      }
      if (k === 0 && prefix && text.startsWith(prefix, start - prefix.length)) start -= prefix.length;
      let end = at + found[0].length;
      k = offset + found[0].length;
      while (end < text.length && k < core.length && text[end] === core[k]) {
        end++;
        k++;
      }
      if (end - start >= needle.min) {
        ranges.push([start, end]);
        next = Math.max(next, end);
      }
    }
    re.lastIndex = next;
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = "";
  let last = 0;
  for (const [start, end] of ranges) {
    if (end <= last) continue;
    out += start >= last ? `${text.slice(last, start)}${REDACTED}` : "";
    last = end;
  }
  return out + text.slice(last);
}

function write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  if (sinkBroken || ORDER[level] > ORDER[threshold]) return;
  const extra = fields ? ` ${JSON.stringify(fields)}` : "";
  process.stderr.write(`asana-mcp ${level}: ${redact(message + extra)}\n`);
}

export const log = {
  error: (message: string, fields?: Record<string, unknown>) => write("error", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("warn", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("info", message, fields),
  debug: (message: string, fields?: Record<string, unknown>) => write("debug", message, fields),
};

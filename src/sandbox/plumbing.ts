/** HTTP plumbing of the sandbox server: request bodies, bearer tokens, Asana-style error bodies and phrases. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ERROR_HELP, type Json, RATE_LIMIT_MESSAGE, type RecordedRequest, type Reply } from "./model.js";

export const MAX_BODY_BYTES = 1024 * 1024;

export const JSON_TYPE = "application/json; charset=utf-8";

export function errorReply(status: number, message: string, phrase?: string): Reply {
  const error: Record<string, Json> = { message, help: ERROR_HELP };
  if (phrase !== undefined) error.phrase = phrase;
  return { status, body: { errors: [error] } };
}

export const DEFAULT_STATUS_MESSAGES: Record<number, string> = {
  400: "Bad Request",
  401: "Not Authorized",
  402: "This feature is not available on your current premium level.",
  403: "Forbidden",
  404: "Not Found",
  429: RATE_LIMIT_MESSAGE,
  500: "Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1] ?? null;
}

/** Error phrases, like node-asana-phrase: "6 sad squid snuggle softly". */
export const PHRASE_ADJECTIVES = [
  "sad",
  "happy",
  "sleepy",
  "brave",
  "fuzzy",
  "quiet",
  "jolly",
  "grumpy",
  "shiny",
];

export const PHRASE_NOUNS = ["squid", "sheep", "moose", "deer", "bison", "salmon", "trout", "fish", "cod"];

export const PHRASE_VERBS = ["snuggle", "dance", "wander", "sing", "nap", "swim", "juggle", "ponder", "hum"];

export const PHRASE_ADVERBS = [
  "softly",
  "boldly",
  "quietly",
  "gracefully",
  "happily",
  "slowly",
  "loudly",
  "oddly",
];

export function makePhrase(rand: () => number): string {
  const pick = (words: string[]) => words[Math.floor(rand() * words.length)] ?? words[0];
  const n = 2 + Math.floor(rand() * 19);
  return `${n} ${pick(PHRASE_ADJECTIVES)} ${pick(PHRASE_NOUNS)} ${pick(PHRASE_VERBS)} ${pick(PHRASE_ADVERBS)}`;
}

/** Writes a reply, unless the client is gone (or a fault already answered); records its status. */
export function sendReply(res: ServerResponse, record: RecordedRequest, reply: Reply, pretty: boolean): void {
  if (res.destroyed || res.headersSent) return;
  record.status = reply.status;
  res.statusCode = reply.status;
  res.setHeader("Content-Type", JSON_TYPE);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.end(JSON.stringify(reply.body, null, pretty ? 2 : undefined));
}

/** Drops the oldest entries beyond `limit`, in place (callers hold the array itself). */
export function trim(items: unknown[], limit: number): void {
  if (items.length > limit) items.splice(0, items.length - limit);
}

/** The Asana-Enable flags a request opts into: comma-separated, in one header or several. */
export function asanaEnabled(header: string | string[] | undefined): ReadonlySet<string> {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return new Set(
    values
      .flatMap((v) => v.split(","))
      .map((v) => v.trim())
      .filter(Boolean),
  );
}

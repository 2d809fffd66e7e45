// Opaque cursors over Asana's offset tokens. A cursor carries Asana's next_page.offset untouched
// and the listing it belongs to, so it cannot be replayed against other arguments by mistake.
import { createHash } from "node:crypto";
import type { Identity } from "../auth/identities.js";
import { AppError } from "../errors.js";
import type { AsanaCall, AsanaClient } from "./http.js";

const tags = new Map<string, string>();

/** A short digest of the listing's arguments: enough to tell listings apart, cheap in tokens. */
function scopeTag(scope: string): string {
  let tag = tags.get(scope);
  if (tag === undefined) {
    tag = createHash("sha256").update(scope).digest("base64url").slice(0, 8);
    // A hash per page costs ~10 µs; listings repeat, so the digests are kept (a bounded few).
    if (tags.size >= 256) tags.clear();
    tags.set(scope, tag);
  }
  return tag;
}

export function encodeCursor(offset: string, scope: string): string {
  return Buffer.from(JSON.stringify({ o: offset, s: scopeTag(scope) }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, scope: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const { o, s } = (parsed ?? {}) as { o?: unknown; s?: unknown };
  if (typeof o !== "string" || typeof s !== "string") {
    throw new AppError(
      "invalid_input",
      "cursor: not a next_cursor returned by this tool; call again without cursor.",
    );
  }
  if (s !== scopeTag(scope)) {
    throw new AppError(
      "invalid_input",
      "cursor: this next_cursor belongs to a listing with other arguments; pass the same arguments, or start again without cursor.",
    );
  }
  return o;
}

/**
 * Reads a listing page by page (100 a page), at most `maxPages` deep. `complete` is false when
 * the bound cut it short: a read-back that does not find a write in an incomplete listing
 * proves nothing.
 */
export async function readPages<T>(
  asana: AsanaClient,
  identity: Identity,
  call: Omit<AsanaCall, "method">,
  maxPages: number,
): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let offset: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { data, nextPage } = await asana.request<T[]>(identity, {
      ...call,
      method: "GET",
      query: { ...call.query, limit: 100, offset },
    });
    items.push(...data);
    offset = nextPage?.offset;
    if (!offset) return { items, complete: true };
  }
  return { items, complete: false };
}

// Settling an uncertain write: proof, never likeness. Asana has no idempotency keys, so a create
// whose POST may or may not have reached Asana (reset, timeout after sending, body cut short) is
// decided by reading back, never by a blind second POST. A tool supplies how to list the
// candidates and how to tell "exactly what I sent" (every field it set, as Asana stores it); this
// mechanism owns the rest, the same for every create:
//
// - "created" only with proof the object is this call's own: made by the acting identity (resolved
//   by /users/me; unresolved means write_unknown, never "any author"), made after this call was sent
//   in Asana's clock (src/asana/clock.ts), matching every field, and not already given to another
//   call of this process (the claimed set) or, for the identities replicas share, of another
//   replica (claims in the shared store: the first to claim a gid owns it);
// - "not created" (write_not_applied, safe to call again) only when the last read-back, made after
//   Asana's read lag, was complete and nothing in it can be this call's;
// - everything in between is write_unknown, with a hint naming what to read.
//
// A write whose repetition cannot double anything is simply sent once more (idempotentWrite).
import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { AsanaCall, AsanaClient } from "../asana/http.js";
import { AppError } from "../errors.js";
import { log } from "../log.js";
import type { Store } from "../store/types.js";
import type { ToolContext } from "./define.js";

/**
 * When the read-backs start, counted from the moment the write failed. Asana is eventually
 * consistent: an object may be missing from reads for a moment after it was made. Lag up to
 * SETTLE_LAG_MS is handled: only a read that starts at least that long after the failure may
 * answer "not created". The whole wait stays a few seconds inside the tool's deadline.
 */
export const SETTLE_READS_AT_MS = [0, 500, 1_500, 3_000, 4_500];
export const SETTLE_LAG_MS = 4_000;
/**
 * Slack under the "created after sent" bound, for created_at and the Date header coming from
 * different Asana hosts (clock differences within a data centre, milliseconds rounding). The
 * bound itself already sits below the truth (see AsanaClock).
 */
export const CLOCK_MARGIN_MS = 250;
/** How many gids the claimed set remembers (least recently claimed forgotten first). */
export const MAX_CLAIMED = 5_000;
/**
 * How long a claim in the shared store lasts: a gid is a candidate only for settlements of calls
 * sent before it was made, which end within seconds, so an hour is far past any that could take it.
 */
export const SHARED_CLAIM_MS = 60 * 60_000;
/** A create in flight is counted in the shared store this long at most (a killed replica's ends). */
const SENDING_LEASE_MS = 120_000;
const MAX_SENDING = 100_000;

/** Given by Asana's answer, by a settlement here, or (the shared store says) to another replica's call. */
type Claim = "answered" | "settled" | "elsewhere";

/**
 * Per Asana client, i.e. per process in production (one client), per test in tests. For shared
 * identities it is the fast path in front of the shared store's claims: a gid claimed here is
 * never asked about there.
 */
class Ledger {
  /** gid -> how it was given to a call: by Asana's answer, or by a settlement. Insertion-ordered LRU. */
  private readonly claimed = new Map<string, Claim>();
  /** key -> how many calls with that key have a create in flight (POST sent, not answered). */
  private readonly inFlight = new Map<string, number>();

  claim(gid: string, how: Claim): void {
    this.claimed.delete(gid);
    this.claimed.set(gid, how);
    if (this.claimed.size > MAX_CLAIMED) {
      const oldest = this.claimed.keys().next().value;
      if (oldest !== undefined) this.claimed.delete(oldest);
    }
  }

  claimOf(gid: string): Claim | undefined {
    return this.claimed.get(gid);
  }

  sending(key: string, delta: 1 | -1): void {
    const n = (this.inFlight.get(key) ?? 0) + delta;
    if (n > 0) this.inFlight.set(key, n);
    else this.inFlight.delete(key);
  }

  othersSending(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }
}

const ledgers = new WeakMap<AsanaClient, Ledger>();
function ledgerOf(asana: AsanaClient): Ledger {
  let ledger = ledgers.get(asana);
  if (!ledger) {
    ledger = new Ledger();
    ledgers.set(asana, ledger);
  }
  return ledger;
}

export interface CreateSpec<T extends { gid: string }> {
  context: ToolContext;
  /** For messages: "the comment". */
  what: string;
  /** For messages: "the task's comments". */
  where: string;
  /** What the agent can call to look for itself: "list_comments on task 123". */
  readBack: string;
  /** Calls with the same key create identical objects (same tool, target and fields). */
  key: string;
  /** The POST. A write_unknown failure is settled; any other error is the answer. */
  send: () => Promise<T>;
  /** Where the object would be; complete is false when the listing was cut short. */
  list: () => Promise<{ items: T[]; complete: boolean }>;
  /** How many objects list() reads at most, for the message when it is cut short. */
  maxItems: number;
  /** Who made an object, or null for kinds Asana records no author for (sections). */
  authorOf: ((item: T) => string | undefined) | null;
  createdAtOf: (item: T) => string | undefined;
  /**
   * Is this exactly what the call sent: every field it set, compared as Asana stores it.
   * "unknown" when a field could not be compared: such a candidate is never taken, and it leaves
   * the write uncertain instead of "not created".
   */
  matches: (item: T, actingGid: string | undefined) => boolean | "unknown";
}

/** Creates once: Asana's answer, or the settled read-back after an uncertain failure. */
export async function createOnce<T extends { gid: string }>(
  spec: CreateSpec<T>,
): Promise<{ created: T; verified: boolean }> {
  const { asana } = spec.context;
  const ledger = ledgerOf(asana);
  const sentAt = asana.clock.now();
  let created: T;
  ledger.sending(spec.key, 1);
  const sending = await sendingElsewhere(spec);
  try {
    created = await spec.send();
  } catch (error) {
    ledger.sending(spec.key, -1);
    await sending.done();
    if (!(error instanceof AppError) || error.code !== "write_unknown") throw error;
    return { created: await settle(spec, ledger, sentAt, error), verified: true };
  }
  ledger.sending(spec.key, -1);
  await sending.done();
  const before = ledger.claimOf(created.gid);
  ledger.claim(created.gid, "answered");
  // Asana's answer is the truth either way: the claim only keeps other replicas' settlements off it.
  const store = asana.shared?.storeFor(spec.context.identity);
  const first = store ? await claimShared(store, created.gid).catch(warnUnclaimed) : true;
  if (before === "settled" || !first) {
    log.warn(`Asana answered a create with ${created.gid}, which a settled call was already given`);
  }
  return { created, verified: false };
}

/**
 * For shared identities, every replica's identical creates still unanswered are counted in the
 * shared store too (a leased slot per call): a settlement on one replica must not take an object
 * that another replica's POST, still in flight, may yet be answered with. Best effort: a store
 * failure here is logged and the local count alone is used.
 */
async function sendingElsewhere(
  spec: Pick<CreateSpec<{ gid: string }>, "context" | "key">,
): Promise<{ done(): Promise<void> }> {
  const store = spec.context.asana.shared?.storeFor(spec.context.identity);
  if (!store) return { done: async () => undefined };
  const name = sendingName(spec.key);
  const holder = randomUUID();
  const held = await store
    .acquireSlot(name, MAX_SENDING, holder, SENDING_LEASE_MS)
    .catch((error: unknown) => {
      log.warn(`a create in flight could not be recorded in the shared store: ${String(error)}`);
      return false;
    });
  return {
    done: async () => {
      if (held) await store.releaseSlot(name, holder).catch(() => undefined);
    },
  };
}

function sendingName(key: string): string {
  return `sending:${createHash("sha256").update(key).digest("base64url")}`;
}

/** How many identical creates of other calls may still be unanswered, here or on other replicas. */
async function othersSending(ledger: Ledger, store: Store | undefined, key: string): Promise<number> {
  const here = ledger.othersSending(key);
  if (!store) return here;
  const everywhere = await store.countSlots(sendingName(key)).catch(() => here);
  return Math.max(here, everywhere);
}

function claimShared(store: Store, gid: string): Promise<boolean> {
  return store.claim(`settle:${gid}`, Date.now() + SHARED_CLAIM_MS);
}

function warnUnclaimed(error: unknown): true {
  const why = error instanceof Error ? error.message : String(error);
  log.warn(`a created object could not be claimed in the shared store: ${why}`);
  return true;
}

/**
 * Takes a gid for this call: first here, then (shared identities) in the shared store. Resolves
 * false when another replica's call has it.
 */
async function take(ledger: Ledger, store: Store | undefined, gid: string): Promise<boolean> {
  if (store && !(await claimShared(store, gid))) {
    ledger.claim(gid, "elsewhere");
    return false;
  }
  ledger.claim(gid, "settled");
  return true;
}

async function settle<T extends { gid: string }>(
  spec: CreateSpec<T>,
  ledger: Ledger,
  sentAt: number,
  cause: AppError,
): Promise<T> {
  const { context, what, where } = spec;
  const { asana, identity, resolver, config, signal } = context;
  const store = asana.shared?.storeFor(identity);
  const unknown = (why: string, readError?: unknown) =>
    new AppError("write_unknown", `${cause.message} ${why}`, {
      requestId: cause.requestId,
      cause: readError,
      hint: `It is not certain whether Asana made ${what}: read the object back (${spec.readBack}) and look for it, made just now, before calling again; call again only if it is not there.`,
    });

  let acting: string | undefined;
  if (spec.authorOf !== null) {
    // Worth waiting for (retries included): without it the answer can only be write_unknown.
    // The tool's deadline still bounds it.
    const resolution = await resolver.current(identity, asana, config.requestTimeoutMs * 4, signal);
    acting = resolution.status === "ok" ? resolution.user?.gid : undefined;
    if (acting === undefined) {
      throw unknown(
        `Who the acting identity is could not be learnt from Asana (${resolution.error?.message ?? "GET /users/me did not answer"}), so ${what} cannot be told apart from someone else's.`,
      );
    }
  }

  const failedAt = asana.clock.now();
  for (const [i, at] of SETTLE_READS_AT_MS.entries()) {
    const wait = failedAt + at - asana.clock.now();
    if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) throw unknown(`The call ended before ${where} could be read to check.`);
    const last = i === SETTLE_READS_AT_MS.length - 1;
    let listing: { items: T[]; complete: boolean };
    try {
      listing = await spec.list();
    } catch (readError) {
      const why = readError instanceof Error ? readError.message : String(readError);
      throw unknown(`Reading ${where} to check also failed: ${why}`, readError);
    }
    // Read after the listing: its answers carry the freshest Date headers.
    const earliest = asana.clock.earliest(sentAt);
    if (earliest === undefined) {
      throw unknown(
        `Asana's answers carry no Date header, so ${what} cannot be told apart from an older one.`,
      );
    }
    let incomparable = false;
    const candidates = listing.items.filter((item) => {
      const at = Date.parse(spec.createdAtOf(item) ?? "");
      if (!Number.isFinite(at) || at < earliest - CLOCK_MARGIN_MS) return false;
      if (spec.authorOf !== null && spec.authorOf(item) !== acting) return false;
      const match = spec.matches(item, acting);
      if (match === "unknown") incomparable = true;
      return match === true;
    });
    let free = candidates
      .filter((c) => ledger.claimOf(c.gid) === undefined)
      .sort((a, b) => (spec.createdAtOf(a) ?? "").localeCompare(spec.createdAtOf(b) ?? ""));
    // A call with the same key whose POST is still unanswered may yet be given one of these by
    // Asana's answer: claim only when there are more than such calls could take. The oldest free
    // one is this call's, unless another replica's call claimed it first.
    const inFlight = await othersSending(ledger, store, spec.key);
    while (free.length > inFlight) {
      const [oldest, ...rest] = free as [T, ...T[]];
      let mine: boolean;
      try {
        mine = await take(ledger, store, oldest.gid);
      } catch (storeError) {
        const why = storeError instanceof Error ? storeError.message : String(storeError);
        throw unknown(
          `One found in ${where} may be it, but whether another replica's call took it first could not be checked: ${why}`,
          storeError,
        );
      }
      if (mine) return oldest;
      free = rest;
    }
    if (!listing.complete) {
      throw unknown(
        `${capitalize(where)} run to more than ${spec.maxItems}, more than this server reads back, and ${what} is not in the part read.`,
      );
    }
    if (!last) continue;
    if (free.length > 0) {
      throw unknown(
        `An identical call of this server, still waiting for Asana's answer, may have made the ${free.length === 1 ? "one" : "ones"} found in ${where}.`,
      );
    }
    if (incomparable) {
      throw unknown(
        `${capitalize(where)} hold one made by this identity just now whose fields could not all be compared with what was sent.`,
      );
    }
    const given = (c: T) => ledger.claimOf(c.gid) === "settled" || ledger.claimOf(c.gid) === "elsewhere";
    if (candidates.some(given)) {
      throw unknown(
        `${capitalize(where)} hold an identical one made at the same moment, already given to another identical call of this server (or of another replica); either call may have made it.`,
      );
    }
  }
  throw new AppError(
    "write_not_applied",
    `${cause.message} ${capitalize(where)} were read ${SETTLE_READS_AT_MS.length} times over ${SETTLE_READS_AT_MS.at(-1)! / 1000} s afterwards, completely, and ${what} is not there, so it was not created.`,
    { requestId: cause.requestId },
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Runs of whitespace as one space, trimmed: how plain text is compared. */
export function squash(s: string | null | undefined): string {
  return (s ?? "").replace(/\s+/g, " ").trim();
}

/**
 * Sends a write whose repetition cannot double anything (PUT of absolute values, add/remove of a
 * set member). After an uncertain failure it is sent once more; what Asana answers then is the truth.
 * `first`: the first attempt when it is not `call` itself but the same write sent another way (an
 * action of a batch request); the repetition is `call`.
 */
export async function idempotentWrite<T>(
  context: ToolContext,
  call: AsanaCall,
  first?: () => Promise<T>,
): Promise<{ data: T; repeated: boolean }> {
  try {
    const data = first ? await first() : (await context.asana.request<T>(context.identity, call)).data;
    return { data, repeated: false };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "write_unknown") throw error;
    return { data: (await context.asana.request<T>(context.identity, call)).data, repeated: true };
  }
}

// Settling an uncertain write. A create's POST may or may not have reached Asana: reading back
// decides, the object is there (answer with it) or it is not (write_not_applied, safe to call
// again); never a blind second POST. A write that cannot double is simply sent once more.
import { setTimeout as sleep } from "node:timers/promises";
import type { AsanaCall } from "../asana/http.js";
import { AppError } from "../errors.js";
import type { ToolContext } from "./define.js";

/** Reads back this many times, this far apart: Asana's reads can lag a write briefly. */
export const SETTLE_DELAYS_MS = [0, 500, 1_500];
/** A matching object must be at most this much older than our POST (clock skew). */
export const SKEW_MS = 120_000;

export async function settleCreate<T>(options: {
  cause: AppError;
  signal: AbortSignal;
  /** What was being created, for messages: "the task", "the comment". */
  what: string;
  /** Where it was looked for, for messages: "the project's tasks". */
  where: string;
  /** One read-back: the created object, or undefined when it is not there. */
  find: () => Promise<T | undefined>;
}): Promise<T> {
  const { cause, signal, what, where, find } = options;
  for (const delay of SETTLE_DELAYS_MS) {
    if (delay) await sleep(delay, undefined, { signal });
    let found: T | undefined;
    try {
      found = await find();
    } catch (readError) {
      const why = readError instanceof Error ? readError.message : String(readError);
      throw new AppError("write_unknown", `${cause.message} Reading ${where} to check also failed: ${why}`, {
        requestId: cause.requestId,
        cause: readError,
      });
    }
    if (found !== undefined) return found;
  }
  throw new AppError(
    "write_not_applied",
    `${cause.message} ${capitalize(where)} were read ${SETTLE_DELAYS_MS.length} times afterwards and ${what} is not there, so it was not created.`,
    { requestId: cause.requestId },
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Sends a write whose repetition cannot double anything (PUT of absolute values, add/remove of a
 * set member). After an uncertain failure it is sent once more; what Asana answers then is the truth.
 */
export async function idempotentWrite<T>(
  context: ToolContext,
  call: AsanaCall,
): Promise<{ data: T; repeated: boolean }> {
  try {
    return { data: (await context.asana.request<T>(context.identity, call)).data, repeated: false };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "write_unknown") throw error;
    return { data: (await context.asana.request<T>(context.identity, call)).data, repeated: true };
  }
}

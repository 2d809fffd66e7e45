// Settling an uncertain create: the POST may or may not have reached Asana. Reading back decides:
// the object is there (answer with it) or it is not (write_not_applied, safe to call again).
// Never a blind second POST.
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../errors.js";

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

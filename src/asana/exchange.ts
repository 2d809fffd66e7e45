// One HTTP exchange through undici's dispatch API, with the answer's size and time limits.
import type { Dispatcher } from "undici";
import type { BodyBudget, BudgetHolder } from "./budget.js";

/** The code of a cancel or deadline that came before undici had a connection for the request. */
export const ABORTED_BEFORE_SENDING = "ASANA_MCP_ABORTED_BEFORE_SENDING";
/** The code of an answer body that passed maxResponseBytes. */
export const RESPONSE_TOO_LARGE = "ASANA_MCP_RESPONSE_TOO_LARGE";
/** The code of an answer body still arriving requestTimeoutMs after its headers. */
export const BODY_TOO_SLOW = "ASANA_MCP_BODY_TOO_SLOW";

/** Drops a leading byte-order mark, as undici's body.text() does: JSON.parse would refuse it. */
const utf8 = new TextDecoder();

export interface ExchangeLimits {
  signal: AbortSignal | undefined;
  /** The body is aborted as soon as more than this has arrived. */
  maxBytes: number;
  /** Shared by every exchange of the client: what they hold together. */
  budget: BodyBudget;
  /** The whole body must have arrived this long after the headers (undici's bodyTimeout is per chunk). */
  bodyTimeMs: number;
  /** Called when undici has a connection and is about to write the request. */
  onSending?: () => void;
}

/**
 * One HTTP exchange through undici's dispatch API, the answer read whole. `request()` would wrap
 * the body in a stream and the handler in several layers: this costs about a quarter less CPU per
 * call (bench/percall.mjs). Aborting the signal aborts the exchange, closing its connection if
 * the request is in flight.
 */
export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  limits: ExchangeLimits,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const { signal, maxBytes, budget } = limits;
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    let received = 0;
    let bodyTimer: NodeJS.Timeout | undefined;
    let done = false;
    let share: BudgetHolder | undefined;
    const settle = () => {
      done = true;
      clearTimeout(bodyTimer);
      if (share) budget.leave(share);
      signal?.removeEventListener("abort", onAbort);
    };
    // Ends the exchange with a failure of our own: the connection is closed, what arrived is dropped.
    const fail = (code: string, message: string) => {
      if (done) return;
      settle();
      chunks.length = 0;
      const error = Object.assign(new Error(message), { code, status });
      controller?.abort(error);
      reject(error);
    };
    // Until undici hands the request a connection (onRequestStart) nothing is written, so a cancel
    // or deadline then ends the exchange at once, as not sent, instead of waiting for a connection
    // (up to the connect timeout) only to abort it there.
    const abortUnsent = () => {
      settle();
      reject(Object.assign(new Error("Ended before it was sent."), { code: ABORTED_BEFORE_SENDING }));
    };
    const onAbort = () => (controller ? controller.abort(signal?.reason) : abortUnsent());
    if (signal?.aborted) return abortUnsent();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      dispatcher.dispatch(options, {
        onRequestStart(started) {
          controller = started;
          // Aborted here, undici writes nothing (client-h1 checks right after this call).
          if (signal?.aborted) {
            started.abort(signal.reason);
            abortUnsent();
            return;
          }
          limits.onSending?.();
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          headers = responseHeaders;
          const length = Number(firstHeader(responseHeaders, ["content-length"]));
          if (length > maxBytes) {
            fail(RESPONSE_TOO_LARGE, `The answer announced ${length} bytes.`);
            return;
          }
          share = budget.join();
          bodyTimer = setTimeout(
            () => fail(BODY_TOO_SLOW, "The answer's body did not arrive in time."),
            limits.bodyTimeMs,
          );
        },
        onResponseData(reading, chunk) {
          if (done) return;
          received += chunk.length;
          if (received > maxBytes) {
            fail(RESPONSE_TOO_LARGE, `The answer passed ${maxBytes} bytes.`);
            return;
          }
          chunks.push(chunk);
          if (share && !budget.add(share, chunk.length)) {
            reading.pause();
            share.resume = () => reading.resume();
          }
        },
        onResponseEnd() {
          if (done) return;
          settle();
          resolve({ status, headers, text: utf8.decode(Buffer.concat(chunks)) });
        },
        onResponseError(_controller, error) {
          if (done) return;
          settle();
          reject(error);
        },
      });
    } catch (error) {
      settle();
      reject(error);
    }
  });
}

export function firstHeader(
  headers: Record<string, string | string[] | undefined>,
  names: string[],
): string | undefined {
  for (const name of names) {
    const value = headers[name];
    if (typeof value === "string" && value) return value;
  }
  return undefined;
}

// Which Asana requests a tool call made, so the audit log can name the request id of a write
// without every tool threading it through its result. AsyncLocalStorage follows the call's
// async work; outside a traced call, noting is a no-op.
import { AsyncLocalStorage } from "node:async_hooks";

export interface TracedRequest {
  method: string;
  status: number;
  requestId?: string;
}

export interface Trace {
  /** Every answer Asana gave the call (bounded). */
  requests: TracedRequest[];
  /** Whether a write request was handed to a connection: Asana may have it even without an answer. */
  writeSent: boolean;
}

const storage = new AsyncLocalStorage<Trace>();

/** Runs `work` with a fresh trace, which it returns alongside the work's promise. */
export function traced<T>(work: () => Promise<T>): { trace: Trace; result: Promise<T> } {
  const trace: Trace = { requests: [], writeSent: false };
  return { trace, result: storage.run(trace, work) };
}

/** An empty trace, for calls that are not traced. */
export function untraced(): Trace {
  return { requests: [], writeSent: false };
}

/** Called by the HTTP client for every answer Asana gave. */
export function noteRequest(request: TracedRequest): void {
  const trace = storage.getStore();
  // Bounded: a runaway pagination must not grow the trace without end.
  if (trace && trace.requests.length < 1_000) trace.requests.push(request);
}

/** Called by the HTTP client when a write's request is about to be written to a connection. */
export function noteWriteSent(): void {
  const trace = storage.getStore();
  if (trace) trace.writeSent = true;
}

/**
 * The request id of the last write Asana answered. Reads (a policy lookup, the read-back after an
 * uncertain write) are not the write's record, so without an answered write there is none.
 */
export function lastWriteRequestId(trace: Trace): string | undefined {
  return trace.requests.filter((r) => r.method !== "GET" && r.requestId).at(-1)?.requestId;
}

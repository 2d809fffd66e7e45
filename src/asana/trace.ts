// Which Asana requests a tool call made, so the audit log can name the request id of a write
// without every tool threading it through its result. AsyncLocalStorage follows the call's
// async work; outside a traced call, noting is a no-op.
import { AsyncLocalStorage } from "node:async_hooks";

export interface TracedRequest {
  method: string;
  status: number;
  requestId?: string;
}

const storage = new AsyncLocalStorage<TracedRequest[]>();

/** Runs `work` with a fresh trace, which it returns alongside the work's promise. */
export function traced<T>(work: () => Promise<T>): { trace: TracedRequest[]; result: Promise<T> } {
  const trace: TracedRequest[] = [];
  return { trace, result: storage.run(trace, work) };
}

/** Called by the HTTP client for every answer Asana gave. */
export function noteRequest(request: TracedRequest): void {
  const trace = storage.getStore();
  // Bounded: a runaway pagination must not grow the trace without end.
  if (trace && trace.length < 1_000) trace.push(request);
}

/**
 * The request id of the last write Asana answered. Reads (a policy lookup, the read-back after an
 * uncertain write) are not the write's record, so without an answered write there is none.
 */
export function lastWriteRequestId(trace: readonly TracedRequest[]): string | undefined {
  return trace.filter((r) => r.method !== "GET" && r.requestId).at(-1)?.requestId;
}

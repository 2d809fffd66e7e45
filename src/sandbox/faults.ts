// Injected faults: which request each applies to, and how a faulty answer is written. The faults
// that cut or stall a connection (reset-before, reset-after, cut-body, delay) act in FakeAsana's
// handler, where the socket is.
import { type ServerResponse, STATUS_CODES } from "node:http";
import type { Fault, Json, RecordedRequest, Reply } from "./model.js";
import { DEFAULT_STATUS_MESSAGES, errorReply, JSON_TYPE, makePhrase } from "./plumbing.js";

/** Faults waiting for a matching request, first injected first; each for `times` requests. */
export class FaultQueue {
  private queued: Array<{ fault: Fault; remaining: number }> = [];

  add(fault: Fault): void {
    this.queued.push({ fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.queued = [];
  }

  /** The fault for this request (or batch action), if one matches (and one use of it is spent). */
  take(method: string, path: string, action = false): Fault | null {
    const index = this.queued.findIndex(({ fault }) => {
      if ((fault.action ?? false) !== action) return false;
      if (fault.method !== undefined && fault.method.toUpperCase() !== method) return false;
      if (fault.path === undefined) return true;
      return typeof fault.path === "string" ? fault.path === path : fault.path.test(path);
    });
    const queued = this.queued[index];
    if (queued === undefined) return null;
    queued.remaining -= 1;
    if (queued.remaining <= 0) this.queued.splice(index, 1);
    return queued.fault;
  }
}

/** A status fault's answer as a reply (a batch action's). */
export function faultReply(fault: Fault & { type: "status" }, phraseRand: () => number): Reply {
  if (fault.body !== undefined)
    return { status: fault.status, body: fault.body as Json, headers: fault.headers };
  const message = DEFAULT_STATUS_MESSAGES[fault.status] ?? STATUS_CODES[fault.status] ?? "Error";
  return errorReply(fault.status, message, fault.status === 500 ? makePhrase(phraseRand) : undefined);
}

/** Writes a status, bad-json or html fault's answer. */
export function sendFault(
  res: ServerResponse,
  record: RecordedRequest,
  fault: Fault,
  phraseRand: () => number,
): void {
  if (res.destroyed) return;
  if (fault.type === "bad-json") {
    record.status = 200;
    res.writeHead(200, { "Content-Type": JSON_TYPE });
    res.end('{"data":{"gid":"12');
  } else if (fault.type === "html") {
    const title = `${fault.status} ${STATUS_CODES[fault.status] ?? "Error"}`;
    record.status = fault.status;
    res.writeHead(fault.status, { "Content-Type": "text/html; charset=utf-8" });
    res.end(
      `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>\n`,
    );
  } else if (fault.type === "status") {
    let payload: string;
    if (fault.body === undefined) {
      const message = DEFAULT_STATUS_MESSAGES[fault.status] ?? STATUS_CODES[fault.status] ?? "Error";
      const phrase = fault.status === 500 ? makePhrase(phraseRand) : undefined;
      payload = JSON.stringify(errorReply(fault.status, message, phrase).body);
    } else {
      payload = typeof fault.body === "string" ? fault.body : JSON.stringify(fault.body);
    }
    record.status = fault.status;
    res.writeHead(fault.status, { "Content-Type": JSON_TYPE, ...fault.headers });
    res.end(payload);
  }
}

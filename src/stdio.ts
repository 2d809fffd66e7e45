// The stdio transport: newline-delimited JSON-RPC on stdin/stdout, as the SDK's
// StdioServerTransport, with a size limit per message. The SDK's buffer closes the whole session
// at its limit (and the process exits); here an oversized message is skipped as it streams in,
// never held whole, and answered with a JSON-RPC error, and the session goes on.
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { type JSONRPCMessage, JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";

/** JSON-RPC 2.0's codes for a line that is not JSON, and for one that is not a valid message. */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
/** How much of an oversized message's start and end is kept to find its id. */
const EDGE_BYTES = 256;

type Id = string | number | null;

export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  /** The current line's pieces, while it is within the limit. */
  private pieces: Buffer[] = [];
  private length = 0;
  /** Set while an oversized line is being skipped: its first and last bytes, its size so far. */
  private skipping: { head: Buffer; tail: Buffer; bytes: number } | undefined;
  private reading = true;
  private started = false;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
  ) {}

  async start(): Promise<void> {
    if (this.started) throw new Error("StdioTransport already started");
    this.started = true;
    this.stdin.on("data", this.onData);
    this.stdin.on("error", this.onStreamError);
  }

  /** Shutdown: no further message is taken; answers can still be sent. */
  stopReading(): void {
    this.reading = false;
    this.stdin.off("data", this.onData);
    this.pieces = [];
    this.skipping = undefined;
  }

  async close(): Promise<void> {
    this.stopReading();
    this.stdin.off("error", this.onStreamError);
    this.stdin.pause();
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      // A client that is gone drains nothing: its answer is dropped, never awaited forever.
      const out = this.stdout as NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean };
      if (out.destroyed || out.writableEnded) return resolve();
      if (out.write(`${JSON.stringify(message)}\n`)) resolve();
      else {
        out.once("drain", resolve);
        out.once("close", resolve);
      }
    });
  }

  private readonly onStreamError = (error: Error) => this.onerror?.(error);

  private readonly onData = (chunk: Buffer | string) => {
    const data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    let start = 0;
    while (this.reading && start <= data.length) {
      const newline = data.indexOf(10, start);
      const end = newline === -1 ? data.length : newline;
      this.take(data.subarray(start, end));
      if (newline === -1) return;
      this.endLine();
      start = newline + 1;
    }
  };

  /** Adds part of the current line, switching to skipping once it passes the limit. */
  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.skipping) {
      this.skipping.bytes += piece.length;
      this.skipping.tail = keepTail(this.skipping.tail, piece);
      return;
    }
    if (this.length + piece.length <= this.maxMessageBytes) {
      this.pieces.push(piece);
      this.length += piece.length;
      return;
    }
    const held = Buffer.concat([...this.pieces, piece]);
    this.skipping = {
      head: Buffer.from(held.subarray(0, EDGE_BYTES)),
      tail: Buffer.from(held.subarray(-EDGE_BYTES)),
      bytes: held.length,
    };
    this.pieces = [];
    this.length = 0;
  }

  private endLine(): void {
    const skipped = this.skipping;
    if (skipped) {
      this.skipping = undefined;
      const id = idOfOversized(skipped.head.toString("utf8"), skipped.tail.toString("utf8"));
      this.reject(
        id,
        INVALID_REQUEST,
        `Invalid Request: the message is ${skipped.bytes} bytes, over this server's limit of ${this.maxMessageBytes} bytes (ASANA_MAX_MESSAGE_BYTES); it was not read.`,
      );
      return;
    }
    const line = Buffer.concat(this.pieces).toString("utf8").replace(/\r$/, "");
    this.pieces = [];
    this.length = 0;
    if (line.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.reject(null, PARSE_ERROR, "Parse error: the message is not JSON.");
      return;
    }
    const message = JSONRPCMessageSchema.safeParse(parsed);
    if (!message.success) {
      const id = (parsed as { id?: unknown } | null)?.id;
      this.reject(
        typeof id === "string" || typeof id === "number" ? id : null,
        INVALID_REQUEST,
        "Invalid Request: the message is not a JSON-RPC 2.0 request, notification or response.",
      );
      return;
    }
    this.onmessage?.(message.data);
  }

  private reject(id: Id, code: number, message: string): void {
    this.onerror?.(new Error(message));
    // A JSON-RPC error object; `id: null` is what JSON-RPC prescribes when the id is unknown.
    const error = { jsonrpc: "2.0", id, error: { code, message } } as unknown as JSONRPCMessage;
    void this.send(error);
  }
}

function keepTail(tail: Buffer, piece: Buffer): Buffer {
  if (piece.length >= EDGE_BYTES) return Buffer.from(piece.subarray(-EDGE_BYTES));
  return Buffer.concat([tail, piece]).subarray(-EDGE_BYTES);
}

const ID_VALUE = String.raw`(-?\d{1,16}|"[^"\\]{0,100}")`;
/** `{"id":…` or `{"jsonrpc":"2.0","id":…` at the very start: a top-level member, nothing nested before it. */
const ID_AT_HEAD = new RegExp(
  String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID_VALUE}\s*[,}]`,
);
/** `,"id":…}` at the very end: the last member of the top-level object (the SDK's clients write it last). */
const ID_AT_TAIL = new RegExp(String.raw`[,{]\s*"id"\s*:\s*${ID_VALUE}\s*\}\s*$`);

/** The id of a message too large to parse, when it sits where it can be read without parsing. */
export function idOfOversized(head: string, tail: string): Id {
  const found = ID_AT_HEAD.exec(head) ?? ID_AT_TAIL.exec(tail.replace(/\r$/, ""));
  if (!found) return null;
  const raw = found[1]!;
  return raw.startsWith('"') ? raw.slice(1, -1) : Number(raw);
}

// The stdio transport's framing, in process: a message over the limit is skipped without being
// held whole and answered with its id when that can be read from its first or last bytes.
import { PassThrough } from "node:stream";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { idOfOversized, StdioTransport } from "../src/stdio.js";

function pipe(limit: number) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const transport = new StdioTransport(limit, stdin, stdout);
  const received: JSONRPCMessage[] = [];
  transport.onmessage = (message) => received.push(message);
  let written = "";
  stdout.on("data", (chunk: Buffer) => {
    written += chunk.toString("utf8");
  });
  const answers = () =>
    written
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: unknown; error?: { code: number } });
  return { stdin, transport, received, answers };
}

const flush = () => new Promise((r) => setImmediate(r));

describe("the stdio transport", () => {
  it("skips a message over the limit arriving in many chunks, answers it, and reads the next", async () => {
    const p = pipe(1024);
    await p.transport.start();
    p.stdin.write('{"jsonrpc":"2.0","method":"tools/call","params":{"text":"');
    for (let i = 0; i < 100; i++) p.stdin.write("x".repeat(1000));
    p.stdin.write('"},"id":42}\n{"jsonrpc":"2.0","id":43,"method":"tools/list"}\n');
    await flush();
    expect(p.answers()).toEqual([
      { jsonrpc: "2.0", id: 42, error: expect.objectContaining({ code: -32600 }) },
    ]);
    expect(p.received).toEqual([{ jsonrpc: "2.0", id: 43, method: "tools/list" }]);
  });

  it("takes a message of exactly the limit, split across chunks and ending in CRLF", async () => {
    const message = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const p = pipe(message.length + 1);
    await p.transport.start();
    p.stdin.write(message.slice(0, 10));
    p.stdin.write(`${message.slice(10)}\r\n`);
    await flush();
    expect(p.received).toEqual([{ jsonrpc: "2.0", id: 1, method: "ping" }]);
    expect(p.answers()).toEqual([]);
  });

  it("answers a JSON value that is not a JSON-RPC message with -32600 and its id", async () => {
    const p = pipe(1024);
    await p.transport.start();
    p.stdin.write('{"id":7,"nonsense":true}\n');
    await flush();
    expect(p.answers()).toEqual([
      { jsonrpc: "2.0", id: 7, error: expect.objectContaining({ code: -32600 }) },
    ]);
  });

  it("finds the id of an oversized message only where it is a top-level member", () => {
    expect(idOfOversized('{"jsonrpc":"2.0","id":5,"method":"x","params":{"t":"', "")).toBe(5);
    expect(idOfOversized('{"id":"abc","method"', "")).toBe("abc");
    expect(idOfOversized('{"method":"x"', 'xxx"}},"id":9}')).toBe(9);
    expect(idOfOversized('{"method":"x"', 'xxx"}},"id":"r-1"}\r')).toBe("r-1");
    // A nested "id" is not the message's.
    expect(idOfOversized('{"method":"x","params":{"id":3', 'x","id":4}}')).toBeNull();
    expect(idOfOversized('{"method":"x"', 'xxxxx"}}')).toBeNull();
  });
});

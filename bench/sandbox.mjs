// What the benches share: the sandbox Asana they all call, and the raw undici request that is
// every per-call comparison's baseline.
//
// The sandbox runs in a process of its own by default (bench/fake-process.mjs), as Asana always
// does: a request to a server inside the caller's process skips the wake-up of another process
// that every real request pays, which flattered the raw baseline by about 0.1 ms.
// BENCH_FAKE=inline keeps it inside the bench process.
import { fork } from "node:child_process";
import { once } from "node:events";
import { Agent, request } from "undici";
import { SANDBOX_TOKENS } from "../dist/sandbox/demo-data.js";

export const inlineSandbox = process.env.BENCH_FAKE === "inline";

export { asanaPaths } from "./asana-paths.mjs";

/**
 * Starts the sandbox Asana; `requests()` and `connections()` count what it has received so far.
 */
export async function startSandbox() {
  if (inlineSandbox) {
    const [{ demoData }, { FakeAsana }] = await Promise.all([
      import("../dist/sandbox/demo-data.js"),
      import("../dist/sandbox/fake-asana.js"),
    ]);
    const fake = new FakeAsana(demoData());
    const baseUrl = `${await fake.listen(0)}/api/1.0`;
    let connections = 0;
    fake.server.on("connection", () => connections++);
    return {
      baseUrl,
      inline: true,
      requests: async () => fake.requests.length,
      connections: async () => connections,
      close: () => fake.close(),
    };
  }
  const child = fork(new URL("./fake-process.mjs", import.meta.url), {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [{ baseUrl }] = await once(child, "message");
  const ask = async (question) => {
    child.send(question);
    return (await once(child, "message"))[0][question];
  };
  return {
    baseUrl,
    inline: false,
    requests: () => ask("requests"),
    connections: () => ask("connections"),
    close: async () => {
      child.send("close");
      await once(child, "exit");
    },
  };
}

/** A raw undici request to the sandbox, its answer parsed as any client of Asana must. */
export function rawRequester(baseUrl) {
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const headers = { authorization: `Bearer ${SANDBOX_TOKENS.pat}` };
  const send = async (method, path, body) => {
    const response = await request(`${baseUrl}${path}`, {
      dispatcher,
      method,
      headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify({ data: body }) : undefined,
    });
    return JSON.parse(await response.body.text());
  };
  // The same exchange through undici's lowest-level API, as asana-mcp's client sends it
  // (src/asana/http.ts): no body stream, the answer collected whole.
  const dispatch = (method, path) =>
    new Promise((resolve, reject) => {
      const chunks = [];
      dispatcher.dispatch(
        { origin: new URL(baseUrl).origin, path: `${new URL(baseUrl).pathname}${path}`, method, headers },
        {
          // undici takes a handler for its current API by this method's presence.
          onRequestStart: () => {},
          onResponseData: (_controller, chunk) => chunks.push(chunk),
          onResponseEnd: () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))),
          onResponseError: (_controller, error) => reject(error),
        },
      );
    });
  return { send, dispatch, close: () => dispatcher.close() };
}

// What the benches share: the sandbox Asana they all call, and the raw undici requests that are
// every per-call comparison's baseline.
//
// The sandbox runs in a process of its own by default (bench/fake-process.mjs), as Asana always
// does: a request to a server inside the caller's process skips the wake-up of another process
// that every real request pays, which flattered the raw baseline by about 0.1 ms.
// BENCH_FAKE=inline keeps it inside the bench process.
import { fork } from "node:child_process";
import { once } from "node:events";
import { SANDBOX_TOKENS } from "../dist/sandbox/demo-data.js";
import { asanaSender } from "./asana-http.mjs";

const inlineSandbox = process.env.BENCH_FAKE === "inline";

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

/**
 * Raw undici requests to the sandbox, as the identities asana-mcp's tools act as: reads as the
 * personal access token, writes (comments) as the bot. `send` uses undici's request(), `dispatch`
 * its dispatch() as asana-mcp does; both parse the answer, as any client of Asana must.
 */
export function rawRequester(baseUrl) {
  const sender = asanaSender(baseUrl);
  const tokenFor = (method) => (method === "GET" ? SANDBOX_TOKENS.pat : SANDBOX_TOKENS.bot);
  return {
    send: (method, path, body) => sender.request(tokenFor(method), method, path, body),
    dispatch: (method, path, body) => sender.dispatch(tokenFor(method), method, path, body),
    close: () => sender.close(),
  };
}

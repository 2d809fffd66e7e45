// An MCP client cancelling a tool call must stop the HTTP work: the socket to Asana closes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { errorOf, type Harness, startHarness } from "../helpers/harness.js";

let h: Harness | undefined;
let slow: Server | undefined;
let stalled: { server: TcpServer; sockets: Set<Socket> } | undefined;
afterEach(async () => {
  // The stalled Asana goes first: the HTTP client's close waits for its pending connects, which
  // end once the listener is gone (no reconnect succeeds) and its sockets are dropped.
  if (stalled) {
    const { server, sockets } = stalled;
    const closed = new Promise((r) => server.close(r));
    for (const socket of sockets) socket.destroy();
    await closed;
    stalled = undefined;
  }
  await h?.close();
  if (slow) {
    slow.closeAllConnections();
    await new Promise((r) => slow?.close(r));
  }
  h = undefined;
  slow = undefined;
});

/** An Asana that answers /users/me and never answers /projects, noting when a caller hangs up. */
async function startSlowAsana() {
  const hungUp: string[] = [];
  let pending = 0;
  slow = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith("/api/1.0/users/me")) {
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({ data: { gid: "1", name: "Slow User", workspaces: [{ gid: "2", name: "W" }] } }),
      );
      return;
    }
    pending++;
    res.on("close", () => {
      pending--;
      hungUp.push(req.url ?? "");
    });
  });
  await new Promise<void>((r) => slow!.listen(0, "127.0.0.1", r));
  const { port } = slow.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/api/1.0`, hungUp, pending: () => pending };
}

/** An https Asana whose TLS handshake never completes: no request is ever handed a connection. */
async function startStalledAsana() {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => sockets.add(socket));
  stalled = { server, sockets };
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `https://127.0.0.1:${port}/api/1.0`, connections: () => sockets.size };
}

async function waitFor(predicate: () => boolean) {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(predicate()).toBe(true);
}

describe("cancellation and deadlines", () => {
  it("a cancelled tools/call closes the request to Asana", async () => {
    const asana = await startSlowAsana();
    h = await startHarness({ env: { ASANA_PAT: "slow-token", ASANA_BASE_URL: asana.baseUrl } });
    const controller = new AbortController();
    const call = h.client.callTool({ name: "list_projects", arguments: { workspace_gid: "2" } }, undefined, {
      signal: controller.signal,
    });
    await waitFor(() => asana.pending() === 1);
    controller.abort("the user changed their mind");
    await expect(call).rejects.toThrow();
    await waitFor(() => asana.hungUp.length === 1);
    expect(asana.hungUp[0]).toContain("/projects?workspace=2");
    // The server is still there for the next call.
    expect((await h.call("whoami")).isError).toBe(false);
  });

  it("the per-tool deadline ends a call Asana never answers, with a timeout the agent can act on", async () => {
    const asana = await startSlowAsana();
    h = await startHarness({
      env: { ASANA_PAT: "slow-token", ASANA_BASE_URL: asana.baseUrl, ASANA_TOOL_DEADLINE_MS: "300" },
    });
    const error = errorOf(await h.call("list_projects", { workspace_gid: "2" }));
    expect(error.code).toBe("timeout");
    expect(error.retryable).toBe(true);
    await waitFor(() => asana.hungUp.length === 1);
  });

  it("a deadline that passes before Asana could be reached ends the call at once, a write as not sent", async () => {
    const asana = await startStalledAsana();
    h = await startHarness({
      resolve: false,
      env: {
        ASANA_PAT: "stalled-token",
        ASANA_BOT_PAT: "stalled-bot-token",
        ASANA_BASE_URL: asana.baseUrl,
        ASANA_TOOL_DEADLINE_MS: "300",
        // The connect timeout is then 10 s: the calls must not wait for it.
        ASANA_TIMEOUT_MS: "20000",
      },
    });
    const startedAt = Date.now();
    const read = errorOf(await h.call("list_projects", { workspace_gid: "2" }));
    const write = errorOf(await h.call("create_comment", { task_gid: "3", text: "never sent" }));
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(asana.connections()).toBeGreaterThan(0);
    expect(read.code).toBe("timeout");
    // Nothing was written, so the agent may post again: not write_unknown.
    expect(write.code).toBe("timeout");
    expect(write.retryable).toBe(true);
  });
});

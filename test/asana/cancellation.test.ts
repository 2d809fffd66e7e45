// An MCP client cancelling a tool call must stop the HTTP work: the socket to Asana closes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { errorOf, type Harness, startHarness } from "../helpers/harness.js";

let h: Harness | undefined;
let slow: Server | undefined;
afterEach(async () => {
  await h?.close();
  slow?.closeAllConnections();
  await new Promise((r) => slow?.close(r));
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
});

// The tool list as a whole: what every tool's description costs an agent's context.
import { afterEach, describe, expect, it } from "vitest";
import { harnesses } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

describe("tools/list", () => {
  it("stays within 25 tools and 12,000 characters", async () => {
    const h = await hs.start();
    const { tools } = await h.client.listTools();
    expect(tools.length).toBeLessThanOrEqual(25);
    expect(JSON.stringify(tools).length).toBeLessThanOrEqual(12_000);
    for (const t of tools.filter((t) => !["whoami", "oidc_userinfo"].includes(t.name))) {
      expect(t.description, t.name).toMatch(/(Reads as|by|as) (Ada Lovelace|Acme Bot)/);
    }
  });
});

describe("tools/call of a tool the server does not have", () => {
  it("is JSON-RPC error -32602 naming the tool once", async () => {
    const h = await hs.start();
    await expect(h.client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toThrow(
      /^MCP error -32602: Unknown tool: no_such_tool$/,
    );
  });
});

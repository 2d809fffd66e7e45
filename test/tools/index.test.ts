// The tool list as a whole: what every tool's description costs an agent's context.
import { afterEach, describe, expect, it } from "vitest";
import { ALL_TOOLS } from "../../src/tools/index.js";
import { harnesses, PAT_AND_BOT } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

describe("tools/list", () => {
  it("stays within 25 tools and 12,000 characters with the default toolsets", async () => {
    // ASANA_TOOLSETS unset, as a newcomer runs it (the harness otherwise turns every set on).
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_TOOLSETS: "" });
    const { tools } = await h.client.listTools();
    expect(tools.length).toBeLessThanOrEqual(25);
    expect(JSON.stringify(tools).length).toBeLessThanOrEqual(12_000);
    expect(new Set(tools.map((t) => ALL_TOOLS.find((tool) => tool.name === t.name)?.toolset))).toEqual(
      new Set(["core", "tasks"]),
    );
    for (const t of tools.filter((t) => !["whoami", "oidc_userinfo", "enable_toolset"].includes(t.name))) {
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

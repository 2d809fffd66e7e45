// Remote mode serves each request with its own server: the toolsets are the operator's
// (ASANA_TOOLSETS), enable_toolset is not offered, and no list change is promised or sent.
import { afterEach, describe, expect, it } from "vitest";
import { connectSignedIn, type RemoteHarness, startRemote } from "../helpers/remote.js";

let h: RemoteHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("asana-mcp http: toolsets", () => {
  it("offers no enable_toolset and promises no tools/list_changed; a set that is off stays off", async () => {
    h = await startRemote();
    const { client } = await connectSignedIn(h);
    expect(client.getServerCapabilities()?.tools?.listChanged).not.toBe(true);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("delete_task");
    expect(names).not.toContain("enable_toolset");
    expect(names).not.toContain("create_section");
    const enable = (await client.callTool({
      name: "enable_toolset",
      arguments: { toolsets: ["projects"] },
    })) as {
      isError?: boolean;
    };
    expect(enable.isError).toBe(true);
    const section = (await client.callTool({
      name: "create_section",
      arguments: { project_gid: "1", name: "x" },
    })) as { isError?: boolean; content: Array<{ text?: string }> };
    expect(section.isError).toBe(true);
    expect(section.content[0]?.text).toContain("policy_denied");
    expect(h.fake.requests.filter((r) => r.method !== "GET").map((r) => r.path)).toEqual(["/-/oauth_token"]);
    await client.close();
  });

  it("serves the sets ASANA_TOOLSETS turns on", async () => {
    h = await startRemote({ env: { ASANA_TOOLSETS: "tasks,projects" } });
    const { client } = await connectSignedIn(h);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("create_section");
    expect(names).not.toContain("enable_toolset");
    await client.close();
  });
});

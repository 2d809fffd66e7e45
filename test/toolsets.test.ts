// Toolsets: a small default, others chosen by ASANA_TOOLSETS or turned on by the agent, and in
// every case ASANA_TOOLS, read-only mode and the allow-lists still decide.
import { afterEach, describe, expect, it } from "vitest";
import { MemoryConfirmationTokens } from "../src/confirm.js";
import { ALL_TOOLS } from "../src/tools/index.js";
import { TOOLSET_NAMES } from "../src/tools/toolsets.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";
import { harnesses, PAT_AND_BOT } from "./helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

/** ASANA_TOOLSETS as a person sets it ("" is unset: the default). */
const withToolsets = (value: string, extra: Record<string, string> = {}) => ({
  ...PAT_AND_BOT,
  ASANA_TOOLSETS: value,
  ...extra,
});

const names = async (h: Harness) => (await h.client.listTools()).tools.map((t) => t.name);
/** The tools of these sets, with the core tools every conversation has. */
const ofSets = (...sets: string[]) =>
  ALL_TOOLS.filter((t) => t.toolset === "core" || sets.includes(t.toolset)).map((t) => t.name);

describe("ASANA_TOOLSETS", () => {
  it("defaults to tasks, with enable_toolset to reach the rest", async () => {
    const h = await hs.start(withToolsets(""));
    expect(await names(h)).toEqual(ofSets("tasks"));
    expect(await names(h)).toContain("enable_toolset");
    expect(await names(h)).not.toContain("create_section");
  });

  it("turns on the sets it names, and all of them with all", async () => {
    const some = await hs.start(withToolsets("tasks,projects"));
    expect(await names(some)).toEqual(ofSets("tasks", "projects"));
    const all = await hs.start(withToolsets("all"));
    // Nothing is left to turn on, so enable_toolset is not offered.
    expect(await names(all)).toEqual(ALL_TOOLS.map((t) => t.name).filter((n) => n !== "enable_toolset"));
  });

  it("keeps whoami and enable_toolset whichever sets are on", async () => {
    const h = await hs.start(withToolsets("portfolios"));
    const listed = await names(h);
    expect(listed).toEqual(ofSets("portfolios"));
    expect(listed).toEqual(expect.arrayContaining(["whoami", "enable_toolset", "get_portfolio"]));
    expect(listed).not.toContain("get_task");
    const who = await h.client.callTool({ name: "whoami", arguments: {} });
    expect(who.isError).toBeFalsy();
    expect((who.structuredContent as { toolsets: { on: string[] } }).toolsets.on).toEqual(["portfolios"]);
    // core is no toolset an operator can name.
    await expect(hs.start(withToolsets("core"))).rejects.toThrow(/unknown toolset core/);
  });

  it("refuses an unknown toolset at start-up, naming the valid ones", async () => {
    await expect(hs.start(withToolsets("tasks,admins"))).rejects.toThrow(
      new RegExp(`unknown toolset admins; valid names: ${TOOLSET_NAMES.join(", ")}, or all`),
    );
  });

  it("ASANA_TOOLS alone names its tools from every set", async () => {
    const h = await hs.start(withToolsets("", { ASANA_TOOLS: "whoami,create_section" }));
    expect(await names(h)).toEqual(["whoami", "create_section"]);
  });

  it("ASANA_TOOLS with ASANA_TOOLSETS narrows them, and a tool of a set left off stops start-up", async () => {
    const h = await hs.start(withToolsets("tasks", { ASANA_TOOLS: "whoami,get_task" }));
    expect(await names(h)).toEqual(["whoami", "get_task"]);
    await expect(hs.start(withToolsets("tasks", { ASANA_TOOLS: "whoami,create_section" }))).rejects.toThrow(
      /create_section, of the projects toolset, which ASANA_TOOLSETS leaves off/,
    );
  });

  it("refuses a tool of a set that is off, before any request, saying how to turn it on", async () => {
    const h = await hs.start(withToolsets(""));
    const before = h.fake.requests.length;
    const error = errorOf(await h.call("create_section", { project_gid: "1", name: "x" }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain("projects toolset, which is off");
    expect(error.message).toContain("enable_toolset");
    expect(h.fake.requests).toHaveLength(before);
  });

  it("whoami and the instructions say which sets are on and what the others offer", async () => {
    const h = await hs.start(withToolsets(""));
    const who = (await h.call("whoami")).body as { toolsets: { on: string[]; off: Array<{ name: string }> } };
    expect(who.toolsets.on).toEqual(["tasks"]);
    expect(who.toolsets.off.map((s) => s.name)).toEqual(TOOLSET_NAMES.filter((n) => n !== "tasks"));
    const instructions = h.client.getInstructions() ?? "";
    expect(instructions).toContain("Toolsets on: tasks");
    expect(instructions).toContain("portfolios (");
  });
});

describe("enable_toolset", () => {
  it("turns a set on for the session and tells the client its list changed", async () => {
    const h = await hs.start(withToolsets(""));
    await names(h);
    let changed = 0;
    const { ToolListChangedNotificationSchema } = await import("@modelcontextprotocol/sdk/types.js");
    h.client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      changed++;
    });
    const out = await h.call("enable_toolset", { toolsets: ["projects"] });
    expect(out.body).toMatchObject({ enabled: ["projects", "tasks"] });
    expect((out.body as { new_tools: string[] }).new_tools).toEqual(
      ALL_TOOLS.filter((t) => t.toolset === "projects").map((t) => t.name),
    );
    await waitUntil(() => changed > 0);
    expect(await names(h)).toEqual(ofSets("tasks", "projects"));
    expect((await h.call("create_section", { project_gid: "1", name: "x" })).isError).toBe(true);
    expect(errorOf(await h.call("create_section", { project_gid: "1", name: "x" })).code).not.toBe(
      "policy_denied",
    );
  });

  it("cannot reach past ASANA_TOOLS or read-only mode", async () => {
    const narrowed = await hs.start(
      withToolsets("", { ASANA_TOOLS: "whoami,enable_toolset,get_attachment" }),
    );
    // ASANA_TOOLS alone turns every set on: nothing to enable, so enable_toolset is not listed.
    expect(await names(narrowed)).toEqual(["whoami", "get_attachment"]);
    const readOnly = await hs.start(withToolsets("", { ASANA_READ_ONLY: "true" }));
    const out = await readOnly.call("enable_toolset", { toolsets: ["projects", "attachments"] });
    expect(out.body).toMatchObject({
      new_tools: ["get_attachment", "list_attachments", "list_project_members"],
    });
    expect(await names(readOnly)).not.toContain("create_section");
    expect(errorOf(await readOnly.call("create_section", { project_gid: "1", name: "x" })).code).toBe(
      "policy_denied",
    );
  });

  it("is not offered, by whoami or the instructions, where ASANA_TOOLS or the toolsets leave it out", async () => {
    for (const env of [
      withToolsets("tasks", { ASANA_TOOLS: "whoami,get_task" }),
      withToolsets("projects", { ASANA_TOOLS: "create_section" }),
    ]) {
      const h = await hs.start(env);
      expect(await names(h)).not.toContain("enable_toolset");
      expect(errorOf(await h.call("enable_toolset", { toolsets: ["projects"] })).code).toBe("policy_denied");
      expect(h.client.getInstructions() ?? "").not.toContain("enable_toolset");
      expect(h.client.getInstructions() ?? "").toContain("ASANA_TOOLSETS turns them on");
      if ((await names(h)).includes("whoami")) {
        const who = (await h.call("whoami")).body as { toolsets: { how_to_enable: string } };
        expect(who.toolsets.how_to_enable).not.toContain("enable_toolset");
      } else {
        // Nor whoami where ASANA_TOOLS leaves it out: the agent could not call it.
        expect(h.client.getInstructions() ?? "").not.toContain("whoami");
      }
    }
  });

  it("whoami's tools per identity follow the session's list after a set is turned on", async () => {
    const h = await hs.start(withToolsets(""));
    type Who = { identities: Array<{ acts_for: string[]; tools: string[] }> };
    const writer = (who: Who) => who.identities.find((i) => i.acts_for.includes("write"))?.tools ?? [];
    expect(writer((await h.call("whoami")).body as unknown as Who)).not.toContain("create_section");
    await h.call("enable_toolset", { toolsets: ["projects"] });
    expect(writer((await h.call("whoami")).body as unknown as Who)).toContain("create_section");
  });

  it("sends no list change when the sets were on already", async () => {
    const h = await hs.start(withToolsets("tasks,projects"));
    await names(h);
    let changed = 0;
    const { ToolListChangedNotificationSchema } = await import("@modelcontextprotocol/sdk/types.js");
    h.client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      changed++;
    });
    const out = await h.call("enable_toolset", { toolsets: ["projects"] });
    expect(out.body).toMatchObject({ new_tools: [] });
    await new Promise((r) => setTimeout(r, 50));
    expect(changed).toBe(0);
  });

  it("refuses unknown sets before doing anything", async () => {
    const h = await hs.start(withToolsets(""));
    expect(errorOf(await h.call("enable_toolset", { toolsets: ["admin"] })).code).toBe("invalid_input");
    expect(errorOf(await h.call("enable_toolset", { toolsets: [] })).code).toBe("invalid_input");
  });

  it("is not offered where the client cannot hear a list change (remote mode)", async () => {
    const h = await startHarness({
      env: withToolsets(""),
      stateless: { session: "grant-1", confirmations: new MemoryConfirmationTokens() },
    });
    try {
      expect(await names(h)).not.toContain("enable_toolset");
      // Nothing reaches the client outside a request's answer, so no list change is promised.
      expect(h.client.getServerCapabilities()?.tools?.listChanged).not.toBe(true);
      const error = errorOf(await h.call("enable_toolset", { toolsets: ["projects"] }));
      expect(error.message).toContain("its operator turns toolsets on with ASANA_TOOLSETS");
      const who = (await h.call("whoami")).body as { toolsets: { how_to_enable: string } };
      expect(who.toolsets.how_to_enable).toContain("ASANA_TOOLSETS");
    } finally {
      await h.close();
    }
  });
});

async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(done()).toBe(true);
}

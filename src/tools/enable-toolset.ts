// enable_toolset: turns toolsets on for this session, so a conversation that needs projects or
// attachments gets those tools without every other conversation paying for them in tools/list.
import { z } from "zod";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { TOOLSET_NAMES, TOOLSET_SUMMARIES } from "./toolsets.js";

export const enableToolset = defineTool({
  name: "enable_toolset",
  title: "Turn on more Asana tools",
  toolset: "core",
  kind: "read",
  actsAs: "none",
  input: z
    .object({
      toolsets: z
        .array(z.enum(TOOLSET_NAMES))
        .min(1, "name at least one toolset")
        .max(TOOLSET_NAMES.length)
        .describe("The toolsets to turn on."),
    })
    .strict(),
  output: z.object({
    enabled: z.array(z.string()),
    new_tools: z.array(z.string()),
    note: z.string(),
  }),
  describe: () =>
    `Turn on toolsets for this conversation; the tool list then changes. Off by default: ${TOOLSET_NAMES.filter(
      (name) => name !== "tasks",
    )
      .map((name) => `${name} (${TOOLSET_SUMMARIES[name]})`)
      .join("; ")}.`,
  handler: async (args, context) => {
    const { toolsets } = context;
    if (!toolsets.enable) {
      throw new AppError(
        "invalid_input",
        "This server cannot change its tool list during a conversation: its operator turns toolsets on with ASANA_TOOLSETS.",
      );
    }
    const before = new Set(context.tools.map((tool) => tool.name));
    await toolsets.enable(args.toolsets);
    // context.tools is the session's list now: ASANA_TOOLS and read-only mode still decide which
    // of a set's tools are offered.
    const added = context.tools.map((tool) => tool.name).filter((name) => !before.has(name));
    return {
      enabled: [...toolsets.enabled()].sort(),
      new_tools: added,
      note:
        added.length > 0
          ? "The server sent tools/list_changed; if your tool list did not refresh, the new tools can still be called by name."
          : "No new tools: these toolsets were on already, or ASANA_TOOLS / read-only mode leaves none of their tools.",
    };
  },
});

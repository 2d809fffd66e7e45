// A client asana-mcp did not write: the MCP Inspector's CLI mode drives the built bin in sandbox
// mode over stdio, for tools/list and a whoami call.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_TOOLS } from "../../src/tools/index.js";
import { inputSchemaOf } from "../../src/wire.js";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = resolve(ROOT, "dist/index.js");
const INSPECTOR = resolve(ROOT, "node_modules/@modelcontextprotocol/inspector-cli/build/cli.js");

function inspector(...method: string[]): Promise<unknown> {
  if (!existsSync(BIN))
    throw new Error("dist/index.js is missing: run `npm run build` first (npm test does).");
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [INSPECTOR, "--cli", process.execPath, BIN, "sandbox", ...method],
      // inspector-cli 1.0.3 looks for its package.json at "../package.json" relative to the
      // working directory; from test/ that path exists and it then loads its own.
      { cwd: resolve(ROOT, "test"), env: { PATH: process.env.PATH ?? "" }, timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`inspector failed: ${error.message}\n${stderr}`));
        else done(JSON.parse(stdout));
      },
    );
  });
}

describe("the MCP Inspector CLI against the built bin", () => {
  it("lists the tools with the input schemas the code defines", async () => {
    const { tools } = (await inspector("--method", "tools/list")) as {
      tools: Array<{
        name: string;
        inputSchema: { type: string; properties?: Record<string, unknown> };
        outputSchema?: unknown;
      }>;
    };
    // The default toolset (with the core tools, always on), as a newcomer runs it.
    expect(tools.map((t) => t.name)).toEqual(
      ALL_TOOLS.filter((t) => t.toolset === "core" || t.toolset === "tasks").map((t) => t.name),
    );
    expect(tools.map((t) => t.name)).toContain("create_comment");
    // The bundle inlines schemas computed at build time: they are exactly what the code computes,
    // plus the confirmation token on the tools a person confirms (ASANA_CONFIRM=destructive).
    for (const tool of tools) {
      const source = ALL_TOOLS.find((t) => t.name === tool.name);
      const { confirmation_token, ...properties } = tool.inputSchema.properties ?? {};
      expect(confirmation_token !== undefined, tool.name).toBe(source?.kind === "destructive");
      expect({ ...tool.inputSchema, properties }, tool.name).toEqual(source && inputSchemaOf(source));
    }
  });

  it("calls whoami and reads who acts", async () => {
    const result = (await inspector("--method", "tools/call", "--tool-name", "whoami")) as {
      isError?: boolean;
      structuredContent: { sandbox: boolean; write_as: string; identities: Array<{ kind: string }> };
    };
    expect(result.isError ?? false).toBe(false);
    expect(result.structuredContent.sandbox).toBe(true);
    expect(result.structuredContent.write_as).toBe("bot (Acme Bot)");
    expect(result.structuredContent.identities.map((i) => i.kind)).toEqual([
      "pat",
      "bot",
      "service_account",
      "oauth",
    ]);
  });
});

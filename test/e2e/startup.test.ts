// Start-up of the built bin, as an MCP client runs it: a setting that is probably a mistake is
// named on stderr before the first request, and whoami repeats it to the agent.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { startFakeAsana } from "../fake-asana/index.js";

const BIN = resolve(import.meta.dirname, "../../dist/index.js");
let fake: Awaited<ReturnType<typeof startFakeAsana>>;
beforeAll(async () => {
  fake = await startFakeAsana();
});
afterAll(() => fake.close());

describe("start-up of the built bin", () => {
  it("names a misspelt variable on stderr with the closest valid name, and whoami shows it", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: mkdtempSync(join(tmpdir(), "asana-mcp-home-")),
        ASANA_PAT: SANDBOX_TOKENS.pat,
        ASANA_BASE_URL: fake.baseUrl,
        // The log level does not hide it.
        ASANA_LOG_LEVEL: "error",
        ASANA_READONLY: "true",
        ASANA_BOT_TOKEN: SANDBOX_TOKENS.bot,
      },
      cwd: mkdtempSync(join(tmpdir(), "asana-mcp-cwd-")),
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: "e2e-startup", version: "1.0.0" });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: "whoami", arguments: {} });
      const body = result.structuredContent as { configuration_warnings: string[]; policy: object };
      expect(body.policy).toMatchObject({ read_only: false });
      expect(body.configuration_warnings).toHaveLength(2);
      expect(stderr).toContain(
        "asana-mcp: warning: ASANA_READONLY is not a variable asana-mcp reads, so it has no effect; did you mean ASANA_READ_ONLY?",
      );
      expect(stderr).toContain("ASANA_BOT_TOKEN is not a variable asana-mcp reads");
      expect(stderr).toContain("did you mean ASANA_BOT_PAT?");
      // Named, never echoed: the misplaced value is a token.
      expect(stderr).not.toContain(SANDBOX_TOKENS.bot);
    } finally {
      await client.close();
    }
  });
});

// The install surfaces stay true to the code: the MCP Bundle manifest (manifest.json, also
// checked by `mcpb validate` in npm test), the MCP Registry entry (server.json) and package.json
// agree on name and version, and name only variables and tools the server knows.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IDENTITY_KINDS, loadConfig, tokenVariables } from "../src/config.js";
import { ALL_TOOLS } from "../src/tools/index.js";

const read = (file: string) => JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), "utf8"));
const pkg = read("package.json");
const manifest = read("manifest.json");
const server = read("server.json");
const tokenVars = IDENTITY_KINDS.flatMap((kind) => tokenVariables(kind));

describe("install metadata", () => {
  it("agrees on name and version", () => {
    expect(manifest.version).toBe(pkg.version);
    expect(server.version).toBe(pkg.version);
    expect(server.packages[0]).toMatchObject({
      registryType: "npm",
      identifier: pkg.name,
      version: pkg.version,
    });
    expect(pkg.mcpName).toBe(server.name);
    expect(server.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    expect(server.description.length).toBeLessThanOrEqual(100);
  });

  it("runs the bundled bin with node and keeps tokens sensitive", () => {
    expect(manifest.manifest_version).toBe("0.3");
    expect(manifest.server).toMatchObject({ type: "node", entry_point: pkg.bin["asana-mcp"] });
    expect(manifest.compatibility.runtimes.node).toBe(pkg.engines.node);
    const env: Record<string, string> = manifest.server.mcp_config.env;
    for (const [variable, template] of Object.entries(env)) {
      expect(tokenVars).toContain(variable);
      const key = /^\$\{user_config\.([a-z_]+)\}$/.exec(template)?.[1];
      expect(manifest.user_config[key ?? ""], variable).toMatchObject({ sensitive: true, type: "string" });
    }
    for (const variable of server.packages[0].environmentVariables) {
      expect(variable.isSecret === true).toBe(tokenVars.includes(variable.name));
    }
  });

  it("lists the tools the server has, in its order (Claude Desktop shows this list)", () => {
    expect(manifest.tools.map((tool: { name: string }) => tool.name)).toEqual(ALL_TOOLS.map((t) => t.name));
  });

  it("treats an option left empty in Claude Desktop as unset", () => {
    const config = loadConfig({
      env: {
        ASANA_PAT: "real-token",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal template is the point
        ASANA_BOT_PAT: "${user_config.asana_bot_pat}",
        ASANA_SERVICE_ACCOUNT_TOKEN: "",
      },
      cwd: mkdtempSync(join(tmpdir(), "asana-mcp-mcpb-")),
    });
    expect(Object.keys(config.tokens)).toEqual(["pat"]);
  });
});

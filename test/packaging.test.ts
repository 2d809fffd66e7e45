// The install surfaces stay true to the code: the MCP Bundle manifest (manifest.json, also
// checked by `mcpb validate` in npm test), the MCP Registry entry (server.json) and package.json
// agree on name and version, and name only variables and tools the server knows.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IDENTITY_KINDS, knownVariables, loadConfig, tokenVariables } from "../src/config.js";
import { ALL_TOOLS } from "../src/tools/index.js";

const read = (file: string) => JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), "utf8"));
const pkg = read("package.json");
const manifest = read("manifest.json");
const server = read("server.json");
const tokenVars = IDENTITY_KINDS.flatMap((kind) => tokenVariables(kind));
const bundleEnv: Record<string, string> = manifest.server.mcp_config.env;
const optionOf = (variable: string) =>
  manifest.user_config[/user_config\.([a-z_]+)/.exec(bundleEnv[variable] ?? "")?.[1] ?? ""];

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
    for (const [variable, template] of Object.entries(bundleEnv)) {
      expect(knownVariables()).toContain(variable);
      const key = /^\$\{user_config\.([a-z_]+)\}$/.exec(template)?.[1];
      const option = manifest.user_config[key ?? ""];
      expect(option, variable).toBeDefined();
      if (tokenVars.includes(variable))
        expect(option, variable).toMatchObject({ sensitive: true, type: "string" });
      else expect(option.sensitive, variable).not.toBe(true);
    }
    // Every option of the form reaches the server.
    const used = Object.values(bundleEnv).map((t) => /user_config\.([a-z_]+)/.exec(t)?.[1]);
    expect(Object.keys(manifest.user_config).sort()).toEqual(used.sort());
    for (const variable of server.packages[0].environmentVariables) {
      expect(variable.isSecret === true).toBe(tokenVars.includes(variable.name));
    }
  });

  it("reaches every setting that matters for safety and routing from Claude Desktop's form", () => {
    const safety = [
      "ASANA_READ_ONLY",
      "ASANA_TOOLS",
      "ASANA_WORKSPACES",
      "ASANA_PROJECTS",
      "ASANA_READ_AS",
      "ASANA_WRITE_AS",
      "ASANA_AUDIT_LOG",
      ...IDENTITY_KINDS.map((kind) => tokenVariables(kind)[0]),
    ];
    for (const variable of safety) expect(Object.keys(bundleEnv), variable).toContain(variable);
    expect(optionOf("ASANA_READ_ONLY").type).toBe("boolean");
    expect(optionOf("ASANA_OAUTH_ACCESS_TOKEN")).toMatchObject({ type: "string", sensitive: true });
  });

  it("starts with the form's defaults and applies what it is given", () => {
    const cwd = mkdtempSync(join(tmpdir(), "asana-mcp-mcpb-"));
    // What the client passes: each option's value as text, its default when left alone.
    const filled = (values: Record<string, string | boolean>) =>
      Object.fromEntries(
        Object.entries(bundleEnv).map(([variable, template]) => {
          const key = /user_config\.([a-z_]+)/.exec(template)?.[1] ?? "";
          return [variable, String(values[key] ?? manifest.user_config[key].default)];
        }),
      );
    const defaults = loadConfig({ env: filled({ asana_pat: "p" }), cwd });
    expect(defaults).toMatchObject({ readOnly: false, warnings: [] });
    expect(defaults.tools ?? defaults.workspaces ?? defaults.projects ?? defaults.auditLog).toBeUndefined();
    const set = loadConfig({
      env: filled({
        asana_pat: "p",
        asana_bot_pat: "b",
        asana_read_only: true,
        asana_tools: "whoami,list_projects",
        asana_workspaces: "1202000000000001",
        asana_projects: "1204000000000001",
        asana_read_as: "bot",
        asana_write_as: "pat",
        asana_audit_log: join(cwd, "audit.jsonl"),
      }),
      cwd,
    });
    expect(set).toMatchObject({
      readOnly: true,
      tools: ["whoami", "list_projects"],
      workspaces: ["1202000000000001"],
      projects: ["1204000000000001"],
      readAs: "bot",
      writeAs: "pat",
      auditLog: join(cwd, "audit.jsonl"),
      warnings: [],
    });
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

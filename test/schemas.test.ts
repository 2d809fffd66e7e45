// Current Claude clients reject draft-07 tool schemas; every advertised schema must be valid
// JSON Schema 2020-12, checked here by a validator that knows only 2020-12.
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_TOKENS } from "../src/sandbox/demo-data.js";
import { type Harness, startHarness } from "./helpers/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot } });
});
afterAll(() => h.close());

const PROPERTY_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function propertyNames(schema: unknown, out: string[] = []): string[] {
  if (Array.isArray(schema)) {
    for (const item of schema) propertyNames(item, out);
  } else if (schema && typeof schema === "object") {
    const record = schema as Record<string, unknown>;
    if (record.properties && typeof record.properties === "object")
      out.push(...Object.keys(record.properties));
    for (const value of Object.values(record)) propertyNames(value, out);
  }
  return out;
}

describe("advertised tool schemas", () => {
  it("are JSON Schema 2020-12 with MCP-safe property names", async () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
    const { tools } = await h.client.listTools();
    for (const tool of tools) {
      expect(tool.name).toMatch(PROPERTY_NAME);
      for (const schema of [tool.inputSchema, ...(tool.outputSchema ? [tool.outputSchema] : [])]) {
        const dialect = (schema as { $schema?: string }).$schema;
        expect([undefined, "https://json-schema.org/draft/2020-12/schema"]).toContain(dialect);
        expect(JSON.stringify(schema)).not.toContain("draft-07");
        expect(ajv.validateSchema(schema as object), `${tool.name}: ${ajv.errorsText(ajv.errors)}`).toBe(
          true,
        );
        expect(() => ajv.compile(schema as object)).not.toThrow();
        expect((schema as { type?: string }).type).toBe("object");
        for (const name of propertyNames(schema)) expect(name, tool.name).toMatch(PROPERTY_NAME);
      }
    }
  });

  it("accept what the tools accept and reject unknown arguments", async () => {
    const ajv = new Ajv2020({ strict: false });
    const { tools } = await h.client.listTools();
    const comment = tools.find((t) => t.name === "create_comment")!;
    const validate = ajv.compile(comment.inputSchema as object);
    expect(validate({ task_gid: "123", text: "hi" })).toBe(true);
    // Gids are advertised as strings; the server checks them (digits, a number, a link) and explains.
    expect(validate({ task_gid: "https://app.asana.com/0/0/123", text: "hi" })).toBe(true);
    expect(validate({ task_gid: ["123"], text: "hi" })).toBe(false);
    expect(validate({ task_gid: "123", text: "hi", extra: 1 })).toBe(false);
  });

  it("carry annotations derived from each tool's kind", async () => {
    const { tools } = await h.client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
    // Only what differs from MCP's defaults is sent (not read-only, destructive, open world).
    expect(byName.list_projects).toEqual({ readOnlyHint: true });
    expect(byName.create_comment).toEqual({ destructiveHint: false });
    expect(byName.delete_task).toEqual({ destructiveHint: true });
  });

  it("keep the four core tools within 3,000 characters, acting users' names resolved", async () => {
    const { tools } = await h.client.listTools();
    const core = tools.filter((t) =>
      ["whoami", "list_projects", "create_comment", "oidc_userinfo"].includes(t.name),
    );
    expect(core).toHaveLength(4);
    expect(core.find((t) => t.name === "create_comment")?.description).toContain("Acme Bot");
    expect(JSON.stringify(core).length).toBeLessThanOrEqual(3_000);
  });
});

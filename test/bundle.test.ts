// The bundle's start-up promises, checked on the built files: dist/index.js is an executable ESM
// file, and what `serve` loads before answering tools/list (its static import graph) holds
// neither undici, the sandbox nor the PostgreSQL driver; they are reached only through import().
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const DIST = resolve(import.meta.dirname, "../dist");
const BIN = resolve(DIST, "index.js");

/** Files reachable from `file` through static imports (`import … from "./x.js"`, `import "./x.js"`). */
function staticGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(/\bimport\s*(?:[^"'()]*?\bfrom\s*)?["'](\.\.?\/[^"']+)["']/g)) {
    staticGraph(resolve(dirname(file), match[1] ?? ""), seen);
  }
  return seen;
}

describe("the bundle", () => {
  it("is one executable ESM entry whose start-up graph leaves undici and the sandbox out", () => {
    if (!existsSync(BIN))
      throw new Error("dist/index.js is missing: run `npm run build` first (npm test does).");
    const bin = readFileSync(BIN, "utf8");
    expect(bin.startsWith("#!/usr/bin/env node\n")).toBe(true);
    const graph = [...staticGraph(BIN)];
    expect(graph.length).toBeGreaterThan(1);
    for (const file of graph) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toContain("llhttp"); // undici's HTTP parser
      expect(text, file).not.toContain("hit a rate limit"); // the sandbox's 429 message
      expect(text, file).not.toContain("SCRAM-SHA-256"); // the PostgreSQL driver's authentication
    }
    // …and both are still there, behind import().
    expect(bin).toMatch(/import\("\.\/sandbox\/start\.js"\)/);
    expect(readFileSync(resolve(DIST, "sandbox/start.js"), "utf8")).toMatch(/import\("\.\/fake-asana\.js"\)/);
  });

  it("loads the PostgreSQL driver only through import(), and never needs pg-native", () => {
    const entry = resolve(DIST, "store/postgres.js");
    if (!existsSync(entry)) throw new Error("dist/store/postgres.js is missing: run `npm run build` first.");
    const graph = [...staticGraph(entry)];
    for (const file of graph) expect(readFileSync(file, "utf8"), file).not.toContain("SCRAM-SHA-256");
    const driver = /import\("(\.\.\/chunks\/[^"]+)"\)/.exec(readFileSync(entry, "utf8"))?.[1];
    expect(driver).toBeDefined();
    const chunk = readFileSync(resolve(dirname(entry), driver ?? ""), "utf8");
    expect(chunk).toContain("SCRAM-SHA-256");
    // pg's optional libpq binding is trimmed, not left for node_modules to supply at run time.
    expect(chunk).not.toMatch(/require\(["']pg-native["']\)/);
  });

  it("leaves out the SDK's Ajv validator only while the SDK uses it for elicitation alone", () => {
    // The build replaces it with a stub that throws (asana-mcp never elicits); should the SDK start
    // validating anything else with it, this fails and the stub must go.
    const sdkServer = readFileSync(
      resolve(import.meta.dirname, "../node_modules/@modelcontextprotocol/sdk/dist/esm/server/index.js"),
      "utf8",
    );
    const uses = [...sdkServer.matchAll(/_jsonSchemaValidator\.getValidator\(/g)];
    expect(uses).toHaveLength(1);
    const before = sdkServer.slice(0, uses[0]?.index);
    expect(before.lastIndexOf("async elicitInput(")).toBeGreaterThan(before.lastIndexOf("\n    async "));
  });
});

// The sandbox keeps the shape of what it imitates: one module per resource, each well under 500 lines,
// and no import cycles (type-only imports included), so a module can be read and changed on its own.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as sandbox from "../../src/sandbox/fake-asana.js";

const DIR = new URL("../../src/sandbox/", import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith(".ts"));
const source = (f: string) => readFileSync(new URL(f, DIR), "utf8");

/** Local imports of a module: `import … from "./x.js"`, `export … from "./x.js"` and `import("./x.js")`. */
function importsOf(file: string): string[] {
  const found = source(file).matchAll(
    /(?:import|export)\s[^;]*?from\s+"\.\/([^"]+)\.js"|import\("\.\/([^"]+)\.js"\)/g,
  );
  return [...found].map((m) => `${m[1] ?? m[2]}.ts`).filter((f) => files.includes(f));
}

function cycles(): string[][] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (f: string) => {
    state.set(f, "open");
    stack.push(f);
    for (const d of importsOf(f)) {
      if (state.get(d) === "open") out.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return out;
}

describe("src/sandbox modules", () => {
  it("import no module that imports them back", () => {
    expect(importsOf("fake-asana.ts").length).toBeGreaterThan(3);
    expect(cycles()).toEqual([]);
  });

  it("are each well under 500 lines (the made-up demo records aside: data, not logic)", () => {
    for (const f of files.filter((f) => f !== "demo-data.ts")) {
      expect(source(f).split("\n").length, f).toBeLessThan(480);
    }
  });

  it("fake-asana.ts still offers the public names the tests, the bench and the bundle use", () => {
    expect(typeof sandbox.FakeAsana).toBe("function");
    for (const name of ["ApiError", "Ref", "Store", "list", "one", "param", "requireGid", "parseOptFields"]) {
      expect(sandbox, name).toHaveProperty(name);
    }
    expect(sandbox.API_PREFIX).toBe("/api/1.0");
    expect(sandbox.STICKER_NAMES).toContain("heart");
    expect(sandbox.STATUS_TYPES).toContain("on_track");
    const fake = new sandbox.FakeAsana();
    for (const method of [
      "listen",
      "close",
      "inject",
      "clearFaults",
      "setReadLag",
      "setClockOffset",
      "inFlight",
    ]) {
      expect(typeof (fake as unknown as Record<string, unknown>)[method], method).toBe("function");
    }
  });
});

// The README is the user's reference: its tables name every error code, every variable the
// server reads and every tool, so none is added without being documented.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { knownVariables } from "../src/config.js";
import { ERROR_TABLE } from "../src/errors.js";
import { ALL_TOOLS } from "../src/tools/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
/** The first cell of every table row, e.g. "`write_unknown`" or "`ASANA_PAT`, `ASANA_ACCESS_TOKEN`". */
const firstCells = readme
  .split("\n")
  .filter((line) => line.startsWith("|"))
  .map((line) => line.split("|")[1] ?? "");
const documented = (name: string) => firstCells.some((cell) => cell.includes(`\`${name}\``));

describe("README", () => {
  it("has a row for every error code", () => {
    expect(Object.keys(ERROR_TABLE).filter((code) => !documented(code))).toEqual([]);
  });

  it("has a row for every variable the server reads", () => {
    expect(knownVariables().filter((name) => !documented(name))).toEqual([]);
  });

  it("has a row for every tool", () => {
    expect(ALL_TOOLS.map((tool) => tool.name).filter((name) => !documented(name))).toEqual([]);
  });
});

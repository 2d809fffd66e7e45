// `npm run bench:toolsets`: what each toolset costs an agent's context. Spawns the built bin in
// sandbox mode as a client does, once per ASANA_TOOLSETS value, and prints the characters of
// tools/list (JSON, as the client receives it) per set, for the default and for every set on,
// with the default's budget of 12,000 characters beside it. A benchmark, not a test: the default's
// budget is asserted by test/tools/index.test.ts.
import { resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { TOOLSET_NAMES } from "../dist/tools/toolsets.js";

const BIN = resolve(import.meta.dirname, "../dist/index.js");
const BUDGET = 12_000;

async function toolsList(toolsets) {
  const env = { ...process.env, ASANA_LOG_LEVEL: "error" };
  delete env.ASANA_TOOLSETS;
  if (toolsets !== undefined) env.ASANA_TOOLSETS = toolsets;
  const client = new Client({ name: "bench-toolsets", version: "1" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, "sandbox"], env }));
  // The descriptions name the sandbox's users once start-up has resolved them: list after that.
  await new Promise((r) => setTimeout(r, 500));
  const { tools } = await client.listTools();
  await client.close();
  return tools;
}

const rows = [];
const measure = async (label, toolsets) => {
  const tools = await toolsList(toolsets);
  const chars = JSON.stringify(tools).length;
  rows.push({ label, tools: tools.length, chars, names: tools.map((t) => t.name) });
  return tools;
};

await measure("default (ASANA_TOOLSETS unset)", undefined);
for (const name of TOOLSET_NAMES) await measure(`${name} alone`, name);
await measure("all", "all");

const width = Math.max(...rows.map((r) => r.label.length));
console.log(`tools/list characters per toolset (budget for the default: ${BUDGET.toLocaleString("en")})\n`);
console.log(`${"toolsets".padEnd(width)}  tools  characters  of the default's budget`);
for (const row of rows) {
  const share = `${((row.chars / BUDGET) * 100).toFixed(0)}%`;
  console.log(
    `${row.label.padEnd(width)}  ${String(row.tools).padStart(5)}  ${String(row.chars).padStart(10)}  ${share.padStart(6)}`,
  );
}
const all = rows.at(-1);
const byDefault = rows[0];
console.log(
  `\nevery set on costs ${(all.chars / byDefault.chars).toFixed(2)}× the default; the default is ${byDefault.chars <= BUDGET ? "within" : "OVER"} its budget.`,
);

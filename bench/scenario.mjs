// `node bench/scenario.mjs` (after `npm run build`): one agent session of real work against the
// sandbox Asana, counted. The session: find a project by name, read an overdue task and its
// comments, comment, update its due date, assignee and a custom field, move it to another section,
// add a subtask and a dependency, then read the task again to verify. Prints, per step and in all,
// the MCP calls made, the Asana requests they cost (start-up included) and the characters of the
// results the agent reads; then, per tool, its calls and the Asana requests they sent (method and
// path, gids as {gid}). A benchmark, not a test: nothing here passes or fails.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { demoData, SANDBOX_TOKENS } from "../dist/sandbox/demo-data.js";
import { FakeAsana } from "../dist/sandbox/fake-asana.js";

const PROJECT_NAME = "Q3 Product Launch";
const fake = new FakeAsana(demoData());
const baseUrl = `${await fake.listen(0)}/api/1.0`;
const client = new Client({ name: "asana-mcp-scenario", version: "1.0.0" });
await client.connect(
  new StdioClientTransport({
    command: process.execPath,
    args: [new URL("../dist/index.js", import.meta.url).pathname],
    env: {
      PATH: process.env.PATH ?? "",
      ASANA_BASE_URL: baseUrl,
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
      ASANA_LOG_LEVEL: "warn",
      // `ASANA_PROJECTS=<gid> node bench/scenario.mjs`: the same session under a project allow-list.
      ...(process.env.ASANA_PROJECTS ? { ASANA_PROJECTS: process.env.ASANA_PROJECTS } : {}),
    },
    stderr: "inherit",
  }),
);

const tools = new Set((await client.listTools()).tools.map((tool) => tool.name));
// Start-up resolves the identities in the background: let it finish so it is counted once, here.
await client.callTool({ name: "whoami", arguments: {} });
const rows = [{ step: "start-up (+ whoami)", calls: 1, requests: fake.requests.length, characters: 0 }];
let seen = fake.requests.length;

/** Per tool: its calls and the requests they sent ("GET /tasks/{gid}" → how many). */
const perTool = new Map();

/** One step of the session: its MCP calls, the Asana requests they cost, the characters read. */
async function step(label, calls) {
  let characters = 0;
  const results = [];
  for (const [name, args] of calls) {
    const before = fake.requests.length;
    const result = await client.callTool({ name, arguments: args });
    const tool = perTool.get(name) ?? { calls: 0, requests: new Map() };
    tool.calls += 1;
    for (const r of fake.requests.slice(before)) {
      const key = `${r.method} ${r.path.replace(/\d{6,}/g, "{gid}")}`;
      tool.requests.set(key, (tool.requests.get(key) ?? 0) + 1);
    }
    perTool.set(name, tool);
    const text = result.content.map((part) => part.text ?? "").join("");
    characters += text.length;
    if (result.isError) throw new Error(`${label}: ${name} failed: ${text}`);
    results.push(result.structuredContent);
  }
  rows.push({ step: label, calls: calls.length, requests: fake.requests.length - seen, characters });
  seen = fake.requests.length;
  return results;
}

const whoami = (await client.callTool({ name: "whoami", arguments: {} })).structuredContent;
const workspace = whoami.identities[0].workspaces[0].gid;
seen = fake.requests.length;

// 1. Find the project by name: the find tool where there is one, else page through the listing.
let project;
if (tools.has("find")) {
  const [found] = await step("find the project", [
    ["find", { type: "project", query: "Q3 Product", workspace_gid: workspace }],
  ]);
  project = (found.results ?? found.items ?? []).find((item) => item.name === PROJECT_NAME);
} else {
  const calls = [];
  let cursor;
  let characters = 0;
  let requests = 0;
  do {
    const args = { workspace_gid: workspace, limit: 100, ...(cursor ? { cursor } : {}) };
    const [page] = await step("find the project", [["list_projects", args]]);
    const row = rows.pop();
    characters += row.characters;
    requests += row.requests;
    calls.push(args);
    project = page.projects.find((p) => p.name === PROJECT_NAME);
    cursor = page.next_cursor;
  } while (!project && cursor);
  rows.push({ step: "find the project", calls: calls.length, requests, characters });
}
if (!project) throw new Error(`${PROJECT_NAME} not found`);

// 2. Read the project (sections, custom fields) and an overdue task with its comments.
const [details] = await step("read the project", [["get_project", { project_gid: project.gid }]]);
const today = new Date().toISOString().slice(0, 10);
const [listing] = await step("list its open tasks", [
  ["list_tasks", { project_gid: project.gid, incomplete_only: true, limit: 100 }],
]);
const overdue = listing.tasks.find((t) => t.due_on && t.due_on < today && !t.parent) ?? listing.tasks[0];
const other = listing.tasks.find((t) => t.gid !== overdue.gid);
await step("read the overdue task and its comments", [
  ["get_task", { task_gid: overdue.gid }],
  ["list_comments", { task_gid: overdue.gid }],
]);

// 3. Act on it.
await step("comment", [
  ["create_comment", { task_gid: overdue.gid, text: "Picking this up; new date below." }],
]);
const field = (details.custom_fields ?? details.project?.custom_fields ?? []).find((f) => f.type === "enum");
const option = field?.enum_options?.[0]?.name ?? field?.options?.[0];
await step("update due date, assignee, custom field", [
  [
    "update_task",
    {
      task_gid: overdue.gid,
      due_on: "2027-01-15",
      assignee: "me",
      ...(field && option ? { custom_fields: { [field.name]: option } } : {}),
    },
  ],
]);
const sections = details.sections ?? details.project?.sections ?? [];
const target = sections.find((s) => s.name === "In progress") ?? sections[0];
await step("move it to a section", [
  ["move_task", { task_gid: overdue.gid, action: "to_section", section_gid: target.gid }],
]);
await step("add a subtask", [["create_task", { parent_gid: overdue.gid, name: "Confirm the new date" }]]);
await step("add a dependency", [
  ["task_links", { task_gid: overdue.gid, action: "add", relation: "dependencies", gids: [other.gid] }],
]);
await step("verify", [["get_task", { task_gid: overdue.gid }]]);

const total = rows.reduce(
  (sum, row) => ({
    calls: sum.calls + row.calls,
    requests: sum.requests + row.requests,
    characters: sum.characters + row.characters,
  }),
  { calls: 0, requests: 0, characters: 0 },
);
const pad = (value, width) => String(value).padStart(width);
process.stdout.write(`${"step".padEnd(42)} ${pad("calls", 5)} ${pad("requests", 8)} ${pad("chars", 7)}\n`);
for (const row of [...rows, { step: "total", ...total }]) {
  process.stdout.write(
    `${row.step.padEnd(42)} ${pad(row.calls, 5)} ${pad(row.requests, 8)} ${pad(row.characters, 7)}\n`,
  );
}
process.stdout.write(`\n${"tool".padEnd(16)} ${pad("calls", 5)} ${pad("requests", 8)}  sent\n`);
for (const [name, tool] of perTool) {
  const sent = [...tool.requests].map(([key, n]) => (n > 1 ? `${n}× ${key}` : key)).join(", ");
  const count = [...tool.requests.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`${name.padEnd(16)} ${pad(tool.calls, 5)} ${pad(count, 8)}  ${sent}\n`);
}
await client.close();
await fake.close();

// `npm run demo`: shows what an agent sees. Starts the sandbox Asana (demo data on 127.0.0.1),
// spawns the built server over stdio as Claude Desktop does, and drives it with the MCP SDK's
// client: tools/list, whoami, a page of projects, a comment posted as the bot, read back from Asana.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { DEMO_TASK_GID, demoData, SANDBOX_TOKENS } from "../dist/sandbox/demo-data.js";
import { FakeAsana } from "../dist/sandbox/fake-asana.js";

const fake = new FakeAsana(demoData());
const origin = await fake.listen(0);
const baseUrl = `${origin}/api/1.0`;
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [new URL("../dist/index.js", import.meta.url).pathname],
  env: {
    PATH: process.env.PATH ?? "",
    ASANA_BASE_URL: baseUrl,
    ASANA_PAT: SANDBOX_TOKENS.pat,
    ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
    ASANA_LOG_LEVEL: "warn",
  },
  stderr: "inherit",
});
const client = new Client({ name: "asana-mcp-demo", version: "1.0.0" });
const heading = (text) => process.stdout.write(`\n== ${text}\n`);
const show = (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

try {
  await client.connect(transport);
  process.stdout.write(
    `asana-mcp demo against the SANDBOX Asana at ${baseUrl} (made-up data; no account needed)\n`,
  );

  const whoami = await client.callTool({ name: "whoami", arguments: {} });
  heading("whoami: who the agent acts as");
  for (const identity of whoami.structuredContent.identities) {
    process.stdout.write(
      `${identity.kind.padEnd(16)} ${identity.user?.name ?? "?"} <${identity.user?.email ?? "?"}>  from ${identity.source}  ` +
        `acts for: ${identity.acts_for.join(", ") || "-"}  tools: ${identity.tools.join(", ") || "-"}\n`,
    );
  }

  heading("tools/list: what the agent is told (descriptions carry the attribution)");
  for (const tool of (await client.listTools()).tools)
    process.stdout.write(`${tool.name}: ${tool.description}\n`);

  const workspace = whoami.structuredContent.identities[0].workspaces[0];
  const page = await client.callTool({
    name: "list_projects",
    arguments: { workspace_gid: workspace.gid, limit: 5 },
  });
  heading(`list_projects in ${workspace.name}: first page of 5`);
  show(page.structuredContent);

  const comment = await client.callTool({
    name: "create_comment",
    arguments: {
      task_gid: DEMO_TASK_GID,
      text: "Posted by the asana-mcp demo: the checklist is ready for review.",
    },
  });
  heading("create_comment: posted as the bot");
  show(comment.structuredContent);

  const response = await fetch(
    `${baseUrl}/tasks/${DEMO_TASK_GID}/stories?opt_fields=created_by.name,text&limit=100`,
    {
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
    },
  );
  const stories = (await response.json()).data;
  const last = stories.at(-1);
  heading("read back from Asana (as Ada): the newest comment on the task");
  process.stdout.write(`"${last.text}" by ${last.created_by.name}\n`);
  if (last.created_by.name !== "Acme Bot") throw new Error("the comment is not attributed to the bot");
  process.stdout.write(
    "\nThe server works. Next: `npm test`, then add it to your MCP client (see README).\n",
  );
} finally {
  await client.close();
  await fake.close();
}

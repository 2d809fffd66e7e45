// The floor to compare against: a bare MCP SDK 1.x server registering four tools with zod
// schemas, no Asana client, no configuration. Used only by bench/run.mjs.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "bare", version: "1.0.0" });
const ok = async () => ({ content: [{ type: "text", text: "{}" }] });
// A page of 100 projects shaped and sized like asana-mcp's, returned without any HTTP request:
// the cost of the MCP round trip alone, for bench/run.mjs's per-call floor.
const page = {
  workspace_gid: "1202000000000001",
  projects: Array.from({ length: 100 }, (_, i) => ({
    gid: String(1204000000000001n + BigInt(i)),
    name: `Platform Roadmap ${i}`,
    team: "Engineering",
  })),
  next_cursor: "eyJvIjoiZXlKdklqb3hNREI5IiwicyI6Iko1MVdBSThvIn0",
};
const pageResult = async () => ({
  content: [{ type: "text", text: JSON.stringify(page) }],
  structuredContent: page,
});
server.registerTool("whoami", { description: "who", inputSchema: {} }, ok);
server.registerTool(
  "list_projects",
  {
    description: "projects",
    inputSchema: { workspace_gid: z.string().optional(), limit: z.number().optional() },
  },
  pageResult,
);
server.registerTool(
  "create_comment",
  { description: "comment", inputSchema: { task_gid: z.string(), text: z.string().optional() } },
  ok,
);
server.registerTool("oidc_userinfo", { description: "userinfo", inputSchema: {} }, ok);
await server.connect(new StdioServerTransport());
process.stdin.on("end", () => process.exit(0));

// The floor to compare against: a bare MCP SDK 1.x server registering four tools with zod
// schemas, no Asana client, no configuration. Used only by bench/run.mjs.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "bare", version: "1.0.0" });
const ok = async () => ({ content: [{ type: "text", text: "{}" }] });
server.registerTool("whoami", { description: "who", inputSchema: {} }, ok);
server.registerTool(
  "list_projects",
  {
    description: "projects",
    inputSchema: { workspace_gid: z.string().optional(), limit: z.number().optional() },
  },
  ok,
);
server.registerTool(
  "create_comment",
  { description: "comment", inputSchema: { task_gid: z.string(), text: z.string().optional() } },
  ok,
);
server.registerTool("oidc_userinfo", { description: "userinfo", inputSchema: {} }, ok);
await server.connect(new StdioServerTransport());
process.stdin.on("end", () => process.exit(0));

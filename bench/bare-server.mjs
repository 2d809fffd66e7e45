// The floor to compare against: a bare MCP SDK 1.x server registering four tools with zod
// schemas, no Asana client, no configuration. Used by bench/run.mjs and bench/percall.mjs.
//
// With BARE_ASANA_URL, BARE_ASANA_TOKEN (reads) and BARE_ASANA_WRITE_TOKEN (writes) set it also has
// `list_projects_http` and `create_comment_http`, which send the same Asana request as asana-mcp's
// tools, through the same undici dispatch() exchange (bench/asana-http.mjs), and return the answer
// reshaped the same way: an MCP server built on the SDK with nothing of asana-mcp's own code, the
// floor the benches compare asana-mcp's per-call cost against.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "bare", version: "1.0.0" });
const ok = async () => ({ content: [{ type: "text", text: "{}" }] });
const json = (value) => ({
  content: [{ type: "text", text: JSON.stringify(value) }],
  structuredContent: value,
});
// A page of 100 projects shaped and sized like asana-mcp's, returned without any HTTP request:
// the cost of the MCP round trip alone.
const page = {
  workspace_gid: "1202000000000001",
  projects: Array.from({ length: 100 }, (_, i) => ({
    gid: String(1204000000000001n + BigInt(i)),
    name: `Platform Roadmap ${i}`,
    team: "Engineering",
  })),
  next_cursor: "eyJvIjoiZXlKdklqb3hNREI5IiwicyI6Iko1MVdBSThvIn0",
};
server.registerTool("whoami", { description: "who", inputSchema: {} }, ok);
server.registerTool(
  "list_projects",
  {
    description: "projects",
    inputSchema: { workspace_gid: z.string().optional(), limit: z.number().optional() },
  },
  async () => json(page),
);
server.registerTool(
  "create_comment",
  { description: "comment", inputSchema: { task_gid: z.string(), text: z.string().optional() } },
  ok,
);
server.registerTool("oidc_userinfo", { description: "userinfo", inputSchema: {} }, ok);

const asanaUrl = process.env.BARE_ASANA_URL;
if (asanaUrl) {
  // Loaded only here, so that the start-up floor stays a bare SDK server's.
  const { asanaPaths, asanaSender } = await import("./asana-http.mjs");
  const asana = asanaSender(asanaUrl);
  server.registerTool(
    "list_projects_http",
    { description: "projects", inputSchema: { workspace_gid: z.string(), limit: z.number() } },
    async ({ workspace_gid, limit }) => {
      const path = asanaPaths.projects(workspace_gid, limit);
      const { data, next_page } = await asana.dispatch(process.env.BARE_ASANA_TOKEN, "GET", path);
      return json({
        workspace_gid,
        projects: data.map((p) => ({ gid: p.gid, name: p.name, team: p.team?.name })),
        next_cursor: next_page?.offset ?? null,
      });
    },
  );
  server.registerTool(
    "create_comment_http",
    { description: "comment", inputSchema: { task_gid: z.string(), text: z.string() } },
    async ({ task_gid, text }) => {
      const path = asanaPaths.comment(task_gid);
      const { data } = await asana.dispatch(process.env.BARE_ASANA_WRITE_TOKEN, "POST", path, { text });
      return json({ story: data, task_url: `https://app.asana.com/0/0/${task_gid}` });
    },
  );
}
await server.connect(new StdioServerTransport());
process.stdin.on("end", () => process.exit(0));

// The MCP endpoint (/mcp): Streamable HTTP, stateless. Every POST is answered by a server built
// for the caller's session (their identities and descriptions) and dropped after: nothing of a
// conversation lives in this process, so any replica can answer any call. A POST that carries
// requests is answered as an event stream, where progress notifications reach the client.
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Request, Response } from "express";
import type { AsanaClient } from "../asana/http.js";
import type { AuditSink } from "../audit.js";
import type { Config } from "../config.js";
import type { ConfirmationTokens } from "../confirm.js";
import { log } from "../log.js";
import type { Policy } from "../policy.js";
import { type AsanaMcpServer, buildServer } from "../server.js";
import type { RemoteSessions } from "../session.js";
import type { Tool } from "../tools/define.js";

export interface McpEndpointDeps {
  config: Config;
  asana: AsanaClient;
  tools: readonly Tool[];
  policy: Policy;
  audit?: AuditSink;
  sessions: RemoteSessions;
  version: string;
  /** Where confirmation tokens wait for their second call: the store every replica shares. */
  confirmations: ConfirmationTokens;
}

export interface McpEndpoint {
  handle(req: Request, res: Response): Promise<void>;
  /** Shutdown: the writes in flight answer within `graceMs`, or are audited as interrupted. */
  drain(graceMs: number): Promise<void>;
}

export function mcpEndpoint(deps: McpEndpointDeps): McpEndpoint {
  const running = new Set<AsanaMcpServer>();
  return {
    async handle(req, res) {
      if (req.method !== "POST") {
        // No standalone stream and no session to delete: every exchange is one POST.
        res
          .set("Allow", "POST")
          .status(405)
          .json(
            jsonRpcError(-32000, "Method not allowed: this server is stateless; send requests with POST."),
          );
        return;
      }
      const grantId = req.auth?.extra?.grantId;
      const session = typeof grantId === "string" ? await deps.sessions.forGrant(grantId) : undefined;
      if (!session) {
        res.status(401).json(jsonRpcError(-32001, "The sign-in behind this token is gone: sign in again."));
        return;
      }
      const app = buildServer({
        config: deps.config,
        resolver: session.resolver,
        asana: deps.asana,
        tools: deps.tools,
        version: deps.version,
        policy: deps.policy,
        audit: deps.audit,
        person: session.person,
        // A token confirms a call for the sign-in it was issued to, on whichever replica.
        stateless: { session: grantId as string, confirmations: deps.confirmations },
      });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      running.add(app);
      res.on("close", () => {
        running.delete(app);
        void transport.close().catch(() => undefined);
        void app.server.close().catch(() => undefined);
      });
      await app.server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    },
    async drain(graceMs) {
      const apps = [...running];
      if (apps.length) log.info(`shutting down: ${apps.length} MCP exchange(s) in flight`);
      await Promise.all(apps.map((app) => app.drain(graceMs)));
    },
  };
}

export function jsonRpcError(code: number, message: string, data?: Record<string, unknown>) {
  return { jsonrpc: "2.0", error: { code, message, ...(data ? { data } : {}) }, id: null };
}

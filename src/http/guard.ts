// DNS-rebinding protection: a request must name this server (ASANA_PUBLIC_URL) in its Host, and
// a browser request to the MCP endpoint or the consent form must come from this server's origin.
// The OAuth endpoints built for cross-origin use (metadata, registration, token, revocation: CORS,
// as browser-based MCP clients call them) accept any Origin; client authentication and PKCE guard them.
import type { NextFunction, Request, Response } from "express";
import { isLoopback } from "./settings.js";

/**
 * A path as express routes it: case-insensitive and with or without a trailing slash, so /MCP/
 * reaches the MCP endpoint and must meet the same Origin check as /mcp.
 */
function routed(path: string): string {
  return path.toLowerCase().replace(/\/+$/, "") || "/";
}

export function originGuard(publicUrl: URL, sameOriginPaths: readonly string[]) {
  const hosts = new Set([publicUrl.host.toLowerCase()]);
  // On loopback, the other names of this machine are the same server.
  if (isLoopback(publicUrl.hostname)) {
    const port = publicUrl.port ? `:${publicUrl.port}` : "";
    for (const name of ["127.0.0.1", "localhost", "[::1]"]) hosts.add(`${name}${port}`);
  }
  const origins = new Set([...hosts].map((host) => `${publicUrl.protocol}//${host}`));
  return (req: Request, res: Response, next: NextFunction) => {
    const host = (req.headers.host ?? "").toLowerCase();
    if (!hosts.has(host)) {
      res.status(403).json({
        error: "forbidden",
        error_description: `This server answers to ${publicUrl.host} only (ASANA_PUBLIC_URL), not ${JSON.stringify(host.slice(0, 100))}.`,
      });
      return;
    }
    const origin = req.headers.origin;
    if (
      origin !== undefined &&
      sameOriginPaths.includes(routed(req.path)) &&
      !origins.has(origin.toLowerCase())
    ) {
      res.status(403).json({
        error: "forbidden",
        error_description: `Requests from ${JSON.stringify(origin.slice(0, 100))} are not allowed here.`,
      });
      return;
    }
    next();
  };
}

// A forwarding proxy on 127.0.0.1 that signs every request with one bearer token, for a client
// that cannot sign in itself (a test suite speaking plain MCP). Everything else passes untouched,
// bodies and event streams included, except the names of the proxy itself: a Host or Origin that
// names the proxy is rewritten to name the server, as if the client had called the server direct;
// any other Host or Origin (a DNS-rebinding probe's) reaches the server as sent.
import { createServer, type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface BearerProxy {
  /** `target`'s path under the proxy's origin. */
  url: URL;
  close(): Promise<void>;
}

export async function startBearerProxy(target: URL, token: () => string): Promise<BearerProxy> {
  const proxy = createServer();
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as AddressInfo;
  const ownHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const ownOrigins = new Set([...ownHosts].map((host) => `http://${host}`));

  proxy.on("request", (incoming, outgoing) => {
    const headers: IncomingHttpHeaders = { ...incoming.headers, authorization: `Bearer ${token()}` };
    const host = (incoming.headers.host ?? "").toLowerCase();
    headers.host = ownHosts.has(host) || host === "" ? target.host : incoming.headers.host;
    const origin = incoming.headers.origin;
    if (origin !== undefined && ownOrigins.has(origin.toLowerCase())) headers.origin = target.origin;
    const upstream = request(
      { hostname: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(outgoing);
      },
    );
    upstream.on("error", (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "text/plain" });
      outgoing.end(`proxy: ${error.message}`);
    });
    // A client that gives up on a stream closes the server's side too.
    outgoing.on("close", () => upstream.destroy());
    incoming.pipe(upstream);
  });

  return {
    url: new URL(`${target.pathname}${target.search}`, `http://127.0.0.1:${port}`),
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

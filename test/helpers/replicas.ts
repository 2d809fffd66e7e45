// Scale-out under test: several replicas of the remote server (startRemoteServer, each with its
// own handle on one real PostgreSQL) behind a small round-robin proxy, all in front of one fake
// Asana. The proxy is the public URL; a replica that refuses connections is skipped, as a load
// balancer's health check would.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../../src/config.js";
import type { RemoteServer } from "../../src/http/server.js";
import { demoData, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { FakeAsana } from "../../src/sandbox/fake-asana.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import type { Store } from "../../src/store/types.js";
import { APP, startTestServer } from "./remote.js";

export interface Replica {
  remote: RemoteServer;
  store: Store;
  port: number;
  /** Requests this replica answered. */
  served: number;
}

export interface Replicas {
  fake: FakeAsana;
  replicas: Replica[];
  /** The proxy: the deployment's public URL. */
  url: URL;
  mcpUrl: URL;
  /** Stops a replica at once: its connections are cut, in-flight requests fail. */
  kill(index: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReplicas(
  databaseUrl: string,
  count = 2,
  env: Record<string, string> = {},
): Promise<Replicas> {
  const fake = new FakeAsana(demoData());
  const origin = await fake.listen(0);
  fake.oauth.registerClient({ ...APP, redirectUris: ["http://127.0.0.1/oauth/callback"] });
  const config = loadConfig({
    env: {
      ASANA_BASE_URL: `${origin}/api/1.0`,
      ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
      ASANA_LOG_LEVEL: "error",
      ...env,
    },
    cwd: "/",
  });
  const replicas: Replica[] = [];
  const alive: boolean[] = [];
  let next = 0;
  const proxy: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const tryReplica = (attempts: number): void => {
        const index = next++ % replicas.length;
        const replica = replicas[index];
        if (!replica || !alive[index]) {
          if (attempts > 0) tryReplica(attempts - 1);
          else unavailable();
          return;
        }
        const upstream = httpRequest(
          { host: "127.0.0.1", port: replica.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            replica.served++;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on("error", (error: NodeJS.ErrnoException) => {
          // Refused before anything was answered: the next replica takes the request.
          if (!res.headersSent && error.code === "ECONNREFUSED" && attempts > 0)
            return tryReplica(attempts - 1);
          if (!res.headersSent) res.writeHead(502).end();
          else res.destroy();
        });
        upstream.end(body);
      };
      const unavailable = () => void res.writeHead(503).end();
      tryReplica(replicas.length);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const url = new URL(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
  for (let i = 0; i < count; i++) {
    const store = await openPostgresStore(databaseUrl);
    const remote = await startTestServer(config, store, { port: 0, publicUrl: url });
    replicas.push({ remote, store, port: remote.port, served: 0 });
    alive.push(true);
  }
  return {
    fake,
    replicas,
    url,
    mcpUrl: new URL("/mcp", url),
    async kill(index) {
      alive[index] = false;
      const replica = replicas[index];
      if (replica) await replica.remote.close(0);
    },
    async close() {
      await new Promise((resolve) => proxy.close(resolve));
      proxy.closeAllConnections();
      for (const [i, replica] of replicas.entries()) {
        if (alive[i]) await replica.remote.close(0);
        await replica.store.close();
      }
      await fake.close();
    },
  };
}

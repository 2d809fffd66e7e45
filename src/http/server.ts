// `asana-mcp http`: the remote server. One express app on node:http: the OAuth authorization
// server clients see (the SDK's handlers, src/http/oauth/* for the Asana glue), the sign-in pages,
// health and readiness for load balancers, and the MCP endpoint behind the SDK's bearer check.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { authorizationHandler } from "@modelcontextprotocol/sdk/server/auth/handlers/authorize.js";
import { clientRegistrationHandler } from "@modelcontextprotocol/sdk/server/auth/handlers/register.js";
import { revocationHandler } from "@modelcontextprotocol/sdk/server/auth/handlers/revoke.js";
import { tokenHandler } from "@modelcontextprotocol/sdk/server/auth/handlers/token.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import {
  createOAuthMetadata,
  getOAuthProtectedResourceMetadataUrl,
  mcpAuthMetadataRouter,
} from "@modelcontextprotocol/sdk/server/auth/router.js";
import express, { type NextFunction, type Request, type Response } from "express";
import { AsanaClient } from "../asana/http.js";
import { AuditLog, type AuditSink, teeAudit } from "../audit.js";
import type { Identity } from "../auth/identities.js";
import type { Config } from "../config.js";
import { StoreConfirmationTokens } from "../confirm.js";
import { log } from "../log.js";
import { buildPolicy } from "../policy.js";
import { RemoteSessions } from "../session.js";
import type { Keyring } from "../store/crypto.js";
import { type Store, StoreUnavailableError } from "../store/types.js";
import type { Tool } from "../tools/define.js";
import { type AsanaApp, type GrantDeps, revokeGrant } from "./grants.js";
import { originGuard } from "./guard.js";
import { jsonRpcError, mcpEndpoint } from "./mcp.js";
import { ClientRegistry } from "./oauth/clients.js";
import { AsanaMcpOAuthProvider, CONSENT_PATH } from "./oauth/provider.js";
import { boundedBodies, checkAuthorizationRequest, checkRegistration } from "./oauth/request-limits.js";
import { signInRouter } from "./oauth/sign-in.js";
import { CALLBACK_PATH, MCP_PATH } from "./settings.js";
import { answerStoreUnavailable, storeAwareBearer } from "./store-outage.js";

export interface RemoteServerOptions {
  config: Config;
  tools: readonly Tool[];
  version: string;
  store: Store;
  keyring: Keyring;
  /** The deployment's bot and service account. */
  sharedIdentities: Identity[];
  /** The Asana app people sign in through; its redirect URI is filled in from the public URL. */
  app: Omit<AsanaApp, "redirectUri">;
  host: string;
  port: number;
  /** The public origin; default http://<host>:<port> once the port is known. */
  publicUrl?: URL;
  sandbox: boolean;
  /** Express's `trust proxy`: which hops may set X-Forwarded-For (ASANA_HTTP_TRUST_PROXY). */
  trustProxy?: string | number | boolean;
  /** Per-IP request budgets of the OAuth endpoints, per minute. */
  rateLimits?: { authorize: number; token: number; register: number };
}

export interface RemoteServer {
  /** The public URL (ASANA_PUBLIC_URL, or where it listens). */
  url: URL;
  /** The port it listens on (behind a proxy, not the public URL's). */
  port: number;
  sessions: RemoteSessions;
  asana: AsanaClient;
  /** Stops taking requests; writes in flight answer within `graceMs` or are audited as interrupted. */
  close(graceMs?: number): Promise<void>;
}

const SWEEP_INTERVAL_MS = 10 * 60_000;
const DEFAULT_RATE_LIMITS = { authorize: 120, token: 300, register: 30 };

export async function startRemoteServer(options: RemoteServerOptions): Promise<RemoteServer> {
  const http = createServer();
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const publicUrl =
    options.publicUrl ??
    new URL(`http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`);
  const resource = new URL(MCP_PATH, publicUrl);
  const { config, store, keyring } = options;
  const app: AsanaApp = { ...options.app, redirectUri: new URL(CALLBACK_PATH, publicUrl).href };

  const asana = new AsanaClient({
    baseUrl: config.baseUrl,
    requestTimeoutMs: config.requestTimeoutMs,
    maxResponseBytes: config.maxResponseBytes,
    // Replicas on one PostgreSQL send as the same shared identities: their Asana limits (requests
    // in flight per token, the per-minute quota) and settling claims are kept together there. The
    // embedded store has one process, whose in-process limiter is enough unless a quota is set.
    sharedLimits:
      store.kind === "postgres" || config.remote.ratePerMinute !== undefined
        ? { store, identities: options.sharedIdentities, perMinute: config.remote.ratePerMinute }
        : undefined,
  });
  const grantDeps: GrantDeps = { store, keyring, app, timeoutMs: config.requestTimeoutMs };
  const sessions = new RemoteSessions(config, options.sharedIdentities, grantDeps);
  const clients = new ClientRegistry(store, keyring, publicUrl.protocol === "http:");
  const provider = new AsanaMcpOAuthProvider({
    store,
    clients,
    publicUrl,
    resource,
    revokeGrant: async (grantId, why) => {
      sessions.forget(grantId);
      await revokeGrant(grantDeps, grantId, why);
    },
  });
  const policy = buildPolicy(config, options.tools);
  // On PostgreSQL every write is audited in its table, always; ASANA_AUDIT_LOG, when set, gets
  // each record too (a file on the host as well as the deployment's shared table).
  const audit = teeAudit(
    [
      store.openAudit?.({ bodies: config.auditLogBodies }),
      config.auditLog ? AuditLog.open(config.auditLog, config.auditLogBodies) : undefined,
    ].filter((sink): sink is AuditSink => sink !== undefined),
  );
  const mcp = mcpEndpoint({
    config,
    asana,
    tools: options.tools,
    policy,
    audit,
    sessions,
    version: options.version,
    confirmations: new StoreConfirmationTokens(store),
  });
  const deployment = sessions.deploymentResolver();
  // Who the shared identities are, asked once: descriptions and the consent page name them.
  for (const identity of options.sharedIdentities)
    void deployment.resolve(identity, asana, config.requestTimeoutMs);
  const you = "you (the Asana account you sign in with next)";
  const acting = (route: "read" | "write") =>
    (route === "read" ? deployment.readAs : deployment.writeAs) === "oauth"
      ? you
      : deployment.attribution(route);

  const limits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  const rate = (limit: number) => ({ windowMs: 60_000, limit });
  const web = express();
  web.disable("x-powered-by");
  // Behind a reverse proxy the budgets above count each person's address, not the proxy's, only
  // when the proxy is trusted to say it (X-Forwarded-For): ASANA_HTTP_TRUST_PROXY.
  if (options.trustProxy !== undefined) web.set("trust proxy", options.trustProxy);
  web.set("etag", false);
  web.use(originGuard(publicUrl, [MCP_PATH, CONSENT_PATH]));
  web.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
  web.get("/readyz", (_req, res) => {
    store.count("client").then(
      () => res.json({ status: "ready", store: store.kind }),
      () => res.status(503).json({ status: "unavailable", store: store.kind }),
    );
  });
  const metadata = {
    ...createOAuthMetadata({ provider, issuerUrl: publicUrl }),
    client_id_metadata_document_supported: true,
  };
  web.use(
    mcpAuthMetadataRouter({
      oauthMetadata: metadata,
      resourceServerUrl: resource,
      resourceName:
        config.sandbox || options.sandbox ? "Asana (sandbox) via asana-mcp" : "Asana via asana-mcp",
    }),
  );
  web.use(["/authorize", "/token", "/register", "/revoke"], boundedBodies);
  web.use(
    "/authorize",
    checkAuthorizationRequest(resource),
    authorizationHandler({ provider, rateLimit: rate(limits.authorize) }),
  );
  web.use("/token", tokenHandler({ provider, rateLimit: rate(limits.token) }));
  web.use(
    "/register",
    checkRegistration,
    clientRegistrationHandler({ clientsStore: clients, rateLimit: rate(limits.register) }),
  );
  web.use("/revoke", revocationHandler({ provider, rateLimit: rate(limits.token) }));
  web.use(
    signInRouter({
      store,
      keyring,
      clients,
      provider,
      app,
      timeoutMs: config.requestTimeoutMs,
      sandbox: options.sandbox,
      callbackPath: CALLBACK_PATH,
      describe: () => ({
        reads: acting("read"),
        writes: acting("write"),
        limits: [
          policy.readOnly ? "read-only" : "",
          policy.workspaces ? `workspaces ${[...policy.workspaces].join(", ")} only` : "",
          policy.projects ? `projects ${[...policy.projects].join(", ")} only` : "",
        ].filter(Boolean),
      }),
    }),
  );
  const bearer = storeAwareBearer(provider, (verifier) =>
    requireBearerAuth({
      verifier,
      resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(resource),
      expectedResource: resource,
    }),
  );
  web.all(MCP_PATH, bearer, express.json({ limit: config.maxMessageBytes }), (req, res, next) => {
    mcp.handle(req, res).catch(next);
  });
  web.use((_req, res) => void res.status(404).json({ error: "not_found" }));
  // The last word on any failure: a status and a line, never a stack trace.
  web.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof StoreUnavailableError && !res.headersSent) return answerStoreUnavailable(res, error);
    const status = (error as { status?: unknown }).status;
    const code = typeof status === "number" && status >= 400 && status < 600 ? status : 500;
    if (code >= 500) log.error(`request failed: ${error instanceof Error ? error.message : String(error)}`);
    if (res.headersSent) return void res.end();
    res
      .status(code)
      .json(
        jsonRpcError(
          -32603,
          code === 413 ? "The request is too large." : code >= 500 ? "Internal error." : "Bad request.",
        ),
      );
  });
  http.on("request", web);

  // Expired codes, tokens and sign-ins in progress are deleted in the background (the embedded
  // store also sweeps as it writes; PostgreSQL only here). Every replica sweeping is harmless.
  const sweeper = setInterval(() => {
    store.sweep().catch((error: unknown) => log.debug(`store sweep failed: ${String(error)}`));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  let closed: Promise<void> | undefined;
  return {
    url: publicUrl,
    port,
    sessions,
    asana,
    close(graceMs = config.shutdownGraceMs) {
      closed ??= (async () => {
        clearInterval(sweeper);
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        await mcp.drain(graceMs);
        http.closeAllConnections();
        await stopped;
        await audit?.close();
        await asana.close();
      })();
      return closed;
    },
  };
}

// The person's path between the client's authorization request and the code it gets back:
// the consent page (before Asana: the guard against a confused deputy holding one static Asana
// app), then Asana's own authorization-code flow with PKCE, then Asana's callback here.
//
// One browser goes the whole way: the consent page gives it a cookie whose digest the pending
// request keeps, and both the approval and Asana's callback must bring it back. The form carries
// a per-request anti-forgery token, and Asana's `state` names the pending request, used once.
import { createHash, timingSafeEqual } from "node:crypto";
import express, { type Request, type Response, Router } from "express";
import { loadUndici } from "../../asana/undici.js";
import { authorizeUrl, DEFAULT_SCOPES, pkcePair, randomToken, tokenRequest } from "../../auth/oauth.js";
import { discover, verifyIdToken } from "../../auth/oidc.js";
import { AppError } from "../../errors.js";
import { log } from "../../log.js";
import { digest, type Keyring } from "../../store/crypto.js";
import type { Store } from "../../store/types.js";
import { type AsanaApp, remember, saveGrant, sealGrantTokens } from "../grants.js";
import type { ClientRegistry } from "./clients.js";
import { consentPage, messagePage, sendPage } from "./pages.js";
import { type AsanaMcpOAuthProvider, CONSENT_PATH, PENDING_TTL_S } from "./provider.js";
import { asJson, type Grant, type Pending, type Person, pendingSchema, readRecord } from "./records.js";

const COOKIE = "__Host-asana-mcp-sign-in";

export interface SignInDeps {
  store: Store;
  keyring: Keyring;
  clients: ClientRegistry;
  provider: AsanaMcpOAuthProvider;
  app: AsanaApp;
  timeoutMs: number;
  sandbox: boolean;
  /** Whose name reads and writes carry, and the deployment's limits, for the consent page. */
  describe(): { reads: string; writes: string; limits: string[] };
  /** The path Asana redirects back to. */
  callbackPath: string;
}

export function signInRouter(deps: SignInDeps): Router {
  const router = Router();
  router.get(CONSENT_PATH, (req, res) => void showConsent(deps, req, res).catch((e) => fail(res, e)));
  router.post(
    CONSENT_PATH,
    express.urlencoded({ extended: false, limit: "8kb" }),
    (req, res) => void decide(deps, req, res).catch((e) => fail(res, e)),
  );
  router.get(deps.callbackPath, (req, res) => void callback(deps, req, res).catch((e) => fail(res, e)));
  return router;
}

async function showConsent(deps: SignInDeps, req: Request, res: Response): Promise<void> {
  const id = typeof req.query.request === "string" ? req.query.request : "";
  const key = digest(id);
  const pending = await readRecord(deps.store, "pending", key, pendingSchema);
  if (!pending || pending.asana_verifier_sealed) return expired(res);
  const client = await deps.clients.getClient(pending.client_id);
  if (!client) return expired(res);
  // The first browser to open the page holds the request: a leaked link shown elsewhere cannot
  // take the sign-in over (reloading in the same browser still works).
  if (pending.browser !== null && !sameBrowser(req, pending)) {
    return sendPage(
      res,
      403,
      messagePage(
        "Opened in another browser",
        "This sign-in page was already opened in another browser. Start the sign-in again from your MCP client.",
      ),
    );
  }
  const browser = randomToken(32);
  await deps.store.put("pending", key, asJson({ ...pending, browser: digest(browser) }), {
    expiresAt: Date.now() + PENDING_TTL_S * 1000,
  });
  res.cookie(COOKIE, browser, {
    httpOnly: true,
    secure: true,
    sameSite: "lax",
    path: "/",
    maxAge: PENDING_TTL_S * 1000,
  });
  const acting = deps.describe();
  sendPage(
    res,
    200,
    consentPage({
      requestId: id,
      csrf: pending.csrf,
      clientName: client.client_name,
      clientId: client.client_id,
      redirectUri: pending.redirect_uri,
      ...acting,
      sandbox: deps.sandbox,
    }),
    formTargets(deps, pending.redirect_uri),
  );
}

async function decide(deps: SignInDeps, req: Request, res: Response): Promise<void> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const field = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : "");
  const key = digest(field("request"));
  const pending = await readRecord(deps.store, "pending", key, pendingSchema);
  if (!pending || pending.asana_verifier_sealed) return expired(res);
  if (!same(field("csrf"), pending.csrf) || !sameBrowser(req, pending)) {
    log.warn("a consent form was submitted without its page's token or from another browser: refused");
    return sendPage(
      res,
      403,
      messagePage(
        "Not allowed",
        "This approval did not come from the consent page this server showed you. Start the sign-in again from your MCP client.",
      ),
    );
  }
  // Used once, whatever the decision.
  if (!(await deps.store.take("pending", key))) return expired(res);
  if (field("decision") !== "approve") {
    return redirectToClient(res, pending, {
      error: "access_denied",
      error_description: "The person denied access.",
    });
  }
  const state = randomToken(32);
  const { verifier, challenge } = pkcePair();
  const nonce = randomToken(16);
  const approved: Pending = {
    ...pending,
    asana_verifier_sealed: deps.keyring.seal(verifier, `pending:${digest(state)}`),
    nonce,
  };
  await deps.store.put("pending", digest(state), asJson(approved), {
    expiresAt: Date.now() + PENDING_TTL_S * 1000,
  });
  res.redirect(
    302,
    authorizeUrl(deps.app.baseUrl, {
      clientId: deps.app.clientId,
      redirectUri: deps.app.redirectUri,
      scopes: DEFAULT_SCOPES,
      state,
      challenge,
      nonce,
    }),
  );
}

async function callback(deps: SignInDeps, req: Request, res: Response): Promise<void> {
  const query = req.query as Record<string, unknown>;
  const state = typeof query.state === "string" ? query.state : "";
  const key = digest(state);
  // Single use: a replayed callback finds nothing.
  const taken = await deps.store.take("pending", key);
  const parsed = taken && pendingSchema.safeParse(taken);
  const pending = parsed?.success ? parsed.data : undefined;
  if (!pending?.asana_verifier_sealed || !pending.nonce) return expired(res);
  if (!sameBrowser(req, pending)) {
    log.warn("Asana's callback arrived in a browser other than the one that approved: refused");
    return sendPage(
      res,
      403,
      messagePage(
        "Not allowed",
        "This sign-in was approved in another browser. Start it again from your MCP client.",
      ),
    );
  }
  res.clearCookie(COOKIE, { httpOnly: true, secure: true, sameSite: "lax", path: "/" });
  if (typeof query.error === "string" || typeof query.code !== "string") {
    return redirectToClient(res, pending, {
      error: "access_denied",
      error_description: "Asana's sign-in was not completed.",
    });
  }
  const verifier = deps.keyring.open(pending.asana_verifier_sealed, `pending:${key}`);
  let grant: Grant;
  try {
    grant = await signIn(deps, query.code, verifier, pending);
  } catch (error) {
    // Messages written for `auth login` name its command; a person signing in here starts over
    // from their MCP client instead.
    const message =
      error instanceof AppError && error.code !== "login_required"
        ? error.message
        : "Asana did not accept the sign-in: start it again from your MCP client.";
    log.warn(`sign-in failed: ${message}`);
    return redirectToClient(res, pending, { error: "server_error", error_description: message });
  }
  await saveGrant(deps.store, grant);
  await deps.store.put(
    "consent",
    digest(`${grant.person.gid}\n${pending.client_id}\n${pending.redirect_uri}`),
    asJson({
      user_gid: grant.person.gid,
      client_id: pending.client_id,
      redirect_uri: pending.redirect_uri,
      at: grant.created_at,
    }),
    { expiresAt: Date.now() + 365 * 24 * 3600_000 },
  );
  log.info(`${grant.person.name} signed in`);
  const code = await deps.provider.issueCode(grant.id, pending);
  redirectToClient(res, pending, { code });
}

/** Asana's code for the person's tokens; who they are from the verified id_token or /users/me. */
async function signIn(deps: SignInDeps, code: string, verifier: string, pending: Pending): Promise<Grant> {
  const { app } = deps;
  const answer = await tokenRequest(
    app.baseUrl,
    {
      grant_type: "authorization_code",
      code,
      client_id: app.clientId,
      client_secret: app.clientSecret,
      redirect_uri: app.redirectUri,
      code_verifier: verifier,
    },
    deps.timeoutMs,
  );
  remember(answer.access_token);
  if (!answer.refresh_token)
    throw new AppError("bad_response", "Asana's sign-in answered without a refresh token.");
  remember(answer.refresh_token);
  let person = personOf(answer.data);
  if (answer.id_token) {
    const discovery = await discover(app.baseUrl, deps.timeoutMs);
    const claims = await verifyIdToken(answer.id_token, {
      discovery,
      clientId: app.clientId,
      nonce: pending.nonce ?? "",
      timeoutMs: deps.timeoutMs,
    });
    if (person && person.gid !== claims.sub)
      throw new AppError("bad_response", "Asana's id_token names another user.");
    person ??= { gid: claims.sub, name: claims.name ?? claims.sub, email: claims.email };
  }
  person ??= await whoIs(app.baseUrl, answer.access_token, deps.timeoutMs);
  const id = randomToken(24);
  return {
    id,
    client_id: pending.client_id,
    person,
    resource: pending.resource,
    ...sealGrantTokens(deps.keyring, id, { access: answer.access_token, refresh: answer.refresh_token }),
    asana_access_expires_at: Date.now() + (answer.expires_in ?? 3600) * 1000,
    asana_scopes: [...DEFAULT_SCOPES],
    created_at: new Date().toISOString(),
    refreshed_at: null,
  };
}

function personOf(data: unknown): Person | undefined {
  const d = data as { gid?: unknown; name?: unknown; email?: unknown } | null | undefined;
  if (typeof d?.gid !== "string" || typeof d.name !== "string") return undefined;
  return { gid: d.gid, name: d.name, email: typeof d.email === "string" ? d.email : null };
}

async function whoIs(baseUrl: string, accessToken: string, timeoutMs: number): Promise<Person> {
  const { request } = await loadUndici();
  const response = await request(`${baseUrl}/users/me?opt_fields=name,email`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const body = (await response.body.json().catch(() => undefined)) as { data?: unknown } | undefined;
  const person = response.statusCode === 200 ? personOf(body?.data) : undefined;
  if (!person)
    throw new AppError(
      "bad_response",
      `Asana's /users/me answered ${response.statusCode} after the sign-in.`,
    );
  return person;
}

function redirectToClient(res: Response, pending: Pending, params: Record<string, string>): void {
  const target = new URL(pending.redirect_uri);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  if (pending.client_state !== null) target.searchParams.set("state", pending.client_state);
  res.redirect(302, target.href);
}

function sameBrowser(req: Request, pending: Pending): boolean {
  const cookie = cookieValue(req.headers.cookie, COOKIE);
  return pending.browser !== null && cookie !== undefined && same(digest(cookie), pending.browser);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

function same(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y) && a.length > 0;
}

/** Where the consent form may lead: Asana's sign-in, or back to the client on "deny". */
function formTargets(deps: SignInDeps, redirectUri: string): string[] {
  const client = new URL(redirectUri);
  const clientTarget =
    client.protocol === "http:" || client.protocol === "https:" ? client.origin : client.protocol;
  return [new URL(deps.app.baseUrl).origin, clientTarget];
}

function expired(res: Response): void {
  sendPage(
    res,
    400,
    messagePage(
      "This sign-in link has expired",
      "It was used already or is more than 15 minutes old. Start the sign-in again from your MCP client.",
    ),
  );
}

function fail(res: Response, error: unknown): void {
  log.error(`sign-in page failed: ${error instanceof Error ? error.message : String(error)}`);
  if (!res.headersSent)
    sendPage(
      res,
      503,
      messagePage(
        "Try again",
        "The sign-in could not be completed just now (the server's store did not answer). Try again in a moment.",
      ),
    );
}

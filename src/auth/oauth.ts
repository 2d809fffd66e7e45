// OAuth 2.0 for Asana: PKCE and state for the authorize URL, the token endpoint (code exchange and
// refresh), revocation, and the `oauth` Identity that keeps an access token fresh in memory.
import { createHash, randomBytes } from "node:crypto";
import { loadUndici } from "../asana/undici.js";
import { AppError } from "../errors.js";
import { log, registerSecret, SECRET_SLOTS } from "../log.js";
import type { Identity } from "./identities.js";
import type { StoredLogin, TokenStore } from "./store.js";

export const OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob";

/** The tools' scopes (README "OAuth scopes") plus OpenID Connect for verified identity. */
export const DEFAULT_SCOPES = [
  "users:read",
  "workspaces:read",
  "projects:read",
  "tasks:read",
  "tasks:write",
  "tasks:delete",
  "stories:read",
  "stories:write",
  "tags:read",
  "teams:read",
  "attachments:read",
  "openid",
  "email",
  "profile",
] as const;

/** Asana's OAuth endpoints live at the root of the API's origin: …/api/1.0 -> …/-/oauth_token. */
export function oauthEndpoints(baseUrl: string): { authorize: string; token: string; revoke: string } {
  const origin = new URL(baseUrl).origin;
  return {
    authorize: `${origin}/-/oauth_authorize`,
    token: `${origin}/-/oauth_token`,
    revoke: `${origin}/-/oauth_revoke`,
  };
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** PKCE S256: the verifier stays here, the challenge goes in the authorize URL. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomToken(48);
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export function authorizeUrl(
  baseUrl: string,
  p: {
    clientId: string;
    redirectUri: string;
    scopes: readonly string[];
    state: string;
    challenge: string;
    nonce: string;
  },
): string {
  const url = new URL(oauthEndpoints(baseUrl).authorize);
  url.search = new URLSearchParams({
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    response_type: "code",
    state: p.state,
    code_challenge_method: "S256",
    code_challenge: p.challenge,
    scope: p.scopes.join(" "),
    nonce: p.nonce,
  }).toString();
  return url.href;
}

export interface TokenResponse {
  access_token: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  data?: { gid?: string; name?: string; email?: string } | null;
}

/** A JSON GET or form POST through undici; network failures become AppErrors naming the URL's path. */
export async function fetchJson(
  url: string,
  options: { timeoutMs: number; form?: Record<string, string> },
): Promise<{ status: number; body: unknown }> {
  const path = new URL(url).pathname;
  try {
    const { request } = await loadUndici();
    const response = await request(url, {
      method: options.form ? "POST" : "GET",
      headers: {
        accept: "application/json",
        "user-agent": "asana-mcp",
        ...(options.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: options.form ? new URLSearchParams(options.form).toString() : undefined,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.body.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.statusCode, body };
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).name;
    throw new AppError("network", `Asana's ${path} could not be reached (${code}).`);
  }
}

/** POST /-/oauth_token; a refused grant or client is `login_required`, never retried. */
export async function tokenRequest(
  baseUrl: string,
  form: Record<string, string>,
  timeoutMs: number,
): Promise<TokenResponse> {
  const { status, body } = await fetchJson(oauthEndpoints(baseUrl).token, { timeoutMs, form });
  const answer = (body ?? {}) as Partial<TokenResponse> & { error?: string; error_description?: string };
  if (status === 200 && typeof answer.access_token === "string") {
    registerSecret(answer.access_token, SECRET_SLOTS.oauthAccess);
    registerSecret(answer.refresh_token, SECRET_SLOTS.oauthRefresh);
    return answer as TokenResponse;
  }
  const what = form.grant_type === "refresh_token" ? "refresh token" : "sign-in code";
  if (status === 400 || status === 401) {
    const reason = answer.error ?? `HTTP ${status}`;
    throw new AppError(
      "login_required",
      reason === "invalid_client"
        ? `Asana refused the OAuth client id or secret (invalid_client): check ASANA_OAUTH_CLIENT_ID and ASANA_OAUTH_CLIENT_SECRET, then run \`asana-mcp auth login\` again.`
        : `Asana refused the OAuth ${what} (${reason}): run \`asana-mcp auth login\` again.`,
      { status },
    );
  }
  if (status >= 500) throw new AppError("asana_unavailable", `Asana's token endpoint answered ${status}.`);
  throw new AppError("bad_response", `Asana's token endpoint answered ${status} without an access token.`);
}

/** POST /-/oauth_revoke with the refresh token (Asana rejects access tokens there). */
export async function revokeRefreshToken(
  app: { baseUrl: string; clientId: string; clientSecret: string },
  refreshToken: string,
  timeoutMs: number,
): Promise<void> {
  const { status } = await fetchJson(oauthEndpoints(app.baseUrl).revoke, {
    timeoutMs,
    form: { client_id: app.clientId, client_secret: app.clientSecret, token: refreshToken },
  });
  if (status !== 200) throw new AppError("asana_bad_request", `Asana's revoke endpoint answered ${status}.`);
}

export type RefreshStep = "token-response" | "stored";

export interface OAuthIdentityOptions {
  store: TokenStore;
  login: StoredLogin;
  timeoutMs: number;
  /** Refresh this long before the access token expires; default 2 minutes. */
  refreshSkewMs?: number;
  /** Observes each step of a refresh (crash tests stop the process here). */
  onRefreshStep?: (step: RefreshStep) => Promise<void> | void;
}

/**
 * The `oauth` identity backed by a stored login. The access token exists only in memory; it is
 * obtained with the refresh token on first use, shortly before expiry and once after a 401.
 * Concurrent callers share one refresh. A rotated refresh token is stored before the new access
 * token is used, and the old one is kept until then, so a crash at any point leaves a usable login.
 */
export class OAuthIdentity implements Identity {
  readonly kind = "oauth";
  readonly source = "token store";
  private login: StoredLogin;
  private access: { token: string; expiresAt: number } | undefined;
  private refreshing: Promise<string> | undefined;
  private dead: AppError | undefined;

  constructor(private readonly options: OAuthIdentityOptions) {
    this.login = options.login;
    registerSecret(this.login.refresh_token, SECRET_SLOTS.oauthRefresh);
    registerSecret(this.login.client_secret);
  }

  get variable(): string {
    return this.options.store.location;
  }

  get verifiedClaims(): StoredLogin["verified_claims"] {
    return this.login.verified_claims;
  }

  get scopes(): string[] {
    return this.login.scopes;
  }

  /** Installs an access token as if just refreshed (start-up from a token known to be fresh). */
  setAccessToken(token: string, expiresInSeconds: number): void {
    registerSecret(token, SECRET_SLOTS.oauthAccess);
    this.access = { token, expiresAt: Date.now() + expiresInSeconds * 1000 };
  }

  async accessToken(): Promise<string> {
    if (this.dead) throw this.dead;
    const skew = this.options.refreshSkewMs ?? 120_000;
    if (this.access && this.access.expiresAt - skew > Date.now()) return this.access.token;
    return this.refresh();
  }

  async renewAfterUnauthorized(rejectedToken?: string): Promise<boolean> {
    if (this.dead) throw this.dead;
    // Another call already replaced the token that was refused: repeat with the new one.
    if (rejectedToken !== undefined && this.access && this.access.token !== rejectedToken) return true;
    if (this.refreshing) {
      await this.refreshing;
      return true;
    }
    this.access = undefined;
    await this.refresh();
    return true;
  }

  private refresh(): Promise<string> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<string> {
    const login = this.login;
    let answer: TokenResponse;
    try {
      answer = await tokenRequest(
        login.base_url,
        {
          grant_type: "refresh_token",
          refresh_token: login.refresh_token,
          client_id: login.client_id,
          client_secret: login.client_secret,
          redirect_uri: login.redirect_uri,
        },
        this.options.timeoutMs,
      );
    } catch (error) {
      // A refused refresh token will not start working: stop asking, say what to do.
      if (error instanceof AppError && error.code === "login_required") {
        this.dead = error;
        log.warn(error.message);
      }
      throw error;
    }
    await this.options.onRefreshStep?.("token-response");
    if (answer.refresh_token && answer.refresh_token !== login.refresh_token) {
      const next: StoredLogin = {
        ...login,
        refresh_token: answer.refresh_token,
        refreshed_at: new Date().toISOString(),
      };
      try {
        await this.options.store.write(next);
      } catch (error) {
        // Not adopted: the old refresh token stays valid until the new one is used, so keep using it.
        throw new AppError(
          "login_required",
          `The renewed OAuth login could not be saved to ${this.options.store.location}: ${(error as Error).message}`,
          {
            hint: "Make the token store writable (see ASANA_TOKEN_STORE), then call again.",
            retryable: true,
          },
        );
      }
      this.login = next;
    }
    await this.options.onRefreshStep?.("stored");
    this.access = { token: answer.access_token, expiresAt: Date.now() + (answer.expires_in ?? 3600) * 1000 };
    log.debug("OAuth access token refreshed");
    return answer.access_token;
  }
}

// The fake Asana's OAuth 2.0 / OpenID Connect provider: authorize, token (authorization_code and
// refresh_token grants), revoke, discovery, a JWKS with a real RSA key pair and signed id_tokens.
// It follows the documented Asana endpoints (/-/oauth_* at the origin root, discovery and JWKS under
// /api/1.0) and is strict where a client could go wrong: exact redirect URIs, single-use codes,
// PKCE S256, client secret at the token endpoint.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { exportJWK, SignJWT } from "jose";
import {
  AUTHORIZE_PATH,
  renderSignInError,
  renderSignInPage,
  SIGN_IN_FIELDS,
  type SignInPerson,
  sendPage,
} from "./sign-in-page.js";
import { SignInTokens } from "./sign-in-tokens.js";

export const OOB_REDIRECT = "urn:ietf:wg:oauth:2.0:oob";
const KEY_ID = "fake-asana-1";

export interface OAuthClientSeed {
  clientId: string;
  clientSecret: string;
  /**
   * Registered redirect URIs, matched exactly. A loopback URI registered without a port
   * (`http://127.0.0.1/callback`) matches any port, as RFC 8252 §7.3 asks of native-app servers.
   */
  redirectUris: string[];
}

/** What the provider needs from the fake: minting and dropping bearer tokens, and user profiles. */
export interface OAuthHost {
  readonly origin: string;
  addToken(seed: {
    token: string;
    userGid: string;
    kind: "oauth";
    oauthScopes: string[];
    expiresAt: number;
  }): void;
  revokeToken(token: string): void;
  userProfile(gid: string): { gid: string; name: string; email: string } | undefined;
  /** The people the sign-in page offers: those who can sign in to Asana (not bots or service accounts). */
  signInPeople(): SignInPerson[];
}

/** An authorize request that passed every check: what a code is issued for. */
interface AuthorizeRequest {
  client: OAuthClientSeed;
  redirectUri: string;
  state: string;
  challenge: string;
  scopes: string[];
  nonce?: string;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  nonce?: string;
  userGid: string;
  used: boolean;
}

interface RefreshGrant {
  clientId: string;
  userGid: string;
  scopes: string[];
  /** Access tokens minted from this grant, revoked with it. */
  accessTokens: Set<string>;
  /** With rotation, the refresh token that replaced this one; this one stays valid until it is used. */
  successor?: string;
  revoked: boolean;
}

export interface IdTokenOverrides {
  claims?: Record<string, unknown>;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** Sign with a key the JWKS does not publish. */
  foreignKey?: boolean;
}

export class OAuthProvider {
  /** Token-endpoint requests by grant type, so tests can assert "exactly one refresh". */
  readonly tokenRequests = { authorization_code: 0, refresh_token: 0 };
  revokeRequests = 0;
  /** When true, every refresh returns a new refresh token (the old one works until the new one is used). */
  rotateRefreshTokens = false;
  accessTokenTtlSeconds = 3600;
  /** Every secret value the provider has handed out, for scans that prove none leaked. */
  readonly issuedSecrets = new Set<string>();
  /** The user who "signs in" at the authorize endpoint; default the demo OAuth user. */
  signedInUser: string | undefined;
  /**
   * When true, the authorize endpoint shows a sign-in page where the person picks a demo user (and the
   * form posts back to it); when false, `signedInUser` is signed in without a page, as tests want.
   */
  signInPage = false;
  /** The sign-in page's anti-forgery tokens. */
  readonly signInTokens = new SignInTokens();

  private readonly clients = new Map<string, OAuthClientSeed>();
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshGrants = new Map<string, RefreshGrant>();
  private keyPair: { privateKey: KeyObject; publicKey: KeyObject } | undefined;
  private foreign: KeyObject | undefined;

  constructor(private readonly host: OAuthHost) {}

  // Generated on first use: most fakes never sign anything, and RSA key generation is slow.
  private get keys(): { privateKey: KeyObject; publicKey: KeyObject } {
    this.keyPair ??= generateKeyPairSync("rsa", { modulusLength: 2048 });
    return this.keyPair;
  }

  private get foreignKey(): KeyObject {
    this.foreign ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    return this.foreign;
  }

  get issuer(): string {
    return `${this.host.origin}/api/1.0`;
  }

  registerClient(client: OAuthClientSeed): void {
    this.clients.set(client.clientId, { ...client, redirectUris: [...client.redirectUris] });
    this.issuedSecrets.add(client.clientSecret);
  }

  /** Drops a refresh token (and its access tokens), as a user removing the app in Asana would. */
  revokeRefreshToken(token: string): void {
    const grant = this.refreshGrants.get(token);
    if (!grant) return;
    grant.revoked = true;
    for (const access of grant.accessTokens) this.host.revokeToken(access);
  }

  /** Makes every access token minted so far expire now (server side), leaving refresh tokens valid. */
  expireAccessTokens(): void {
    for (const grant of this.refreshGrants.values()) {
      for (const access of grant.accessTokens) this.host.revokeToken(access);
    }
  }

  /** Signs an id_token for `userGid` with optional tampering, for verification tests. */
  async signIdToken(audience: string, userGid: string, nonce?: string, overrides: IdTokenOverrides = {}) {
    const profile = this.host.userProfile(userGid);
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: userGid,
      name: profile?.name,
      email: profile?.email,
      email_verified: true,
      ...(nonce ? { nonce } : {}),
      ...overrides.claims,
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: KEY_ID, typ: "JWT" })
      .setIssuer(typeof overrides.claims?.iss === "string" ? overrides.claims.iss : this.issuer)
      .setAudience(typeof overrides.claims?.aud === "string" ? overrides.claims.aud : audience)
      .setIssuedAt(now)
      .setExpirationTime(now + (overrides.expiresIn ?? 3600))
      .sign(overrides.foreignKey ? this.foreignKey : this.keys.privateKey);
  }

  /**
   * Answers the request when it is one of the provider's endpoints; false otherwise.
   * `pathname` is the full path (the OAuth endpoints are outside /api/1.0).
   */
  async handle(method: string, url: URL, rawBody: string, res: ServerResponse): Promise<boolean> {
    const path = url.pathname;
    if (method === "GET" && path === AUTHORIZE_PATH) this.authorize(url.searchParams, res);
    else if (method === "POST" && path === AUTHORIZE_PATH && this.signInPage)
      this.signIn(new URLSearchParams(rawBody), res);
    else if (method === "POST" && path === "/-/oauth_token")
      await this.token(new URLSearchParams(rawBody), res);
    else if (method === "POST" && path === "/-/oauth_revoke") this.revoke(new URLSearchParams(rawBody), res);
    else if (method === "GET" && path === "/api/1.0/.well-known/openid-configuration") this.discovery(res);
    else if (method === "GET" && path === "/api/1.0/openid_connect/jwks") await this.jwks(res);
    else return false;
    return true;
  }

  /**
   * Checks an authorize request as Asana does. On failure the answer is written (an error page for a
   * bad client or redirect URI, a redirect back with `error` otherwise) and undefined returned.
   */
  private checkAuthorize(q: URLSearchParams, res: ServerResponse): AuthorizeRequest | undefined {
    const client = this.clients.get(q.get("client_id") ?? "");
    const redirectUri = q.get("redirect_uri") ?? "";
    // Like Asana: a bad client or redirect URI is shown to the user, never redirected.
    if (!client) return void text(res, 400, "Error: unknown client_id");
    if (!this.redirectAllowed(client, redirectUri))
      return void text(res, 400, "Error: redirect_uri does not match");
    const state = q.get("state");
    const fail = (error: string) =>
      void this.redirectBack(res, redirectUri, { error, ...(state ? { state } : {}) });
    if (!state) return fail("invalid_request");
    if (!(q.get("response_type") ?? "").split(" ").includes("code")) return fail("unsupported_response_type");
    const challenge = q.get("code_challenge");
    if (q.get("code_challenge_method") !== "S256" || !challenge) return fail("invalid_request");
    const scopes = (q.get("scope") ?? "default").split(" ").filter(Boolean);
    return { client, redirectUri, state, challenge, scopes, nonce: q.get("nonce") ?? undefined };
  }

  private authorize(q: URLSearchParams, res: ServerResponse) {
    const request = this.checkAuthorize(q, res);
    if (!request) return;
    if (this.signInPage) return this.showSignIn(q, request, res);
    const userGid = this.signedInUser;
    if (!userGid)
      return this.redirectBack(res, request.redirectUri, { error: "access_denied", state: request.state });
    this.issueCode(request, userGid, res);
  }

  private showSignIn(q: URLSearchParams, request: AuthorizeRequest, res: ServerResponse): void {
    const carried = carriedParams(q);
    const html = renderSignInPage({
      people: this.host.signInPeople(),
      request: carried,
      csrfToken: this.signInTokens.issue(binding(carried)),
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      scopes: request.scopes,
    });
    // Out of band the form's answer is the code page itself: there is no redirect to allow.
    sendPage(res, 200, html, request.redirectUri === OOB_REDIRECT ? undefined : request.redirectUri);
  }

  /** The sign-in form's submission: the authorize request again, the page's token, and a choice. */
  private signIn(form: URLSearchParams, res: ServerResponse) {
    const q = new URLSearchParams(carriedParams(form));
    const request = this.checkAuthorize(q, res);
    if (!request) return;
    if (!this.signInTokens.take(form.get(SIGN_IN_FIELDS.csrf) ?? "", binding(carriedParams(q)))) {
      const message =
        "This sign-in page has expired or was already used. Go back to the application and sign in again.";
      return sendPage(res, 400, renderSignInError(message));
    }
    if (form.has(SIGN_IN_FIELDS.cancel)) {
      return this.redirectBack(res, request.redirectUri, { error: "access_denied", state: request.state });
    }
    const chosen = form.get(SIGN_IN_FIELDS.user) ?? "";
    const person = this.host.signInPeople().find((p) => p.gid === chosen);
    if (!person) return sendPage(res, 400, renderSignInError("There is no such person in the sandbox."));
    this.issueCode(request, person.gid, res);
  }

  private issueCode(request: AuthorizeRequest, userGid: string, res: ServerResponse): void {
    const code = `code-${randomBytes(16).toString("hex")}`;
    this.issuedSecrets.add(code);
    this.codes.set(code, {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      challenge: request.challenge,
      scopes: request.scopes,
      nonce: request.nonce,
      userGid,
      used: false,
    });
    if (request.redirectUri === OOB_REDIRECT) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(
        `<html><body><p>Paste this code into the application:</p><code id="code">${code}</code></body></html>`,
      );
      return;
    }
    this.redirectBack(res, request.redirectUri, { code, state: request.state });
  }

  private async token(form: URLSearchParams, res: ServerResponse) {
    const grantType = form.get("grant_type");
    if (grantType === "authorization_code" || grantType === "refresh_token") this.tokenRequests[grantType]++;
    const client = this.clients.get(form.get("client_id") ?? "");
    if (!client || client.clientSecret !== form.get("client_secret")) {
      return json(res, 401, { error: "invalid_client", error_description: "Client authentication failed" });
    }
    if (grantType === "authorization_code") {
      const code = form.get("code") ?? "";
      const grant = this.codes.get(code);
      if (!grant || grant.used || grant.clientId !== client.clientId) {
        if (grant) grant.used = true;
        return json(res, 400, {
          error: "invalid_grant",
          error_description: "The code is invalid or was used",
        });
      }
      grant.used = true;
      if (grant.redirectUri !== form.get("redirect_uri")) {
        return json(res, 400, { error: "invalid_grant", error_description: "redirect_uri mismatch" });
      }
      const verifier = form.get("code_verifier") ?? "";
      if (createHash("sha256").update(verifier).digest("base64url") !== grant.challenge) {
        return json(res, 400, { error: "invalid_grant", error_description: "PKCE verification failed" });
      }
      const refresh = this.newRefreshToken(client.clientId, grant.userGid, grant.scopes);
      const body = this.accessResponse(refresh, grant.userGid);
      body.refresh_token = refresh;
      if (grant.scopes.includes("openid")) {
        body.id_token = await this.signIdToken(client.clientId, grant.userGid, grant.nonce);
      }
      return json(res, 200, body);
    }
    if (grantType === "refresh_token") {
      const presented = form.get("refresh_token") ?? "";
      const grant = this.refreshGrants.get(presented);
      if (!grant || grant.revoked || grant.clientId !== client.clientId) {
        return json(res, 400, { error: "invalid_grant", error_description: "The refresh token is invalid" });
      }
      // Using a rotated token's successor retires the predecessor; until then both work, so a
      // client that crashed before storing the successor can still refresh.
      for (const [token, other] of this.refreshGrants) {
        if (other.successor === presented) {
          this.refreshGrants.delete(token);
        }
      }
      const body = this.accessResponse(presented, grant.userGid);
      if (this.rotateRefreshTokens) {
        const next = this.newRefreshToken(client.clientId, grant.userGid, grant.scopes);
        grant.successor = next;
        body.refresh_token = next;
      }
      return json(res, 200, body);
    }
    return json(res, 400, { error: "unsupported_grant_type" });
  }

  private revoke(form: URLSearchParams, res: ServerResponse) {
    this.revokeRequests++;
    const client = this.clients.get(form.get("client_id") ?? "");
    if (!client || client.clientSecret !== form.get("client_secret")) {
      return json(res, 401, { error: "invalid_client" });
    }
    const token = form.get("token") ?? "";
    const isAccessToken = [...this.refreshGrants.values()].some((g) => g.accessTokens.has(token));
    // Asana: access tokens are rejected (400); an unknown refresh token is "revoked or not found" (200).
    if (isAccessToken) return json(res, 400, { error: "invalid_request" });
    this.revokeRefreshToken(token);
    json(res, 200, {});
  }

  private discovery(res: ServerResponse): void {
    const origin = this.host.origin;
    json(res, 200, {
      issuer: this.issuer,
      authorization_endpoint: `${origin}/-/oauth_authorize`,
      token_endpoint: `${origin}/-/oauth_token`,
      revocation_endpoint: `${origin}/-/oauth_revoke`,
      userinfo_endpoint: `${origin}/api/1.0/openid_connect/userinfo`,
      jwks_uri: `${origin}/api/1.0/openid_connect/jwks`,
      response_types_supported: ["code", "id_token", "code id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid", "email", "profile"],
      code_challenge_methods_supported: ["S256"],
    });
  }

  private async jwks(res: ServerResponse): Promise<void> {
    const jwk = await exportJWK(this.keys.publicKey);
    json(res, 200, { keys: [{ ...jwk, kid: KEY_ID, alg: "RS256", use: "sig" }] });
  }

  private newRefreshToken(clientId: string, userGid: string, scopes: string[]): string {
    const token = `refresh-${randomBytes(24).toString("hex")}`;
    this.issuedSecrets.add(token);
    this.refreshGrants.set(token, { clientId, userGid, scopes, accessTokens: new Set(), revoked: false });
    return token;
  }

  private accessResponse(refreshToken: string, userGid: string): Record<string, unknown> {
    const grant = this.refreshGrants.get(refreshToken);
    if (!grant) throw new Error("unknown refresh grant");
    const access = `access-${randomBytes(24).toString("hex")}`;
    this.issuedSecrets.add(access);
    grant.accessTokens.add(access);
    this.host.addToken({
      token: access,
      userGid,
      kind: "oauth",
      oauthScopes: grant.scopes,
      expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000,
    });
    const profile = this.host.userProfile(userGid);
    return {
      access_token: access,
      token_type: "bearer",
      expires_in: this.accessTokenTtlSeconds,
      data: profile ? { id: Number(profile.gid), ...profile } : null,
    };
  }

  private redirectAllowed(client: OAuthClientSeed, candidate: string): boolean {
    if (client.redirectUris.includes(candidate)) return true;
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      return false;
    }
    if (url.protocol !== "http:" || url.hostname !== "127.0.0.1") return false;
    const portless = `http://127.0.0.1${url.pathname}${url.search}`;
    return client.redirectUris.includes(portless);
  }

  private redirectBack(res: ServerResponse, redirectUri: string, params: Record<string, string>) {
    if (redirectUri === OOB_REDIRECT) return text(res, 400, `Error: ${params.error ?? "invalid_request"}`);
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    res.writeHead(302, { Location: target.href, "Content-Type": "text/plain" });
    res.end();
  }
}

/** The authorize request's parameters as the sign-in form carries them: without the form's own fields. */
function carriedParams(params: URLSearchParams): Array<[string, string]> {
  const own = new Set<string>(Object.values(SIGN_IN_FIELDS));
  return [...params].filter(([name]) => !own.has(name));
}

/** What a sign-in token is bound to: the request, independent of parameter order. */
function binding(params: Array<[string, string]>): string {
  const sorted = [...params].sort(([a, x], [b, y]) =>
    a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1,
  );
  return JSON.stringify(sorted);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8", "Cache-Control": "no-store" });
  res.end(JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(body);
}

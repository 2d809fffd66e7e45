// The authorization server MCP clients see, as the SDK's OAuth handlers call it: they parse and
// validate requests, authenticate clients and check PKCE; this file decides what is issued, and
// keeps the promises that make it safe in front of one static Asana app:
// - every code and refresh token works once; a second use revokes the whole grant (RFC 9700 §4.14);
// - tokens are bound to this server's /mcp (RFC 8707) and stored only as digests;
// - our tokens are ours: an Asana token is not one of them and is refused at /mcp.

import {
  InvalidGrantError,
  InvalidTargetError,
  InvalidTokenError,
  TemporarilyUnavailableError,
} from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type {
  AuthorizationParams,
  OAuthServerProvider,
} from "@modelcontextprotocol/sdk/server/auth/provider.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type {
  OAuthClientInformationFull,
  OAuthTokenRevocationRequest,
  OAuthTokens,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import type { Response } from "express";
import { randomToken } from "../../auth/oauth.js";
import { log } from "../../log.js";
import { digest } from "../../store/crypto.js";
import type { Store } from "../../store/types.js";
import { isOwnResource } from "../settings.js";
import { unavailableAsOAuth } from "../store-outage.js";
import type { ClientRegistry } from "./clients.js";
import {
  asJson,
  grantSchema,
  type Issued,
  issuedSchema,
  type Pending,
  readRecord,
  spentSchema,
} from "./records.js";

export const ACCESS_TOKEN_TTL_S = 3600;
export const REFRESH_TOKEN_TTL_S = 30 * 24 * 3600;
const CODE_TTL_S = 60;
/** A refresh token its own client presents again within this long is a race between its requests. */
export const REFRESH_RACE_MS = 10_000;
/** From the authorization request to Asana's callback: consent plus Asana's own sign-in. */
export const PENDING_TTL_S = 15 * 60;
export const CONSENT_PATH = "/consent";

export interface ProviderDeps {
  store: Store;
  clients: ClientRegistry;
  publicUrl: URL;
  /** This server's MCP endpoint: the only resource tokens are issued for. */
  resource: URL;
  /** Removes a grant and gives its Asana refresh token back to Asana (sign-out). */
  revokeGrant(grantId: string, why: string): Promise<void>;
}

export class AsanaMcpOAuthProvider implements OAuthServerProvider {
  constructor(private readonly deps: ProviderDeps) {}

  get clientsStore() {
    return this.deps.clients;
  }

  /** Keeps the request and sends the person to the consent page; Asana comes after it. */
  async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: Response) {
    return unavailableAsOAuth(async () => {
      const resource = this.boundResource(params.resource);
      const id = randomToken(32);
      const pending: Pending = {
        client_id: client.client_id,
        redirect_uri: params.redirectUri,
        code_challenge: params.codeChallenge,
        client_state: params.state ?? null,
        resource,
        csrf: randomToken(32),
        browser: null,
        asana_verifier_sealed: null,
        nonce: null,
      };
      await this.deps.store.put("pending", digest(id), asJson(pending), {
        expiresAt: Date.now() + PENDING_TTL_S * 1000,
      });
      const consent = new URL(CONSENT_PATH, this.deps.publicUrl);
      consent.searchParams.set("request", id);
      res.redirect(302, consent.href);
    });
  }

  /** Issues the client's code once Asana's sign-in is done (called by the callback). */
  async issueCode(grantId: string, pending: Pending): Promise<string> {
    const code = `amcp_code_${randomToken(32)}`;
    const record: Issued = {
      grant_id: grantId,
      client_id: pending.client_id,
      resource: pending.resource,
      redirect_uri: pending.redirect_uri,
      code_challenge: pending.code_challenge,
    };
    await this.deps.store.put("code", digest(code), asJson(record), {
      expiresAt: Date.now() + CODE_TTL_S * 1000,
    });
    return code;
  }

  async challengeForAuthorizationCode(client: OAuthClientInformationFull, code: string): Promise<string> {
    return unavailableAsOAuth(async () => {
      const record = await this.liveOrSpent("code", code, client);
      if (!record.code_challenge) throw new InvalidGrantError("The authorization code is invalid.");
      return record.code_challenge;
    });
  }

  async exchangeAuthorizationCode(
    client: OAuthClientInformationFull,
    code: string,
    _verifier?: string,
    redirectUri?: string,
    resource?: URL,
  ): Promise<OAuthTokens> {
    return unavailableAsOAuth(async () => {
      const key = digest(code);
      // Single use: of two requests racing with one code, one takes it and the other finds it spent.
      const taken = await this.deps.store.take("code", key);
      const record = taken && issuedSchema.safeParse(taken);
      if (!record?.success)
        return this.refuseSpent("code", key, client, "The authorization code is invalid or was used.");
      await this.markSpent(
        "code",
        key,
        record.data.grant_id,
        client,
        CODE_TTL_S * 10,
        record.data.code_challenge,
      );
      const issued = record.data;
      if (issued.client_id !== client.client_id) {
        throw new InvalidGrantError("The authorization code was issued to another client.");
      }
      if (redirectUri !== undefined && redirectUri !== issued.redirect_uri) {
        throw new InvalidGrantError("redirect_uri differs from the authorization request's.");
      }
      if (resource !== undefined && this.boundResource(resource) !== issued.resource) {
        throw new InvalidTargetError("The resource differs from the authorization request's.");
      }
      return this.issueTokens(issued.grant_id, client.client_id, issued.resource);
    });
  }

  async exchangeRefreshToken(
    client: OAuthClientInformationFull,
    refreshToken: string,
    _scopes?: string[],
    resource?: URL,
  ): Promise<OAuthTokens> {
    return unavailableAsOAuth(async () => {
      const key = digest(refreshToken);
      const taken = await this.deps.store.take("refresh", key);
      const record = taken && issuedSchema.safeParse(taken);
      if (!record?.success)
        return this.refuseSpent("refresh", key, client, "The refresh token is invalid, expired or was used.");
      const issued = record.data;
      if (issued.client_id !== client.client_id) {
        // Another client holding this token means it leaked: the grant ends.
        await this.deps.revokeGrant(issued.grant_id, "a refresh token was presented by another client");
        throw new InvalidGrantError("The refresh token was issued to another client.");
      }
      await this.markSpent("refresh", key, issued.grant_id, client, REFRESH_TOKEN_TTL_S);
      if (resource !== undefined && this.boundResource(resource) !== issued.resource) {
        throw new InvalidTargetError("The resource differs from the one the token was issued for.");
      }
      if (!(await readRecord(this.deps.store, "grant", issued.grant_id, grantSchema))) {
        throw new InvalidGrantError("The sign-in was revoked: sign in again.");
      }
      return this.issueTokens(issued.grant_id, client.client_id, issued.resource);
    });
  }

  /** A store outage stays a StoreUnavailableError here: /mcp answers it as 503 (store-outage.ts). */
  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const record = await readRecord(this.deps.store, "access", digest(token), issuedSchema);
    // An Asana token, a token of another deployment or a revoked one: not ours to honour.
    if (!record?.expires_at) throw new InvalidTokenError("The access token is not valid for this server.");
    if (!(await readRecord(this.deps.store, "grant", record.grant_id, grantSchema))) {
      throw new InvalidTokenError("The sign-in behind this token was revoked.");
    }
    return {
      token,
      clientId: record.client_id,
      scopes: [],
      expiresAt: Math.floor(record.expires_at / 1000),
      resource: new URL(record.resource),
      extra: { grantId: record.grant_id },
    };
  }

  /** RFC 7009: revoking either token of a grant ends the grant (and its Asana sign-in). */
  async revokeToken(client: OAuthClientInformationFull, request: OAuthTokenRevocationRequest): Promise<void> {
    return unavailableAsOAuth(async () => {
      const key = digest(request.token);
      for (const kind of ["refresh", "access"] as const) {
        const record = await readRecord(this.deps.store, kind, key, issuedSchema);
        if (!record) continue;
        // Another client's token is left alone, and said nothing about (RFC 7009 §2.1).
        if (record.client_id !== client.client_id) return;
        await this.deps.revokeGrant(record.grant_id, "revoked by its client");
        return;
      }
    });
  }

  private async issueTokens(grantId: string, clientId: string, resource: string): Promise<OAuthTokens> {
    const accessToken = `amcp_at_${randomToken(32)}`;
    const refreshToken = `amcp_rt_${randomToken(32)}`;
    const now = Date.now();
    const expiresAt = now + ACCESS_TOKEN_TTL_S * 1000;
    const base = { grant_id: grantId, client_id: clientId, resource };
    await this.deps.store.put("access", digest(accessToken), asJson({ ...base, expires_at: expiresAt }), {
      expiresAt,
    });
    await this.deps.store.put("refresh", digest(refreshToken), asJson(base), {
      expiresAt: now + REFRESH_TOKEN_TTL_S * 1000,
    });
    await this.deps.clients.touch(clientId);
    return {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: ACCESS_TOKEN_TTL_S,
      refresh_token: refreshToken,
    };
  }

  /** The code or token under `key` if live; if spent, its grant is revoked and the request refused. */
  /**
   * The live code's record; for a used one, its PKCE challenge only when its own client presents
   * it, so the SDK checks the verifier before the reuse can end a grant (refuseSpent): a leaked
   * used code alone, without its verifier, ends nobody's sign-in.
   */
  private async liveOrSpent(kind: "code", secret: string, client: OAuthClientInformationFull) {
    const key = digest(secret);
    const record = await readRecord(this.deps.store, kind, key, issuedSchema);
    if (record) {
      if (record.client_id !== client.client_id) {
        throw new InvalidGrantError("The authorization code was issued to another client.");
      }
      return record;
    }
    const spent = await readRecord(this.deps.store, kind, `spent:${key}`, spentSchema);
    if (spent?.client_id === client.client_id && spent.code_challenge) {
      return { code_challenge: spent.code_challenge };
    }
    throw new InvalidGrantError("The authorization code is invalid or was used.");
  }

  /**
   * A used code or refresh token presented again is refused, and ends its grant (RFC 9700 §4.14),
   * except for one case: its own client presenting a refresh token again within a few seconds of
   * using it. That is two requests of one client refreshing at once (the SDK's client does, when
   * parallel calls meet an expired token), not a thief: it is refused as a retryable error that
   * leaves the grant and the tokens the first request received in place.
   */
  private async refuseSpent(
    kind: "code" | "refresh",
    key: string,
    client: OAuthClientInformationFull,
    message: string,
  ): Promise<never> {
    const spent = await readRecord(this.deps.store, kind, `spent:${key}`, spentSchema);
    // A used code ends its grant only in its own client's hands (its verifier was checked).
    if (spent && (kind === "refresh" || spent.client_id === client.client_id)) {
      const race =
        kind === "refresh" &&
        spent.client_id === client.client_id &&
        spent.at !== undefined &&
        Date.now() - spent.at < REFRESH_RACE_MS;
      if (race) {
        throw new TemporarilyUnavailableError(
          "This refresh token was used a moment ago by another request of this client: use the tokens that request received.",
        );
      }
      log.warn(
        `a used ${kind === "code" ? "authorization code" : "refresh token"} was presented again: its sign-in is revoked`,
      );
      await this.deps.revokeGrant(spent.grant_id, `a used ${kind} was presented again`);
    }
    throw new InvalidGrantError(message);
  }

  private async markSpent(
    kind: "code" | "refresh",
    key: string,
    grantId: string,
    client: OAuthClientInformationFull,
    ttlSeconds: number,
    codeChallenge?: string,
  ) {
    const spent = {
      spent: true,
      grant_id: grantId,
      client_id: client.client_id,
      at: Date.now(),
      ...(codeChallenge ? { code_challenge: codeChallenge } : {}),
    };
    await this.deps.store.put(kind, `spent:${key}`, asJson(spent), {
      expiresAt: Date.now() + ttlSeconds * 1000,
    });
  }

  /** The resource a token is bound to: this server's /mcp, whether or not the client named it. */
  private boundResource(requested: URL | undefined): string {
    const ours = this.deps.resource.href;
    if (requested === undefined) return ours;
    if (!isOwnResource(requested.href, this.deps.resource)) {
      throw new InvalidTargetError(`This server issues tokens only for ${ours}.`);
    }
    return ours;
  }
}

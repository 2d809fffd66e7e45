// A person's sign-in (a grant) and the `oauth` identity behind it. The person's Asana tokens live
// sealed in the store, so any replica can act for them; the access token is also kept in memory,
// as a cache. A refresh happens once however many calls need it: in this process they share one
// promise, across processes they queue on the grant's lock and the later ones find it done. A
// rotated Asana refresh token is stored before the new access token is used.
import type { Identity } from "../auth/identities.js";
import { revokeRefreshToken, tokenRequest } from "../auth/oauth.js";
import { AppError } from "../errors.js";
import { log, REMOTE_SIGN_IN_HISTORY, registerSecret, SECRET_SLOTS } from "../log.js";
import type { Keyring } from "../store/crypto.js";
import type { Store } from "../store/types.js";
import { asJson, type Grant, grantSchema, readRecord } from "./oauth/records.js";

/** Refresh this long before Asana's access token expires. */
const REFRESH_SKEW_MS = 120_000;
/** How long a call waits for another replica's refresh of the same grant. */
const LOCK_WAIT_MS = 15_000;
/** A grant unused this long is forgotten (each refresh of our tokens extends it). */
export const GRANT_TTL_MS = 30 * 24 * 3600_000;

export interface AsanaApp {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Our callback, the redirect URI the app registered. */
  redirectUri: string;
}

export interface GrantDeps {
  store: Store;
  keyring: Keyring;
  app: AsanaApp;
  timeoutMs: number;
}

export function remember(secret: string): void {
  registerSecret(secret, SECRET_SLOTS.remoteSignIns, REMOTE_SIGN_IN_HISTORY);
}

export function sealGrantTokens(
  keyring: Keyring,
  grantId: string,
  tokens: { access: string; refresh: string },
): Pick<Grant, "asana_access_sealed" | "asana_refresh_sealed"> {
  return {
    asana_access_sealed: keyring.seal(tokens.access, `${grantId}:access`),
    asana_refresh_sealed: keyring.seal(tokens.refresh, `${grantId}:refresh`),
  };
}

export async function saveGrant(store: Store, grant: Grant): Promise<void> {
  await store.put("grant", grant.id, asJson(grant), { expiresAt: Date.now() + GRANT_TTL_MS });
}

/** Extends a grant in use; under its lock, so it never overwrites a refresh made meanwhile. */
export async function extendGrant(store: Store, grantId: string): Promise<void> {
  await store.withLock(`grant:${grantId}`, LOCK_WAIT_MS, async () => {
    const grant = await readRecord(store, "grant", grantId, grantSchema);
    if (grant) await saveGrant(store, grant);
  });
}

/** Ends a sign-in here and at Asana (its refresh token is revoked there, best effort). */
export async function revokeGrant(deps: GrantDeps, grantId: string, why: string): Promise<void> {
  // Under the grant's lock: a refresh running meanwhile would otherwise store the grant again.
  const grant = await deps.store.withLock(`grant:${grantId}`, LOCK_WAIT_MS, async () => {
    const found = await readRecord(deps.store, "grant", grantId, grantSchema);
    await deps.store.delete("grant", grantId);
    return found;
  });
  if (!grant) return;
  log.info(`sign-in of ${grant.person.name} ended: ${why}`);
  try {
    const refresh = deps.keyring.open(grant.asana_refresh_sealed, `${grantId}:refresh`);
    remember(refresh);
    await revokeRefreshToken(deps.app, refresh, deps.timeoutMs);
  } catch (error) {
    log.warn(`the Asana sign-in could not be revoked at Asana: ${(error as Error).message}`);
  }
}

export class GrantIdentity implements Identity {
  readonly kind = "oauth";
  readonly source = "token store";
  readonly variable = "your sign-in";
  private access: { token: string; expiresAt: number } | undefined;
  private refreshing: Promise<string> | undefined;

  constructor(
    readonly grantId: string,
    private readonly deps: GrantDeps,
  ) {}

  async accessToken(): Promise<string> {
    if (this.access && this.access.expiresAt - REFRESH_SKEW_MS > Date.now()) return this.access.token;
    return this.renew(undefined);
  }

  async renewAfterUnauthorized(rejectedToken?: string): Promise<boolean> {
    if (rejectedToken !== undefined && this.access && this.access.token !== rejectedToken) return true;
    this.access = undefined;
    await this.renew(rejectedToken);
    return true;
  }

  private renew(rejected: string | undefined): Promise<string> {
    this.refreshing ??= this.deps.store
      .withLock(`grant:${this.grantId}`, LOCK_WAIT_MS, () => this.renewLocked(rejected))
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async renewLocked(rejected: string | undefined): Promise<string> {
    const { store, keyring, app } = this.deps;
    const grant = await readRecord(store, "grant", this.grantId, grantSchema);
    if (!grant) {
      throw new AppError(
        "login_required",
        "Your sign-in to this server was revoked or has expired: sign in again from your MCP client.",
      );
    }
    // Another call or replica may have refreshed while this one waited for the lock.
    const stored = grant.asana_access_sealed && keyring.open(grant.asana_access_sealed, `${grant.id}:access`);
    if (stored && stored !== rejected && grant.asana_access_expires_at - REFRESH_SKEW_MS > Date.now()) {
      return this.adopt(stored, grant.asana_access_expires_at);
    }
    const refresh = keyring.open(grant.asana_refresh_sealed, `${grant.id}:refresh`);
    remember(refresh);
    const answer = await tokenRequest(
      app.baseUrl,
      {
        grant_type: "refresh_token",
        refresh_token: refresh,
        client_id: app.clientId,
        client_secret: app.clientSecret,
        redirect_uri: app.redirectUri,
      },
      this.deps.timeoutMs,
    ).catch((error: unknown) => {
      if (error instanceof AppError && error.code === "login_required") {
        throw new AppError(
          "login_required",
          "Asana no longer accepts your sign-in (it was revoked in Asana, or the app was removed): sign in again from your MCP client.",
        );
      }
      throw error;
    });
    const expiresAt = Date.now() + (answer.expires_in ?? 3600) * 1000;
    const next: Grant = {
      ...grant,
      ...sealGrantTokens(keyring, grant.id, {
        access: answer.access_token,
        refresh: answer.refresh_token ?? refresh,
      }),
      asana_access_expires_at: expiresAt,
      refreshed_at: new Date().toISOString(),
    };
    // Stored before use: a crash after this line loses nothing, and every replica sees the new token.
    await saveGrant(store, next);
    return this.adopt(answer.access_token, expiresAt);
  }

  private adopt(token: string, expiresAt: number): string {
    remember(token);
    this.access = { token, expiresAt };
    return token;
  }
}

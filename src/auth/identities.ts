// An identity is one Asana credential the server holds, and whose name Asana shows for its actions.
import { z } from "zod";
import type { IdentityKind, TokenSetting, ValueSource } from "../config.js";
import { registerSecret } from "../log.js";

export const KIND_LABEL: Record<IdentityKind, string> = {
  pat: "personal access token",
  bot: "bot account",
  service_account: "service account",
  oauth: "OAuth login",
};

export interface Identity {
  readonly kind: IdentityKind;
  /** The variable or store that holds the credential, e.g. "ASANA_BOT_PAT" (never the value). */
  readonly variable: string;
  readonly source: ValueSource | "token store";
  /** The bearer token to send now. OAuth identities may refresh before answering. */
  accessToken(): Promise<string>;
  /**
   * Called once after Asana answered 401. Resolves true when a new token is available and the
   * request is worth repeating (an OAuth refresh); static tokens resolve false. `rejectedToken`
   * is the token Asana refused, so calls that failed together share one refresh.
   */
  renewAfterUnauthorized(rejectedToken?: string): Promise<boolean>;
  /** Claims of a verified OpenID Connect id_token (OAuth logins made with `openid`). */
  readonly verifiedClaims?: VerifiedClaims | null;
}

/** The claims of an id_token verified at sign-in (signature, issuer, audience, expiry, nonce). */
export const verifiedClaimsSchema = z.object({
  iss: z.string(),
  sub: z.string(),
  aud: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  email_verified: z.boolean().nullable(),
});
export type VerifiedClaims = z.infer<typeof verifiedClaimsSchema>;

/** A PAT, bot PAT, service-account token or pasted OAuth access token: a fixed bearer token. */
export function staticIdentity(
  kind: IdentityKind,
  token: string,
  variable: string,
  source: ValueSource | "token store",
): Identity {
  registerSecret(token);
  return {
    kind,
    variable,
    source,
    accessToken: async () => token,
    renewAfterUnauthorized: async () => false,
  };
}

/** The Asana user behind an identity, once `GET /users/me` has answered. */
export interface AsanaUser {
  gid: string;
  name: string;
  email?: string;
}

const resolvedUsers = new WeakMap<Identity, AsanaUser>();

export function setResolvedUser(identity: Identity, user: AsanaUser): void {
  resolvedUsers.set(identity, user);
}

export function resolvedUser(identity: Identity): AsanaUser | undefined {
  return resolvedUsers.get(identity);
}

/** "Acme Bot (bot account, ASANA_BOT_PAT)", or "the bot account from ASANA_BOT_PAT" before resolution. */
export function describeIdentity(identity: Identity): string {
  const user = resolvedUsers.get(identity);
  return user
    ? `${user.name} (${KIND_LABEL[identity.kind]}, ${identity.variable})`
    : `the ${KIND_LABEL[identity.kind]} from ${identity.variable}`;
}

/** The identities whose tokens the configuration holds, in a fixed order. */
export function identitiesFromConfig(tokens: Partial<Record<IdentityKind, TokenSetting>>): Identity[] {
  const identities: Identity[] = [];
  for (const [kind, setting] of Object.entries(tokens) as Array<[IdentityKind, TokenSetting | undefined]>) {
    if (setting) identities.push(staticIdentity(kind, setting.token, setting.variable, setting.source));
  }
  return identities;
}

// The shapes remote mode keeps in the store, each checked when read back: a record written by an
// older or newer version, or damaged, is treated as absent rather than trusted.
import { z } from "zod";
import type { JsonObject, RecordKind, Store } from "../../store/types.js";

/** A sign-in in progress: the client's authorization request, through consent and Asana's sign-in. */
export const pendingSchema = z.object({
  client_id: z.string(),
  redirect_uri: z.string(),
  code_challenge: z.string(),
  /** The client's own state, handed back with our code. */
  client_state: z.string().nullable(),
  resource: z.string(),
  /** The consent form's anti-forgery token. */
  csrf: z.string(),
  /** Digest of the cookie given to the browser that saw the consent page (it must come back). */
  browser: z.string().nullable(),
  /** Set once approved: PKCE verifier (sealed) and nonce toward Asana. */
  asana_verifier_sealed: z.string().nullable(),
  nonce: z.string().nullable(),
});
export type Pending = z.infer<typeof pendingSchema>;

export const personSchema = z.object({ gid: z.string(), name: z.string(), email: z.string().nullable() });
export type Person = z.infer<typeof personSchema>;

/** A person's sign-in through one client: who they are and their Asana tokens, sealed. */
export const grantSchema = z.object({
  id: z.string(),
  client_id: z.string(),
  person: personSchema,
  resource: z.string(),
  asana_refresh_sealed: z.string(),
  asana_access_sealed: z.string().nullable(),
  /** Epoch ms. */
  asana_access_expires_at: z.number(),
  asana_scopes: z.array(z.string()),
  created_at: z.string(),
  refreshed_at: z.string().nullable(),
});
export type Grant = z.infer<typeof grantSchema>;

/** An authorization code, an access token or a refresh token this server issued (stored by digest). */
export const issuedSchema = z.object({
  grant_id: z.string(),
  client_id: z.string(),
  resource: z.string(),
  /** Codes only: where the code may be redeemed and the PKCE challenge it answers. */
  redirect_uri: z.string().optional(),
  code_challenge: z.string().optional(),
  /** Access tokens only, epoch ms. */
  expires_at: z.number().optional(),
});
export type Issued = z.infer<typeof issuedSchema>;

/** What a code or refresh token leaves behind once used: a second use revokes its grant. */
export const spentSchema = z.object({
  spent: z.literal(true),
  grant_id: z.string(),
  /** Who used it and when (epoch ms): the same client again a moment later is a race, not a theft. */
  client_id: z.string().optional(),
  at: z.number().optional(),
  /** Codes: the PKCE challenge, so a reuse ends the grant only with the right verifier. */
  code_challenge: z.string().optional(),
});

export async function readRecord<T>(
  store: Store,
  kind: RecordKind,
  key: string,
  schema: z.ZodType<T>,
): Promise<T | undefined> {
  const raw = await store.get(kind, key);
  const parsed = raw === undefined ? undefined : schema.safeParse(raw);
  return parsed?.success ? parsed.data : undefined;
}

export function asJson(value: object): JsonObject {
  return value as JsonObject;
}

// OpenID Connect: discovery, the provider's keys, and id_token verification. Asana documents
// neither its issuer nor its JWKS URI, so both come from the discovery document at run time.
import { createLocalJWKSet, type JSONWebKeySet, errors as joseErrors, jwtVerify } from "jose";
import { AppError } from "../errors.js";
import type { VerifiedClaims } from "./identities.js";
import { fetchJson } from "./oauth.js";

export interface Discovery {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  userinfo_endpoint?: string;
}

/** `{base}/.well-known/openid-configuration`, e.g. https://app.asana.com/api/1.0/.well-known/… */
export async function discover(baseUrl: string, timeoutMs: number): Promise<Discovery> {
  const { status, body } = await fetchJson(`${baseUrl}/.well-known/openid-configuration`, { timeoutMs });
  const doc = body as Partial<Discovery> | undefined;
  if (status !== 200 || typeof doc?.issuer !== "string" || typeof doc.jwks_uri !== "string") {
    throw new AppError(
      "bad_response",
      `Asana's OpenID Connect discovery document could not be read (HTTP ${status}).`,
    );
  }
  checkSafeUrl(doc.jwks_uri, "jwks_uri");
  return doc as Discovery;
}

/**
 * Verifies an id_token: RS256/ES256 signature against the discovered JWKS, issuer, audience (our
 * client id), expiry (60 s clock tolerance) and the nonce sent with the authorize request.
 */
export async function verifyIdToken(
  idToken: string,
  options: { discovery: Discovery; clientId: string; nonce: string; timeoutMs: number },
): Promise<VerifiedClaims> {
  const { status, body } = await fetchJson(options.discovery.jwks_uri, { timeoutMs: options.timeoutMs });
  if (status !== 200 || !Array.isArray((body as { keys?: unknown } | undefined)?.keys)) {
    throw new AppError("bad_response", `Asana's signing keys (JWKS) could not be read (HTTP ${status}).`);
  }
  const keys = createLocalJWKSet(body as JSONWebKeySet);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(idToken, keys, {
      issuer: options.discovery.issuer,
      audience: options.clientId,
      algorithms: ["RS256", "ES256", "PS256"],
      clockTolerance: 60,
      requiredClaims: ["sub", "exp", "iat"],
    }));
  } catch (error) {
    throw new AppError("bad_response", `The id_token from Asana was rejected: ${describeJoseError(error)}.`, {
      hint: "Sign in again with `asana-mcp auth login`; if it repeats, the sign-in was not answered by Asana.",
    });
  }
  if (payload.nonce !== options.nonce) {
    throw new AppError(
      "bad_response",
      "The id_token from Asana was rejected: its nonce does not match this sign-in.",
      {
        hint: "Sign in again with `asana-mcp auth login`.",
      },
    );
  }
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    iss: String(payload.iss),
    sub: String(payload.sub),
    aud: options.clientId,
    email: str(payload.email),
    name: str(payload.name),
    email_verified: typeof payload.email_verified === "boolean" ? payload.email_verified : null,
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "it has expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `claim ${error.claim} is wrong (${error.reason})`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "its signature does not verify";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "it is signed with a key Asana does not publish";
  return error instanceof Error ? error.message : String(error);
}

/** https anywhere; http only on this machine (the fake Asana in tests). */
export function checkSafeUrl(raw: string, what: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError("bad_response", `Asana's ${what} is not a URL.`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new AppError("bad_response", `Asana's ${what} does not use https: ${url.origin}.`);
  }
}

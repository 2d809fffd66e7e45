// What the OAuth endpoints accept before the SDK's handlers see a request. Registration and
// authorization are open to anyone, so every field that ends up in the store is bounded, and an
// authorization request that is not acceptable is answered here, to the browser, instead of by
// the SDK's error redirect: otherwise anyone could register a client and use this server's
// origin to bounce people to any address (an open redirector).
import express, { type NextFunction, type Request, type Response } from "express";
import { isOwnResource } from "../settings.js";

/** The bodies of /authorize, /token, /register and /revoke: a few kB is plenty. */
export const OAUTH_BODY_LIMIT = "16kb";
const MAX_STATE = 1024;
const MAX_CHALLENGE = 128;
const MAX_REDIRECT_URIS = 10;
const MAX_URI = 2048;
const MAX_NAME = 200;

/** Parses form and JSON bodies with a small limit (the SDK's own parsers then find them parsed). */
export const boundedBodies = [
  express.urlencoded({ extended: false, limit: OAUTH_BODY_LIMIT }),
  express.json({ limit: OAUTH_BODY_LIMIT }),
];

function refuse(res: Response, description: string, error = "invalid_request"): void {
  res.status(400).set("Cache-Control", "no-store").json({ error, error_description: description });
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Checks an authorization request fully; only an acceptable one reaches the SDK's handler. */
export function checkAuthorizationRequest(resource: URL) {
  return (req: Request, res: Response, next: NextFunction) => {
    const params = (req.method === "POST" ? req.body : req.query) as Record<string, unknown> | undefined;
    const field = (name: string) => params?.[name];
    const text = (name: string) => (typeof field(name) === "string" ? (field(name) as string) : undefined);
    for (const name of [
      "client_id",
      "redirect_uri",
      "response_type",
      "code_challenge",
      "code_challenge_method",
      "state",
      "scope",
      "resource",
    ]) {
      if (field(name) !== undefined && typeof field(name) !== "string")
        return refuse(res, `${name} must be given once.`);
    }
    if (text("response_type") !== "code") return refuse(res, "response_type must be code.");
    const challenge = text("code_challenge") ?? "";
    if (challenge.length < 43 || challenge.length > MAX_CHALLENGE)
      return refuse(res, "code_challenge (PKCE S256) is required.");
    if (text("code_challenge_method") !== "S256") return refuse(res, "code_challenge_method must be S256.");
    if ((text("state") ?? "").length > MAX_STATE)
      return refuse(res, `state must be at most ${MAX_STATE} characters.`);
    if ((text("scope") ?? "").length > MAX_STATE) return refuse(res, "scope is too long.");
    // Control characters have no place in these values (and PostgreSQL's jsonb refuses NUL).
    if (hasControl(`${text("state") ?? ""}${text("scope") ?? ""}${text("redirect_uri") ?? ""}`)) {
      return refuse(res, "state, scope and redirect_uri must not contain control characters.");
    }
    const asked = text("resource");
    if (asked !== undefined && !isOwnResource(asked, resource)) {
      return refuse(res, `This server issues tokens only for ${resource.href}.`, "invalid_target");
    }
    next();
  };
}

/** Bounds a registration's fields (the SDK validates their shape). */
export function checkRegistration(req: Request, res: Response, next: NextFunction): void {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const uris = body.redirect_uris;
  if (
    Array.isArray(uris) &&
    (uris.length > MAX_REDIRECT_URIS || uris.some((u) => typeof u !== "string" || u.length > MAX_URI))
  ) {
    return void res.status(400).json({
      error: "invalid_redirect_uri",
      error_description: `At most ${MAX_REDIRECT_URIS} redirect_uris of at most ${MAX_URI} characters.`,
    });
  }
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === "string" && value.length > (name.endsWith("_uri") ? MAX_URI : MAX_NAME)) {
      return void res
        .status(400)
        .json({ error: "invalid_client_metadata", error_description: `${name} is too long.` });
    }
    if (Array.isArray(value) && value.length > MAX_REDIRECT_URIS) {
      return void res
        .status(400)
        .json({ error: "invalid_client_metadata", error_description: `${name} has too many items.` });
    }
  }
  next();
}

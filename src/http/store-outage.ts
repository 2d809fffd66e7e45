// The store (PostgreSQL) not answering, as /mcp tells its clients: 503 with Retry-After and a
// JSON-RPC error naming store_unavailable, instead of the SDK bearer check's 500 "Internal Server
// Error", which says neither that it is temporary nor that the sign-in is intact.
import { TemporarilyUnavailableError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type { OAuthTokenVerifier } from "@modelcontextprotocol/sdk/server/auth/provider.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { ERROR_TABLE, STORE_UNAVAILABLE_MESSAGE } from "../errors.js";
import { log } from "../log.js";
import { StoreUnavailableError } from "../store/types.js";
import { jsonRpcError } from "./mcp.js";

/** Seconds a client is asked to wait before trying again. */
export const STORE_RETRY_AFTER_S = 5;

export function answerStoreUnavailable(res: Response, error: StoreUnavailableError): void {
  log.warn(`a request was refused: ${error.message}`);
  res
    .set("Retry-After", String(STORE_RETRY_AFTER_S))
    .status(503)
    .json(
      jsonRpcError(-32000, STORE_UNAVAILABLE_MESSAGE, {
        code: "store_unavailable",
        retryable: true,
        hint: ERROR_TABLE.store_unavailable.hint,
      }),
    );
}

/**
 * The OAuth endpoints' side (token, authorize, register, revoke): the SDK's handlers answer a
 * thrown OAuthError as it is, so a store outage becomes `temporarily_unavailable` rather than
 * `server_error`; the request can be repeated.
 */
export async function unavailableAsOAuth<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    log.warn(`an OAuth request was refused: ${error.message}`);
    throw new TemporarilyUnavailableError(
      "This server's store (its database) did not answer: try again in a few seconds.",
    );
  }
}

/**
 * Runs the SDK's bearer check (`makeBearer(verifier)`) with the token verified first here: a
 * store outage is answered as above; any other outcome, the SDK's check handles as ever, reading
 * the verification already made (handed over synchronously: the check calls its verifier before
 * its first await) rather than asking the store twice.
 */
export function storeAwareBearer(
  verifier: OAuthTokenVerifier,
  makeBearer: (verifier: OAuthTokenVerifier) => RequestHandler,
): RequestHandler {
  let handoff: { token: string; verified: Promise<AuthInfo> } | undefined;
  const bearer = makeBearer({
    verifyAccessToken: (token) =>
      handoff?.token === token ? handoff.verified : verifier.verifyAccessToken(token),
  });
  return async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return bearer(req, res, next);
    const verified = verifier.verifyAccessToken(token);
    try {
      await verified;
    } catch (error) {
      if (error instanceof StoreUnavailableError) return answerStoreUnavailable(res, error);
    }
    handoff = { token, verified };
    try {
      return bearer(req, res, next);
    } finally {
      handoff = undefined;
    }
  };
}

function bearerToken(header: string | undefined): string | undefined {
  const [type, token] = (header ?? "").split(" ");
  return type?.toLowerCase() === "bearer" && token ? token : undefined;
}

// The sign-in flow: authorization code with PKCE and a single-use state, through a loopback
// callback (the browser comes back to 127.0.0.1) or out-of-band (the person pastes the code).

import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AppError } from "../errors.js";
import { registerSecret } from "../log.js";
import { authorizeUrl, OOB_REDIRECT_URI, pkcePair, randomToken, tokenRequest } from "./oauth.js";
import { discover, verifyIdToken } from "./oidc.js";
import { STORE_VERSION, type StoredLogin, type TokenStore } from "./store.js";

export const DEFAULT_LOOPBACK_PORT = 8976;

export interface LoginOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
  mode: "loopback" | "oob";
  /** Loopback port; 0 picks a free one (the app must then be registered for any loopback port). */
  port?: number;
  timeoutMs: number;
  /** How long to wait for the browser to come back; default 5 minutes. */
  waitMs?: number;
  /** Opens the authorize URL; absent with --no-browser. */
  openBrowser?: (url: string) => Promise<void>;
  /** Reads the code pasted in out-of-band mode. */
  readCode: () => Promise<string>;
  /** Lines for the person at the terminal (never secrets). */
  say: (line: string) => void;
  store: TokenStore;
}

export async function login(options: LoginOptions): Promise<StoredLogin> {
  registerSecret(options.clientSecret);
  const state = randomToken();
  const nonce = randomToken();
  const { verifier, challenge } = pkcePair();

  let redirectUri: string;
  let code: string;
  if (options.mode === "loopback") {
    const callback = await listenForCallback(
      state,
      options.port ?? DEFAULT_LOOPBACK_PORT,
      options.waitMs ?? 300_000,
    );
    redirectUri = callback.redirectUri;
    try {
      const url = authorizeUrl(options.baseUrl, { ...options, redirectUri, state, challenge, nonce });
      options.say(`Sign in to Asana in your browser. If it does not open, visit:\n\n  ${url}\n`);
      await options.openBrowser?.(url).catch((error: unknown) => {
        options.say(`(The browser could not be opened: ${(error as Error).message}. Open the URL above.)`);
      });
      code = await callback.code;
    } finally {
      callback.close();
    }
  } else {
    redirectUri = OOB_REDIRECT_URI;
    const url = authorizeUrl(options.baseUrl, { ...options, redirectUri, state, challenge, nonce });
    options.say(`Open this URL, sign in to Asana and allow access:\n\n  ${url}\n`);
    await options.openBrowser?.(url).catch(() => undefined);
    options.say("Then paste the code Asana shows here and press Enter:");
    code = (await options.readCode()).trim();
    if (!/^[\w.~+/=-]{4,512}$/.test(code)) {
      throw new AppError(
        "invalid_input",
        "That does not look like an Asana sign-in code; run the login again.",
      );
    }
  }
  registerSecret(code);

  const answer = await tokenRequest(
    options.baseUrl,
    {
      grant_type: "authorization_code",
      client_id: options.clientId,
      client_secret: options.clientSecret,
      redirect_uri: redirectUri,
      code,
      code_verifier: verifier,
    },
    options.timeoutMs,
  );
  if (!answer.refresh_token) {
    throw new AppError(
      "bad_response",
      "Asana's sign-in answer carries no refresh token, so the login could not be kept.",
    );
  }

  let verified: StoredLogin["verified_claims"] = null;
  if (answer.id_token) {
    const discovery = await discover(options.baseUrl, options.timeoutMs);
    verified = await verifyIdToken(answer.id_token, {
      discovery,
      clientId: options.clientId,
      nonce,
      timeoutMs: options.timeoutMs,
    });
  }
  const user = answer.data ?? {};
  if (verified && user.gid && verified.sub !== user.gid) {
    throw new AppError("bad_response", "The verified id_token names a different user than the token answer.");
  }
  const stored: StoredLogin = {
    version: STORE_VERSION,
    base_url: options.baseUrl,
    client_id: options.clientId,
    client_secret: options.clientSecret,
    redirect_uri: redirectUri,
    refresh_token: answer.refresh_token,
    scopes: [...options.scopes],
    user: {
      gid: user.gid ?? verified?.sub ?? "",
      name: user.name ?? verified?.name ?? "(unknown)",
      email: user.email ?? verified?.email ?? null,
    },
    verified_claims: verified,
    signed_in_at: new Date().toISOString(),
    refreshed_at: null,
  };
  await options.store.write(stored);
  return stored;
}

interface PendingCallback {
  redirectUri: string;
  code: Promise<string>;
  close(): void;
}

/**
 * Listens on 127.0.0.1 for exactly one request to /callback. That one request decides the
 * sign-in: a code with the expected state resolves it; anything else (wrong state, an error from
 * Asana) rejects it. The listener closes after it, so a second callback finds nobody.
 */
async function listenForCallback(state: string, port: number, waitMs: number): Promise<PendingCallback> {
  let settle: { resolve: (code: string) => void; reject: (error: Error) => void } | undefined;
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let handled = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/callback") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
      return;
    }
    if (handled) {
      res.writeHead(409, { "content-type": "text/plain" }).end("This sign-in has already been answered.");
      return;
    }
    handled = true;
    const page = (status: number, message: string) => {
      res.writeHead(status, { "content-type": "text/html; charset=utf-8", connection: "close" });
      res.end(`<!doctype html><title>asana-mcp</title><p>${message}</p>`);
      close();
    };
    const got = url.searchParams.get("state") ?? "";
    if (!sameSecret(got, state)) {
      page(400, "This sign-in answer does not belong to the login in progress. Nothing was stored.");
      settle?.reject(
        new AppError(
          "invalid_input",
          "The browser came back with a different state than this login sent (a stale tab or a forged request); nothing was stored. Run `asana-mcp auth login` again.",
        ),
      );
      return;
    }
    const error = url.searchParams.get("error");
    const received = url.searchParams.get("code");
    if (error || !received) {
      page(400, "Asana did not grant access. You can close this tab.");
      settle?.reject(new AppError("login_required", `Asana did not grant access (${error ?? "no code"}).`));
      return;
    }
    page(200, "Signed in to Asana. You can close this tab and return to the terminal.");
    settle?.resolve(received);
  });
  const timer = setTimeout(() => {
    settle?.reject(
      new AppError("timeout", `No answer from the browser within ${Math.round(waitMs / 1000)} s.`),
    );
    close();
  }, waitMs);
  timer.unref();
  function close(): void {
    clearTimeout(timer);
    server.close();
    server.closeIdleConnections();
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new AppError(
              "invalid_input",
              `Port ${port} on 127.0.0.1 is busy: pass --port with a free port registered for the app.`,
            )
          : error,
      ),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return { redirectUri: `http://127.0.0.1:${bound}/callback`, code, close };
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

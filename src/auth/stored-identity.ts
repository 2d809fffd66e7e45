// At `serve` start: the login stored by `asana-mcp auth login` becomes the `oauth` identity.
import type { Config } from "../config.js";
import { log } from "../log.js";
import type { Identity } from "./identities.js";
import { OAuthIdentity } from "./oauth.js";
import { openTokenStore } from "./store.js";

/** The stored login as an identity, or undefined (with a warning when one exists but cannot be used). */
export async function storedIdentity(config: Config): Promise<Identity | undefined> {
  const store = openTokenStore(config.oauth.tokenStore);
  let login: Awaited<ReturnType<typeof store.read>>;
  try {
    login = await store.read();
  } catch (error) {
    log.warn(`the stored OAuth login is not used: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  if (!login) return undefined;
  if (login.base_url !== config.baseUrl) {
    log.warn(
      `the OAuth login in ${store.location} belongs to ${login.base_url}, not ${config.baseUrl}; it is not used`,
    );
    return undefined;
  }
  return new OAuthIdentity({ store, login, timeoutMs: config.requestTimeoutMs });
}

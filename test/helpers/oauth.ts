// OAuth test helpers: a registered client on the fake's provider, a scripted browser, and a
// sign-in through the production login flow.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { login } from "../../src/auth/login.js";
import { OOB_REDIRECT_URI } from "../../src/auth/oauth.js";
import { FileStore, type StoredLogin } from "../../src/auth/store.js";
import type { FakeAsana } from "../../src/sandbox/fake-asana.js";

export const CLIENT = { clientId: "1209999000000001", clientSecret: "client-secret-5a1f9c0e7b" };

export function registerClient(fake: FakeAsana): void {
  fake.oauth.registerClient({ ...CLIENT, redirectUris: ["http://127.0.0.1/callback", OOB_REDIRECT_URI] });
}

export function tempStore(): FileStore {
  return new FileStore(
    join(mkdtempSync(join(tmpdir(), "asana-mcp-store-")), "asana-mcp", "oauth-login.json"),
  );
}

/** What a person's browser does: open the authorize URL; follow a redirect to the loopback callback. */
export async function browse(
  url: string,
  rewrite: (callback: URL) => URL = (u) => u,
): Promise<{ callback?: string; code?: string; status: number }> {
  const response = await fetch(url, { redirect: "manual" });
  if (response.status === 302) {
    const callback = rewrite(new URL(response.headers.get("location") ?? "")).href;
    const answer = await fetch(callback);
    await answer.text();
    return { callback, status: answer.status };
  }
  const html = await response.text();
  return { code: /<code id="code">([^<]+)<\/code>/.exec(html)?.[1], status: response.status };
}

/** A complete out-of-band sign-in through the production flow. */
export async function signIn(baseUrl: string, store: FileStore, scopes?: string[]): Promise<StoredLogin> {
  let code: Promise<string | undefined> = Promise.resolve(undefined);
  return login({
    baseUrl,
    ...CLIENT,
    scopes: scopes ?? ["default", "openid", "email", "profile"],
    mode: "oob",
    timeoutMs: 5_000,
    openBrowser: async (url) => {
      code = browse(url).then((r) => r.code);
    },
    readCode: async () => (await code) ?? "",
    say: () => undefined,
    store,
  });
}

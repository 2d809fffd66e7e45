// The sandbox: the built-in demo Asana on 127.0.0.1 and its identities, for `asana-mcp sandbox`
// (and ASANA_SANDBOX=1), `asana-mcp doctor` in sandbox mode, and `asana-mcp http --sandbox`.
import { randomBytes } from "node:crypto";
import { type Identity, identitiesFromConfig } from "../auth/identities.js";
import type { IdentityKind } from "../config.js";

/**
 * A sandbox session can run for days: keep only the latest requests on record (they serve
 * debugging, not assertions), so memory stays flat however many calls the agent makes.
 */
export const SANDBOX_RECORD_LIMIT = 2000;

const VARIABLES: Record<IdentityKind, string> = {
  pat: "ASANA_PAT",
  bot: "ASANA_BOT_PAT",
  service_account: "ASANA_SERVICE_ACCOUNT_TOKEN",
  oauth: "ASANA_OAUTH_ACCESS_TOKEN",
};

/** The demo Asana listening on a free loopback port, and the sandbox tokens of `kinds`. */
async function launch(kinds: readonly IdentityKind[], signInPage: boolean) {
  const { FakeAsana } = await import("./fake-asana.js");
  const { demoData, SANDBOX_TOKENS } = await import("./demo-data.js");
  const fake = new FakeAsana(demoData(), { recordLimit: SANDBOX_RECORD_LIMIT, signInPage });
  const origin = await fake.listen(0);
  const tokens = Object.fromEntries(
    kinds.map((kind) => [
      kind,
      { token: SANDBOX_TOKENS[kind], variable: VARIABLES[kind], source: "sandbox" as const },
    ]),
  );
  return { fake, baseUrl: `${origin}/api/1.0`, identities: identitiesFromConfig(tokens) };
}

export async function startSandbox(): Promise<{
  baseUrl: string;
  identities: Identity[];
  /** How many requests the sandbox holds on record: at most SANDBOX_RECORD_LIMIT. */
  recorded: () => number;
  close: () => Promise<void>;
}> {
  const { fake, baseUrl, identities } = await launch(["pat", "bot", "service_account", "oauth"], false);
  return { baseUrl, identities, recorded: () => fake.requests.length, close: () => fake.close() };
}

/**
 * Remote mode's sandbox: people sign in on the demo Asana's sign-in page, through an app
 * registered for this server (its callback on any loopback port, or `allowRedirect`'s URI); the
 * bot and the service account are the deployment's shared identities.
 */
export async function startRemoteSandbox(): Promise<{
  baseUrl: string;
  identities: Identity[];
  app: { baseUrl: string; clientId: string; clientSecret: string };
  allowRedirect(uri: string): void;
  close: () => Promise<void>;
}> {
  const { fake, baseUrl, identities } = await launch(["bot", "service_account"], true);
  const clientId = "asana-mcp-remote-sandbox";
  const clientSecret = randomBytes(24).toString("base64url");
  const redirectUris = ["http://127.0.0.1/oauth/callback", "http://localhost/oauth/callback"];
  fake.oauth.registerClient({ clientId, clientSecret, redirectUris });
  return {
    baseUrl,
    identities,
    app: { baseUrl, clientId, clientSecret },
    allowRedirect: (uri) => {
      redirectUris.push(uri);
      fake.oauth.registerClient({ clientId, clientSecret, redirectUris });
    },
    close: () => fake.close(),
  };
}

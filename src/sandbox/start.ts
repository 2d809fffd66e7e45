// The sandbox: the built-in demo Asana on 127.0.0.1 and one identity per kind, for
// `asana-mcp sandbox` (and ASANA_SANDBOX=1) and for `asana-mcp doctor` in sandbox mode.
import { type Identity, identitiesFromConfig } from "../auth/identities.js";

/**
 * A sandbox session can run for days: keep only the latest requests on record (they serve
 * debugging, not assertions), so memory stays flat however many calls the agent makes.
 */
export const SANDBOX_RECORD_LIMIT = 2000;

export async function startSandbox(): Promise<{
  baseUrl: string;
  identities: Identity[];
  /** How many requests the sandbox holds on record: at most SANDBOX_RECORD_LIMIT. */
  recorded: () => number;
  close: () => Promise<void>;
}> {
  const { FakeAsana } = await import("./fake-asana.js");
  const { demoData, SANDBOX_TOKENS } = await import("./demo-data.js");
  const fake = new FakeAsana(demoData(), { recordLimit: SANDBOX_RECORD_LIMIT });
  const origin = await fake.listen(0);
  const variables = {
    pat: "ASANA_PAT",
    bot: "ASANA_BOT_PAT",
    service_account: "ASANA_SERVICE_ACCOUNT_TOKEN",
    oauth: "ASANA_OAUTH_ACCESS_TOKEN",
  } as const;
  const tokens = Object.fromEntries(
    Object.entries(variables).map(([kind, variable]) => [
      kind,
      { token: SANDBOX_TOKENS[kind as keyof typeof variables], variable, source: "sandbox" as const },
    ]),
  );
  return {
    baseUrl: `${origin}/api/1.0`,
    identities: identitiesFromConfig(tokens),
    recorded: () => fake.requests.length,
    close: () => fake.close(),
  };
}

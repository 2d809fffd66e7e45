// What the tool tests share: the identities they configure, who those are in messages, and
// the checks every tool gets (bad input refused before any request reaches Asana).
import { expect } from "vitest";
import {
  DEMO_PROJECT_GID,
  demoData,
  SANDBOX_TOKENS,
  SANDBOX_WORKSPACE_GIDS,
} from "../../src/sandbox/demo-data.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import { errorOf, type Harness, startHarness } from "./harness.js";

/** Reads as Ada Lovelace (ASANA_PAT), writes as Acme Bot (ASANA_BOT_PAT). */
export const PAT_AND_BOT = { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot };
/** Ada Lovelace (ASANA_PAT) for reads and writes: she sees both workspaces, the allow-list tests' writer. */
export const ADA_WRITES = { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_WRITE_AS: "pat" };
/** Acme Bot alone, for everything: it is in Acme Corp only, so Side Projects is forbidden to it. */
export const BOT_ONLY = { ASANA_BOT_PAT: SANDBOX_TOKENS.bot };

/** How messages name the identities. */
export const ADA = "Ada Lovelace (personal access token, ASANA_PAT)";
export const BOT = "Acme Bot (bot account, ASANA_BOT_PAT)";
export const ADA_GID = "1201000000000001";
export const BOT_GID = "1201000000000002";

export const ACME = SANDBOX_WORKSPACE_GIDS.acme;
export const SIDE = SANDBOX_WORKSPACE_GIDS.side;
/** A gid that names nothing in the sandbox. */
export const UNKNOWN_GID = "1299999999999999";

/** An Acme task outside the demo project, with its projects (for the allow-list tests). */
export const OTHER_ACME_TASK = (() => {
  const task = demoData().tasks?.find(
    (t) => t.workspace === ACME && t.projects?.length && !t.projects.includes(DEMO_PROJECT_GID),
  );
  if (!task?.projects) throw new Error("demo data has no second Acme project with tasks");
  return { gid: task.gid, projects: task.projects };
})();

/** How many requests the server's start-up (resolving the identities) made, per harness. */
const startUp = new WeakMap<Harness, number>();

/** A started harness per test, closed after it. */
export function harnesses() {
  const open: Harness[] = [];
  return {
    async start(env: Record<string, string> = PAT_AND_BOT, data?: FakeData): Promise<Harness> {
      const h = await startHarness({ env, ...(data ? { data } : {}) });
      startUp.set(h, h.fake.requests.length);
      open.push(h);
      return h;
    },
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((h) => h.close()));
    },
  };
}

/** The requests the fake recorded since the server started: the ones tool calls made. */
export const sent = (h: Harness) => h.fake.requests.slice(startUp.get(h) ?? 0);

/** The requests other than reads that the fake recorded. */
export const writes = (h: Harness) => h.fake.requests.filter((r) => r.method !== "GET");

/** Each call is an invalid_input error containing its message, and none reaches Asana. */
export async function expectRefused(
  h: Harness,
  tool: string,
  cases: Array<[Record<string, unknown>, string]>,
): Promise<void> {
  const before = h.fake.requests.length;
  for (const [args, message] of cases) {
    const label = JSON.stringify(args).slice(0, 100);
    const error = errorOf(await h.call(tool, args));
    expect(error.code, label).toBe("invalid_input");
    expect(error.message, label).toContain(message);
  }
  expect(h.fake.requests.slice(before)).toEqual([]);
}

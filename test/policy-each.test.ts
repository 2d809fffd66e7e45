// A scope of many items (CallScope.each, batch_tasks): every entry is checked as a call of its
// own, the count is bounded, entries do not nest, and nothing beside them escapes the check.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../src/errors.js";
import type { Policy } from "../src/policy.js";
import { checkScope, MAX_SCOPE_ENTRIES, type ScopeReader } from "../src/policy-scope.js";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, SIDE_PROJECT_TASK_GID } from "../src/sandbox/demo-data.js";
import type { CallScope } from "../src/tools/define.js";
import { type Harness, startHarness } from "./helpers/harness.js";
import { ADA_WRITES } from "./helpers/tools.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: ADA_WRITES });
});
afterAll(() => h.close());

const policy: Policy = {
  readOnly: false,
  toolsets: new Set(["batch"]),
  projects: new Set([DEMO_PROJECT_GID]),
};
const tool = { name: "batch_tasks", scope: () => ({}) };
const reader = (): ScopeReader => ({
  asana: h.asana,
  identity: () => h.resolver.forRoute("write"),
  signal: new AbortController().signal,
});

async function refusal(scope: CallScope): Promise<AppError> {
  const error = await checkScope(policy, tool, scope, reader()).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe("CallScope.each", () => {
  it("checks every entry, naming the first outside one, with the same lookups as a single call", async () => {
    const inside: CallScope = { project: DEMO_PROJECT_GID };
    const error = await refusal({ each: [inside, { task: DEMO_TASK_GID }, { task: SIDE_PROJECT_TASK_GID }] });
    expect(error.code).toBe("policy_denied");
    expect(error.message).toMatch(new RegExp(`^item 2: task ${SIDE_PROJECT_TASK_GID} is in `));
    await expect(
      checkScope(policy, tool, { each: [inside, { task: DEMO_TASK_GID }] }, reader()),
    ).resolves.toBeUndefined();
  });

  it(`refuses more than ${MAX_SCOPE_ENTRIES} entries, nested entries and objects beside them, before any read`, async () => {
    const before = h.fake.requests.length;
    const many = Array.from({ length: MAX_SCOPE_ENTRIES + 1 }, () => ({ project: DEMO_PROJECT_GID }));
    expect((await refusal({ each: many })).message).toContain(`more than the ${MAX_SCOPE_ENTRIES}`);
    expect((await refusal({ each: [{ each: [{ task: SIDE_PROJECT_TASK_GID }] }] })).message).toContain(
      "nests",
    );
    // An object declared beside the items would otherwise go unchecked.
    expect(
      (await refusal({ task: SIDE_PROJECT_TASK_GID, each: [{ project: DEMO_PROJECT_GID }] })).message,
    ).toContain("beside its items");
    expect((await refusal({ each: [] })).message).toContain("without items");
    expect(h.fake.requests.slice(before)).toEqual([]);
  });

  it("names the item in a lookup's own error too", async () => {
    const error = await refusal({ each: [{ project: DEMO_PROJECT_GID }, { task: "1299999999999999" }] });
    expect(error.code).toBe("not_found");
    expect(error.message).toMatch(/^item 1: /);
  });
});

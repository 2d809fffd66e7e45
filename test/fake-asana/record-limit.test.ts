// FakeAsana.requests: tests keep every request; the sandbox a user runs (asana-mcp sandbox) keeps the
// latest few thousand, so a long session's memory stays flat.
import { describe, expect, it } from "vitest";
import { SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { FakeAsana } from "../../src/sandbox/fake-asana.js";
import { SANDBOX_RECORD_LIMIT, startSandbox } from "../../src/sandbox/start.js";
import { startFakeAsana } from "./index.js";

const me = (baseUrl: string, n: number) =>
  fetch(`${baseUrl}/users/me?opt_fields=name&n=${n}`, {
    headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
  }).then((r) => r.json());

describe("recordLimit", () => {
  it("keeps every request by default", async () => {
    const s = await startFakeAsana();
    try {
      for (let i = 0; i < 30; i++) await me(s.baseUrl, i);
      expect(s.fake.requests).toHaveLength(30);
    } finally {
      await s.close();
    }
  });

  it("keeps only the latest requests when bounded, in order, in the same array", async () => {
    const fake = new FakeAsana(undefined, { recordLimit: 5 });
    await fake.listen();
    try {
      const requests = fake.requests;
      for (let i = 0; i < 12; i++) await me(fake.baseUrl, i);
      expect(fake.requests).toBe(requests);
      expect(fake.requests.map((r) => r.query.n)).toEqual(["7", "8", "9", "10", "11"]);
    } finally {
      await fake.close();
    }
  });

  it("refuses a limit below one", () => {
    expect(() => new FakeAsana(undefined, { recordLimit: 0 })).toThrow("recordLimit");
  });

  it("the CLI sandbox is bounded", async () => {
    const sandbox = await startSandbox();
    try {
      expect(SANDBOX_RECORD_LIMIT).toBeGreaterThanOrEqual(1000);
      const over = SANDBOX_RECORD_LIMIT + 20;
      for (let i = 0; i < over; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, over - i) }, (_, j) => me(sandbox.baseUrl, i + j)),
        );
      }
      expect(sandbox.recorded()).toBe(SANDBOX_RECORD_LIMIT);
    } finally {
      await sandbox.close();
    }
  });
});

// A person confirms what cannot be undone: through elicitation when the client can ask, or with a
// preview and a one-time token bound to the exact call and the session. Each promise is attacked:
// the preview changes nothing, a token is used once, for its own arguments and session, and expires.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuditRecord } from "../src/audit.js";
import { CONFIRMATION_TTL_MS, MemoryConfirmationTokens, readOnly } from "../src/confirm.js";
import { AppError } from "../src/errors.js";
import { DEMO_TASK_GID } from "../src/sandbox/demo-data.js";
import { DEMO_SUBTASK_GIDS } from "../src/sandbox/demo-world.js";
import { ALL_TOOLS } from "../src/tools/index.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";
import { harnesses, PAT_AND_BOT, writes } from "./helpers/tools.js";

const hs = harnesses();
afterEach(async () => {
  vi.useRealTimers();
  await hs.closeAll();
});

const [SUBTASK, OTHER_SUBTASK] = DEMO_SUBTASK_GIDS;

interface Pending {
  confirmation_required: true;
  nothing_changed: true;
  preview: { summary: string; changes: Array<Record<string, unknown>> };
  confirmation_token: string;
  expires_at: string;
}

async function preview(h: Harness, tool: string, args: Record<string, unknown>): Promise<Pending> {
  const out = await h.call(tool, args);
  expect(out.isError, out.text).toBe(false);
  expect(out.body).toMatchObject({ confirmation_required: true, nothing_changed: true });
  return out.body as unknown as Pending;
}

/** A client that answers every elicitation as `answer` does, recording what it was asked. */
function askingClient(answer: (message: string) => ElicitResult | Promise<ElicitResult>) {
  const asked: string[] = [];
  return {
    asked,
    options: {
      clientCapabilities: { capabilities: { elicitation: { form: {} } } },
      clientSetup: (client: Client) =>
        client.setRequestHandler(ElicitRequestSchema, async (request) => {
          const params = request.params as { message: string };
          asked.push(params.message);
          return answer(params.message);
        }),
    },
  };
}

describe("the two-step confirmation (clients without elicitation)", () => {
  it("first answers a preview of exactly what will change, sending nothing that writes", async () => {
    const h = await hs.start();
    const pending = await preview(h, "delete_task", { task_gid: SUBTASK });
    expect(pending.preview.summary).toContain(`(${SUBTASK})`);
    expect(pending.preview.changes).toEqual([
      expect.objectContaining({ action: "delete", task: SUBTASK, name: h.fake.task(SUBTASK)?.name }),
    ]);
    expect(pending.confirmation_token).toMatch(/^confirm_/);
    expect(Date.parse(pending.expires_at)).toBeGreaterThan(Date.now());
    expect(writes(h)).toEqual([]);
    expect(h.fake.task(SUBTASK)).toBeDefined();
  });

  it("runs the second call, with the same arguments and the token, once", async () => {
    const h = await hs.start();
    const { confirmation_token } = await preview(h, "delete_task", { task_gid: SUBTASK });
    const done = await h.call("delete_task", { task_gid: SUBTASK, confirmation_token });
    expect(done.body).toMatchObject({ deleted: SUBTASK });
    expect(h.fake.task(SUBTASK)).toBeUndefined();
    // The same token again is spent: nothing is sent.
    const before = writes(h).length;
    const again = errorOf(await h.call("delete_task", { task_gid: SUBTASK, confirmation_token }));
    expect(again.code).toBe("confirmation_invalid");
    expect(writes(h)).toHaveLength(before);
  });

  it("refuses a token issued for other arguments, and spends it", async () => {
    const h = await hs.start();
    const { confirmation_token } = await preview(h, "delete_task", { task_gid: SUBTASK });
    const wrong = errorOf(await h.call("delete_task", { task_gid: OTHER_SUBTASK, confirmation_token }));
    expect(wrong.code).toBe("confirmation_invalid");
    expect(wrong.message).toContain("other arguments");
    expect(writes(h)).toEqual([]);
    // Spent by the mismatch: it no longer confirms even the call it was issued for.
    const original = errorOf(await h.call("delete_task", { task_gid: SUBTASK, confirmation_token }));
    expect(original.code).toBe("confirmation_invalid");
    expect(h.fake.task(SUBTASK)).toBeDefined();
  });

  it("binds the token to the call as parsed: a task's link confirms the same task as its gid", async () => {
    const h = await hs.start();
    const { confirmation_token } = await preview(h, "delete_task", { task_gid: SUBTASK });
    const link = `https://app.asana.com/0/0/${SUBTASK}`;
    const done = await h.call("delete_task", { task_gid: link, confirmation_token });
    expect(done.body).toMatchObject({ deleted: SUBTASK });
  });

  it("refuses a token from another session (another server process)", async () => {
    const a = await hs.start();
    const b = await hs.start();
    const { confirmation_token } = await preview(a, "delete_task", { task_gid: SUBTASK });
    const error = errorOf(await b.call("delete_task", { task_gid: SUBTASK, confirmation_token }));
    expect(error.code).toBe("confirmation_invalid");
    expect(writes(b)).toEqual([]);
  });

  it("refuses a made-up or malformed token before anything is sent", async () => {
    const h = await hs.start();
    const made = errorOf(await h.call("delete_task", { task_gid: SUBTASK, confirmation_token: "confirm_x" }));
    expect(made.code).toBe("confirmation_invalid");
    const wrongType = errorOf(await h.call("delete_task", { task_gid: SUBTASK, confirmation_token: 42 }));
    expect(wrongType.code).toBe("invalid_input");
    expect(writes(h)).toEqual([]);
  });

  it("answers the preview's own errors: an unknown task is not_found, with nothing issued", async () => {
    const h = await hs.start();
    const error = errorOf(await h.call("delete_task", { task_gid: "1299999999999999" }));
    expect(error.code).toBe("not_found");
    expect(writes(h)).toEqual([]);
  });

  it("advertises confirmation_token only on the tools that may need it", async () => {
    const h = await hs.start();
    const { tools } = await h.client.listTools();
    const withToken = tools.filter((t) => t.inputSchema.properties?.confirmation_token).map((t) => t.name);
    const expected = ALL_TOOLS.filter((t) => t.kind === "destructive" || t.confirm?.needed).map(
      (t) => t.name,
    );
    expect(withToken.sort()).toEqual(expected.sort());
    expect(withToken).toContain("delete_task");
  });

  it("audits the first call as confirmation_requested and the second as ok", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "asana-mcp-confirm-")), "audit.jsonl");
    // Closed here (the log is complete once the server closes), so not by afterEach.
    const h = await startHarness({ env: { ...PAT_AND_BOT, ASANA_AUDIT_LOG: path } });
    const { confirmation_token } = await preview(h, "delete_task", { task_gid: SUBTASK });
    await h.call("delete_task", { task_gid: SUBTASK, confirmation_token });
    await h.close();
    const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];
    const outcomes = lines.map((line) => (JSON.parse(line) as AuditRecord).outcome);
    expect(outcomes).toEqual(["confirmation_requested", "ok"]);
    // The token itself is no secret worth keeping, but the audit log has no use for it either.
    expect(readFileSync(path, "utf8")).not.toContain(confirmation_token);
  });
});

describe("ASANA_CONFIRM", () => {
  it("off: a delete runs at once", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_CONFIRM: "off" });
    const out = await h.call("delete_task", { task_gid: SUBTASK });
    expect(out.body).toMatchObject({ deleted: SUBTASK });
    const { tools } = await h.client.listTools();
    expect(tools.some((t) => t.inputSchema.properties?.confirmation_token)).toBe(false);
  });

  it("writes: every change is confirmed, with its arguments as the preview; reads are not", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_CONFIRM: "writes" });
    const args = { task_gid: DEMO_TASK_GID, text: "confirmed comment" };
    const pending = await preview(h, "create_comment", args);
    expect(pending.preview.changes).toEqual([expect.objectContaining({ text: "confirmed comment" })]);
    expect(writes(h)).toEqual([]);
    const done = await h.call("create_comment", { ...args, confirmation_token: pending.confirmation_token });
    expect(done.isError).toBe(false);
    expect(writes(h)).toHaveLength(1);
    expect((await h.call("get_task", { task_gid: DEMO_TASK_GID })).body).not.toHaveProperty(
      "confirmation_required",
    );
  });

  it("refuses an unknown mode at start-up", async () => {
    await expect(hs.start({ ...PAT_AND_BOT, ASANA_CONFIRM: "sometimes" })).rejects.toThrow(/ASANA_CONFIRM/);
  });
});

describe("elicitation (clients that can ask the person)", () => {
  it("asks in a form, and runs when the person says yes", async () => {
    const person = askingClient(() => ({ action: "accept", content: { confirm: true } }));
    const asked = await hsWith(person.options);
    const out = await asked.call("delete_task", { task_gid: SUBTASK });
    expect(out.body).toMatchObject({ deleted: SUBTASK });
    expect(person.asked).toHaveLength(1);
    expect(person.asked[0]).toContain(`(${SUBTASK})`);
    expect(person.asked[0]).toContain("Nothing has changed yet");
  });

  it.each([
    ["declines", { action: "decline" } as ElicitResult, "declined"],
    ["dismisses the question", { action: "cancel" } as ElicitResult, "dismissed"],
    [
      "accepts without ticking yes",
      { action: "accept", content: { confirm: false } } as ElicitResult,
      "declined",
    ],
  ])("changes nothing when the person %s", async (_label, answer, word) => {
    const person = askingClient(() => answer);
    const h = await hsWith(person.options);
    const error = errorOf(await h.call("delete_task", { task_gid: SUBTASK }));
    expect(error.code).toBe("not_confirmed");
    expect(error.message).toContain(word);
    expect(writes(h)).toEqual([]);
    expect(h.fake.task(SUBTASK)).toBeDefined();
  });

  it("falls back to the two-step token when the client fails the question", async () => {
    const person = askingClient(() => {
      throw new Error("this client cannot show forms here");
    });
    const h = await hsWith(person.options);
    const pending = await preview(h, "delete_task", { task_gid: SUBTASK });
    expect(writes(h)).toEqual([]);
    const done = await h.call("delete_task", {
      task_gid: SUBTASK,
      confirmation_token: pending.confirmation_token,
    });
    expect(done.body).toMatchObject({ deleted: SUBTASK });
  });
});

describe("the confirmation's parts", () => {
  it("a token expires", async () => {
    vi.useFakeTimers({ now: Date.now() });
    const tokens = new MemoryConfirmationTokens();
    const { token } = await tokens.issue("binding");
    vi.setSystemTime(Date.now() + CONFIRMATION_TTL_MS + 1);
    expect(await tokens.redeem(token, "binding")).toBe("unknown");
  });

  it("keeps a bounded number of tokens outstanding", async () => {
    const tokens = new MemoryConfirmationTokens();
    const first = await tokens.issue("b0");
    for (let i = 1; i <= 150; i++) await tokens.issue(`b${i}`);
    expect(await tokens.redeem(first.token, "b0")).toBe("unknown");
  });

  it("a preview's client refuses anything but GET before it is sent", async () => {
    const h = await hs.start();
    const view = readOnly(h.asana);
    const identity = h.resolver.forRoute("write");
    const before = h.fake.requests.length;
    expect(() =>
      view.request(identity, { method: "POST", path: `/tasks/${SUBTASK}/stories`, body: { text: "x" } }),
    ).toThrow(AppError);
    expect(h.fake.requests).toHaveLength(before);
    await expect(view.request(identity, { method: "GET", path: `/tasks/${SUBTASK}` })).resolves.toBeDefined();
  });
});

async function hsWith(options: ReturnType<typeof askingClient>["options"]): Promise<Harness> {
  const h = await startHarness({ env: PAT_AND_BOT, ...options });
  cleanups.push(h);
  return h;
}
const cleanups: Harness[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((h) => h.close()));
});

// A person confirms what cannot be undone: through elicitation when the client can ask, or with a
// preview and a one-time token bound to the exact call and the session. Each promise is attacked:
// the preview changes nothing, a token is used once, for its own arguments and session, and expires.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readPages } from "../src/asana/paginate.js";
import type { AuditRecord } from "../src/audit.js";
import {
  bindingOf,
  CONFIRMATION_TTL_MS,
  MAX_OUTSTANDING_CONFIRMATIONS,
  MemoryConfirmationTokens,
  readOnly,
  StoreConfirmationTokens,
} from "../src/confirm.js";
import { AppError } from "../src/errors.js";
import { DEMO_TASK_GID } from "../src/sandbox/demo-data.js";
import { DEMO_SUBTASK_GIDS } from "../src/sandbox/demo-world.js";
import { openFileStore } from "../src/store/json-file.js";
import { ALL_TOOLS } from "../src/tools/index.js";
import { askingClient, preview } from "./helpers/confirm.js";
import { errorOf, startHarness } from "./helpers/harness.js";
import { harnesses, PAT_AND_BOT, writes } from "./helpers/tools.js";

const hs = harnesses();
afterEach(async () => {
  vi.useRealTimers();
  await hs.closeAll();
});

const [SUBTASK, OTHER_SUBTASK] = DEMO_SUBTASK_GIDS;

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

  it("two racing second calls with one token: exactly one runs", async () => {
    const h = await hs.start();
    const { confirmation_token } = await preview(h, "delete_task", { task_gid: SUBTASK });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => h.call("delete_task", { task_gid: SUBTASK, confirmation_token })),
    );
    expect(answers.filter((a) => !a.isError)).toHaveLength(1);
    expect(answers.filter((a) => a.isError).map((a) => errorOf(a).code)).toEqual(
      Array(3).fill("confirmation_invalid"),
    );
    expect(writes(h).filter((w) => w.method === "DELETE")).toHaveLength(1);
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

  it("refuses a token with other casing or whitespace, without spending the real one", async () => {
    const h = await hs.start();
    const { confirmation_token } = await preview(h, "delete_task", { task_gid: SUBTASK });
    for (const variant of [
      ` ${confirmation_token}`,
      `${confirmation_token}\n`,
      confirmation_token.toUpperCase(),
      confirmation_token.slice(0, -1),
    ]) {
      const error = errorOf(await h.call("delete_task", { task_gid: SUBTASK, confirmation_token: variant }));
      expect(error.code).toBe("confirmation_invalid");
    }
    expect(writes(h)).toEqual([]);
    expect((await h.call("delete_task", { task_gid: SUBTASK, confirmation_token })).body).toMatchObject({
      deleted: SUBTASK,
    });
  });

  it("refuses a token issued for another tool on the same object", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_CONFIRM: "writes" });
    const { confirmation_token } = await preview(h, "update_task", { task_gid: SUBTASK, completed: true });
    const error = errorOf(await h.call("delete_task", { task_gid: SUBTASK, confirmation_token }));
    expect(error.code).toBe("confirmation_invalid");
    expect(writes(h)).toEqual([]);
  });

  it("takes neither a token nor a target smuggled under __proto__ or constructor", async () => {
    const h = await hs.start();
    const { confirmation_token } = await preview(h, "delete_task", { task_gid: SUBTASK });
    // As the JSON arrives on the wire: __proto__ is an own key there, not a prototype.
    const smuggledToken = JSON.parse(
      `{"__proto__": {"confirmation_token": "${confirmation_token}"}, "task_gid": "${SUBTASK}"}`,
    ) as Record<string, unknown>;
    expect((await h.call("delete_task", smuggledToken)).body).toMatchObject({ confirmation_required: true });
    const smuggledTarget = JSON.parse(`{"__proto__": {"task_gid": "${OTHER_SUBTASK}"}}`) as Record<
      string,
      unknown
    >;
    expect(errorOf(await h.call("delete_task", smuggledTarget)).code).toBe("invalid_input");
    const viaConstructor = JSON.parse(
      `{"constructor": {"prototype": {"task_gid": "${OTHER_SUBTASK}"}}, "task_gid": "${SUBTASK}", "confirmation_token": "${confirmation_token}"}`,
    ) as Record<string, unknown>;
    expect(errorOf(await h.call("delete_task", viaConstructor)).code).toBe("invalid_input");
    expect(writes(h)).toEqual([]);
    expect(h.fake.task(OTHER_SUBTASK)).toBeDefined();
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

describe("the audit of confirmations", () => {
  it("records a person's no as not_confirmed and a spent token as confirmation_invalid", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "asana-mcp-confirm-")), "audit.jsonl");
    const person = askingClient(() => ({ action: "decline" }));
    const h = await startHarness({
      env: { ...PAT_AND_BOT, ASANA_AUDIT_LOG: path, ASANA_AUDIT_LOG_BODIES: "true" },
      ...person.options,
    });
    await h.call("delete_task", { task_gid: SUBTASK });
    await h.call("delete_task", { task_gid: SUBTASK, confirmation_token: "confirm_made_up" });
    await h.close();
    const records = readFileSync(path, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(records.map((r) => r.outcome)).toEqual(["not_confirmed", "confirmation_invalid"]);
    // Each names its target, and no record carries the token.
    for (const record of records) expect(record.target).toMatchObject({ task: SUBTASK });
    expect(readFileSync(path, "utf8")).not.toContain("confirm_made_up");
  });
});

describe("the audit of a refused call that carried a token", () => {
  it("still names its target and not the token's argument", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "asana-mcp-confirm-")), "audit.jsonl");
    const h = await startHarness({
      env: { ...PAT_AND_BOT, ASANA_AUDIT_LOG: path, ASANA_READ_ONLY: "true" },
    });
    const refused = errorOf(
      await h.call("delete_task", { task_gid: SUBTASK, confirmation_token: "confirm_whatever" }),
    );
    expect(refused.code).toBe("policy_denied");
    await h.close();
    const [record] = readFileSync(path, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(record?.target).toMatchObject({ task: SUBTASK });
    expect(record?.argument_names).toEqual(["task_gid"]);
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

describe("the confirmation's parts", () => {
  it("binds to every value of the parsed arguments: values that are objects, such as dates, too", () => {
    const tool = ALL_TOOLS.find((t) => t.name === "delete_task");
    if (!tool) throw new Error("delete_task is missing");
    // A schema may parse a string into a Date; two different dates must not confirm each other.
    expect(bindingOf(tool, { at: new Date(0) }, "s")).not.toBe(bindingOf(tool, { at: new Date(1) }, "s"));
    expect(bindingOf(tool, { b: 1, a: [2, { d: 3, c: 4 }] }, "s")).toBe(
      bindingOf(tool, { a: [2, { c: 4, d: 3 }], b: 1 }, "s"),
    );
    expect(bindingOf(tool, { a: 1 }, "s")).not.toBe(bindingOf(tool, { a: 1 }, "t"));
    // What it cannot tell apart, it refuses to bind rather than confirm too much.
    expect(() => bindingOf(tool, { m: new Map([["k", "v"]]) }, "s")).toThrow(AppError);
  });

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

  it("keeps a bounded number of tokens outstanding per remote sign-in, in the shared store", async () => {
    const store = await openFileStore(join(mkdtempSync(join(tmpdir(), "asana-mcp-confirm-")), "store.json"));
    try {
      const tokens = new StoreConfirmationTokens(store);
      const issued = [];
      for (let i = 0; i < MAX_OUTSTANDING_CONFIRMATIONS; i++)
        issued.push(await tokens.issue(`b${i}`, "grant-a"));
      // One sign-in asking for previews without end cannot fill the store every sign-in shares.
      await expect(tokens.issue("one more", "grant-a")).rejects.toMatchObject({ code: "rate_limited" });
      expect(await store.count("confirmation")).toBe(MAX_OUTSTANDING_CONFIRMATIONS);
      // Another sign-in is not held back by it.
      await expect(tokens.issue("b", "grant-b")).resolves.toHaveProperty("token");
      // A redeemed token gives its place back.
      expect(await tokens.redeem(issued[0]?.token ?? "", "b0")).toBe("ok");
      await expect(tokens.issue("again", "grant-a")).resolves.toHaveProperty("token");
    } finally {
      await store.close();
    }
  });

  it("a preview's client refuses anything but GET before it is sent", async () => {
    const h = await hs.start();
    const view = readOnly(h.asana);
    const identity = h.resolver.forRoute("write");
    const before = h.fake.requests.length;
    expect(() =>
      view.request(identity, { method: "POST", path: `/tasks/${SUBTASK}/stories`, body: { text: "x" } }),
    ).toThrow(AppError);
    const noMethod = { path: `/tasks/${SUBTASK}` } as unknown as Parameters<typeof view.request>[1];
    expect(() => view.request(identity, noMethod)).toThrow(AppError);
    expect(h.fake.requests).toHaveLength(before);
    await expect(view.request(identity, { method: "GET", path: `/tasks/${SUBTASK}` })).resolves.toBeDefined();
    // What previews build on reads through the view: listings page by page, the client's getters.
    const pages = await readPages(view, identity, { path: `/tasks/${DEMO_TASK_GID}/subtasks` }, 2);
    expect(pages.items.length).toBeGreaterThan(0);
    expect(view.baseUrl).toBe(h.asana.baseUrl);
    expect(view.clock).toBe(h.asana.clock);
  });
});

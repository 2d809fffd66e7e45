import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Protocol } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { demoData, SANDBOX_USER_GIDS } from "../src/sandbox/demo-data.js";
import { DEMO_SUBTASK_GIDS } from "../src/sandbox/demo-world.js";
import { defineTool } from "../src/tools/define.js";
import { askingClient, preview } from "./helpers/confirm.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";
import { harnesses, PAT_AND_BOT, writes } from "./helpers/tools.js";

const hs = harnesses();
afterEach(async () => {
  vi.useRealTimers();
  await hs.closeAll();
});

const [SUBTASK] = DEMO_SUBTASK_GIDS;

async function hsWith(options: ReturnType<typeof askingClient>["options"]): Promise<Harness> {
  const h = await startHarness({ env: PAT_AND_BOT, ...options });
  cleanups.push(h);
  return h;
}
const cleanups: Harness[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((h) => h.close()));
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

  it("bounds the question however large the preview: a person reads it, a client carries it", async () => {
    // A large batch's preview may name many objects, each with long notes.
    const huge = defineTool({
      name: "wipe_everything",
      title: "Wipe",
      toolset: "tasks",
      kind: "destructive",
      actsAs: "write",
      input: z.object({}).strict(),
      output: z.object({ wiped: z.boolean() }),
      describe: () => "Wipes.",
      confirm: {
        preview: async () => ({
          summary: `Wipe ${"everything ".repeat(10_000)}`,
          changes: Array.from({ length: 50 }, (_, i) => ({ gid: String(i), notes: "n".repeat(70_000) })),
        }),
      },
      handler: async () => ({ wiped: true }),
    });
    const person = askingClient(() => ({ action: "decline" }));
    const h = await startHarness({ env: PAT_AND_BOT, tools: [huge], ...person.options });
    cleanups.push(h);
    const refused = errorOf(await h.call("wipe_everything"));
    expect(refused.code).toBe("not_confirmed");
    expect(refused.message.length).toBeLessThan(2_000);
    const [message = ""] = person.asked;
    expect(message.length).toBeLessThan(10_000);
    expect(message).toContain('{"gid":"0"');
    expect(message).toContain("and 30 more");
    expect(message).toContain("Nothing has changed yet");
  });

  it("asks a client that declared elicitation as {} (the 2025-06-18 form, which meant forms)", async () => {
    const person = askingClient(() => ({ action: "decline" }));
    const h = await startHarness({
      env: PAT_AND_BOT,
      ...person.options,
      clientCapabilities: { capabilities: { elicitation: {} } },
    });
    cleanups.push(h);
    const out = await h.call("delete_task", { task_gid: SUBTASK });
    expect(person.asked).toHaveLength(1);
    expect(errorOf(out).code).toBe("not_confirmed");
    expect(out.text).not.toContain("confirm_");
    expect(writes(h)).toEqual([]);
  });

  it("does not ask a client that declared only url-mode elicitation: it answers a preview and a token", async () => {
    const asked: string[] = [];
    const h = await startHarness({
      env: PAT_AND_BOT,
      clientCapabilities: { capabilities: { elicitation: { url: {} } } },
      clientSetup: (client: Client) =>
        client.setRequestHandler(ElicitRequestSchema, async (request) => {
          asked.push((request.params as { message?: string }).message ?? "");
          return { action: "accept", content: { confirm: true } };
        }),
    });
    cleanups.push(h);
    await preview(h, "delete_task", { task_gid: SUBTASK });
    expect(asked).toEqual([]);
    expect(writes(h)).toEqual([]);
  });

  it.each([
    ["a string for yes", { confirm: "true" }],
    ["a number for yes", { confirm: 1 }],
    ["no answer to the question", { other: true }],
  ])(
    "takes an accept with %s as no yes: nothing is deleted, and no token lets the agent answer instead",
    async (_label, content) => {
      const person = askingClient(() => ({ action: "accept", content }) as ElicitResult);
      const h = await hsWith(person.options);
      const out = await h.call("delete_task", { task_gid: SUBTASK });
      expect(person.asked).toHaveLength(1);
      expect(out.body).not.toHaveProperty("deleted");
      // The person answered: the answer is a no, not a question the client failed to show.
      expect(errorOf(out).code).toBe("not_confirmed");
      expect(errorOf(out).message).toContain("declined");
      expect(out.text).not.toContain("confirm_");
      expect(writes(h)).toEqual([]);
      expect(h.fake.task(SUBTASK)).toBeDefined();
    },
  );

  it.each([
    ["an object for yes", { confirm: { value: true } }],
    ["a null for yes", { confirm: null }],
    ["content that is no object", "yes"],
  ])(
    "takes an accept with %s, which the SDK's own schema would refuse, as no yes: no token either",
    async (_label, content) => {
      // A client not built on the SDK sends what its form gave: the SDK's Client would check it
      // first, so its check is stepped past (Protocol's own handler registration) to send it raw.
      const asked: string[] = [];
      const h = await startHarness({
        env: PAT_AND_BOT,
        clientCapabilities: { capabilities: { elicitation: { form: {} } } },
        clientSetup: (client: Client) =>
          Protocol.prototype.setRequestHandler.call(client, ElicitRequestSchema, async (request) => {
            asked.push((request.params as { message: string }).message);
            return { action: "accept", content } as unknown as ElicitResult;
          }),
      });
      cleanups.push(h);
      const out = await h.call("delete_task", { task_gid: SUBTASK });
      expect(asked).toHaveLength(1);
      expect(errorOf(out).code).toBe("not_confirmed");
      expect(out.text).not.toContain("confirm_");
      expect(writes(h)).toEqual([]);
      expect(h.fake.task(SUBTASK)).toBeDefined();
    },
  );

  it("passes the question through redaction: a task named after the token does not carry it out", async () => {
    const PAT = "2/1201000000000001/1201000000000099:CONFIRMCANARY0123456789abcdef01";
    const data = demoData();
    data.tokens.push({ token: PAT, userGid: SANDBOX_USER_GIDS.pat, kind: "pat" });
    const task = data.tasks?.find((t) => t.gid === SUBTASK);
    if (!task) throw new Error("the demo subtask is missing");
    task.name = `rotate ${PAT}`;
    const person = askingClient(() => ({ action: "decline" }));
    const h = await startHarness({ data, env: { ASANA_PAT: PAT }, ...person.options });
    cleanups.push(h);
    const refused = await h.call("delete_task", { task_gid: SUBTASK });
    expect(errorOf(refused).code).toBe("not_confirmed");
    expect(person.asked).toHaveLength(1);
    expect(person.asked[0]).toContain("rotate [redacted]");
    expect(person.asked.join("")).not.toContain("CONFIRMCANARY");
    expect(refused.text).not.toContain("CONFIRMCANARY");
  });

  it("keeps a name read from Asana from forging lines of the question", async () => {
    const data = demoData();
    const task = data.tasks?.find((t) => t.gid === SUBTASK);
    if (!task) throw new Error("the demo subtask is missing");
    task.name = 'Notes"\nNothing will be deleted: this only refreshes the view.\r\n\u202eeteled ton\u2028x';
    const person = askingClient(() => ({ action: "decline" }));
    const h = await startHarness({ data, env: PAT_AND_BOT, ...person.options });
    cleanups.push(h);
    await h.call("delete_task", { task_gid: SUBTASK });
    const lines = (person.asked[0] ?? "").split("\n");
    // The summary, the one change, the closing line: no line the name made.
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Delete a task: Delete the task "Notes" Nothing will be deleted/);
    expect(lines[2]).toBe("Nothing has changed yet. Confirm to go ahead.");
    expect(person.asked[0]).not.toMatch(/[\r\u2028\u202e]/);
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

  it("changes nothing, and issues no token, when a person who was asked does not answer in time", async () => {
    const person = askingClient(() => new Promise<ElicitResult>(() => undefined));
    // 16 s leaves 1 s after the write's reserve: the person gets the 5 s minimum.
    const h = await startHarness({
      env: { ...PAT_AND_BOT, ASANA_TOOL_DEADLINE_MS: "16000" },
      ...person.options,
    });
    cleanups.push(h);
    const out = await h.call("delete_task", { task_gid: SUBTASK });
    const error = errorOf(out);
    expect(error.code).toBe("not_confirmed");
    expect(error.message).toContain("did not answer in time");
    expect(out.text).not.toContain("confirm_");
    expect(writes(h)).toEqual([]);
    expect(h.fake.task(SUBTASK)).toBeDefined();
  }, 20_000);
});

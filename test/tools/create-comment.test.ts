import { afterEach, describe, expect, it } from "vitest";
import { DEMO_TASK_GID, SANDBOX_TOKENS, SANDBOX_WORKSPACE_GIDS } from "../../src/sandbox/demo-data.js";
import { errorOf, type Harness, startHarness } from "../helpers/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const botEnv = { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot };

function commentsBy(harness: Harness, text: string) {
  return harness.fake.storiesOf(DEMO_TASK_GID).filter((s) => s.text === text);
}

describe("create_comment", () => {
  it("posts as the bot, and Asana records the bot as the author", async () => {
    h = await startHarness({ env: botEnv });
    const outcome = await h.call("create_comment", {
      task_gid: DEMO_TASK_GID,
      text: "Checked the launch list.",
    });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.body).toMatchObject({
      story: { created_by: { name: "Acme Bot" }, text: "Checked the launch list." },
      acting_as: { name: "Acme Bot", kind: "bot" },
    });
    // The same link form as every task result: what Asana answers as the task's permalink_url.
    const read = await h.call("get_task", { task_gid: DEMO_TASK_GID });
    expect(outcome.body.task_url).toBe((read.body.task as { url: string }).url);
    expect(outcome.body.task_url).toBe(
      `https://app.asana.com/1/${SANDBOX_WORKSPACE_GIDS.acme}/task/${DEMO_TASK_GID}`,
    );
    const stored = commentsBy(h, "Checked the launch list.");
    expect(stored).toHaveLength(1);
    expect(stored[0]?.created_by.name).toBe("Acme Bot");
    const post = h.fake.requests.filter((r) => r.method === "POST");
    expect(post).toHaveLength(1);
    expect(post[0]?.body).toEqual({ data: { text: "Checked the launch list." } });
  });

  it("posts rich text and pins it", async () => {
    h = await startHarness({ env: botEnv });
    const html = "<body>Ready: <strong>yes</strong></body>";
    const outcome = await h.call("create_comment", {
      task_gid: DEMO_TASK_GID,
      html_text: html,
      is_pinned: true,
    });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.body).toMatchObject({ story: { is_pinned: true } });
    expect(h.fake.requests.find((r) => r.method === "POST")?.body).toEqual({
      data: { html_text: html, is_pinned: true },
    });
  });

  it("turns Asana's 400 on bad rich text into a clear input error", async () => {
    h = await startHarness({ env: botEnv });
    const error = errorOf(
      await h.call("create_comment", {
        task_gid: DEMO_TASK_GID,
        html_text: '<body><a href="https://example.com" onclick="x">y</a></body>',
      }),
    );
    expect(error.code).toBe("invalid_rich_text");
    expect(error.message).toContain("400");
    expect(error.hint).toContain("<body>");
  });

  it("refuses bad input before any request", async () => {
    h = await startHarness({ env: botEnv });
    const before = h.fake.requests.length;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ task_gid: DEMO_TASK_GID }, "exactly one of text or html_text"],
      [
        { task_gid: DEMO_TASK_GID, text: "a", html_text: "<body>a</body>" },
        "exactly one of text or html_text",
      ],
      [{ task_gid: DEMO_TASK_GID, text: "   " }, "text: must not be empty"],
      [{ task_gid: DEMO_TASK_GID, text: "x".repeat(70_000) }, "text: must be at most 65536 characters"],
      [{ task_gid: DEMO_TASK_GID, html_text: "no body" }, "html_text: must be wrapped in <body>"],
      [{ task_gid: DEMO_TASK_GID, html_text: "<body></body>" }, "html_text: must not be empty"],
      [
        { task_gid: DEMO_TASK_GID, html_text: "<body><strong> </strong></body>" },
        "html_text: must not be empty",
      ],
      [{ task_gid: "12a", text: "hi" }, "task_gid: must be an Asana gid"],
      [{ task_gid: "../users/me", text: "hi" }, "task_gid: must be an Asana gid"],
      [{ task_gid: "1?x=1", text: "hi" }, "task_gid: must be an Asana gid"],
      [{ task_gid: "1%2F2", text: "hi" }, "task_gid: must be an Asana gid"],
      [{ task_gid: DEMO_TASK_GID, text: "hi", author: "someone" }, 'unknown argument "author"'],
      [
        { task_gid: 2 ** 53 + 2, text: "hi" },
        "task_gid: is a number too large to be exact: pass gids as strings",
      ],
      [{ task_gid: true, text: "hi" }, "task_gid: must be an Asana gid"],
    ];
    for (const [args, message] of cases) {
      const error = errorOf(await h.call("create_comment", args));
      expect(error.code, JSON.stringify(args).slice(0, 80)).toBe("invalid_input");
      expect(error.message).toContain(message);
    }
    expect(h.fake.requests.length).toBe(before);
  });

  it("names the identity whose token Asana refused", async () => {
    h = await startHarness({ env: botEnv });
    h.fake.revokeToken(SANDBOX_TOKENS.bot);
    const error = errorOf(await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "hello" }));
    expect(error.code).toBe("unauthorized");
    expect(error.message).toContain("Acme Bot (bot account, ASANA_BOT_PAT)");
    expect(error.hint).toContain("ASANA_BOT_PAT");
  });

  it("reports an unknown task as not_found", async () => {
    h = await startHarness({ env: botEnv });
    const error = errorOf(await h.call("create_comment", { task_gid: "999999999", text: "hello" }));
    expect(error.code).toBe("not_found");
    expect(error.retryable).toBe(false);
  });
});

describe("create_comment never posts twice", () => {
  it("waits out a 429 and posts once", async () => {
    h = await startHarness({ env: botEnv });
    h.fake.inject({ method: "POST", type: "status", status: 429, headers: { "Retry-After": "1" } });
    const outcome = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "after the limit" });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(commentsBy(h, "after the limit")).toHaveLength(1);
    expect(h.fake.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([429, 201]);
  });

  it("settles a connection lost after Asana acted by reading the comments: one comment, reported as posted", async () => {
    h = await startHarness({ env: botEnv });
    h.fake.inject({ method: "POST", type: "reset-after" });
    const outcome = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "lost answer" });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.body).toMatchObject({
      verified_after_uncertain_failure: true,
      story: { text: "lost answer" },
    });
    expect(commentsBy(h, "lost answer")).toHaveLength(1);
    expect(h.fake.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("settles a response slower than the timeout the same way", async () => {
    h = await startHarness({ env: { ...botEnv, ASANA_TIMEOUT_MS: "300" } });
    h.fake.inject({ method: "POST", type: "delay", ms: 1_000 });
    const outcome = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "slow answer" });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(commentsBy(h, "slow answer")).toHaveLength(1);
    expect(h.fake.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("says the comment was not posted when the connection died before Asana acted, and a retry posts once", async () => {
    h = await startHarness({ env: botEnv });
    h.fake.inject({ method: "POST", type: "reset-before" });
    const error = errorOf(await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "try again" }));
    expect(error.code).toBe("write_not_applied");
    expect(error.retryable).toBe(true);
    expect(commentsBy(h, "try again")).toHaveLength(0);

    const retry = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "try again" });
    expect(retry.isError).toBe(false);
    expect(commentsBy(h, "try again")).toHaveLength(1);
  });

  it("does not repeat the POST after a 5xx; it checks instead", async () => {
    h = await startHarness({ env: botEnv });
    h.fake.inject({ method: "POST", type: "status", status: 503 });
    const error = errorOf(await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "five hundred" }));
    expect(error.code).toBe("write_not_applied");
    expect(h.fake.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(commentsBy(h, "five hundred")).toHaveLength(0);
  });

  it("reports an unverifiable write as uncertain, not as a failure to retry blindly", async () => {
    h = await startHarness({ env: botEnv });
    h.fake.inject({ method: "POST", type: "reset-after" });
    h.fake.inject({ method: "GET", path: /stories$/, type: "status", status: 500, times: 20 });
    const error = errorOf(await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "unknown fate" }));
    expect(error.code).toBe("write_unknown");
    expect(error.retryable).toBe(false);
    expect(error.hint).toContain("read the object back");
    expect(commentsBy(h, "unknown fate")).toHaveLength(1);
  });

  it("gives no task_url of another form when the task's workspace is not known without a request", async () => {
    // Ada sees two workspaces: the link would need the task's workspace, and no read is spent on it.
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat } });
    const before = h.fake.requests.length;
    const outcome = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "two workspaces" });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.body).not.toHaveProperty("task_url");
    expect(h.fake.requests.slice(before).map((r) => r.method)).toEqual(["POST"]);
  });
});

// PUT and DELETE /stories/{story_gid} in the sandbox, over real HTTP: they refuse what Asana's spec
// says Asana refuses, and a refused request changes nothing.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO_TASK_GID, SANDBOX_TOKENS, SANDBOX_USER_GIDS } from "../../src/sandbox/demo-data.js";
import { type StartedFakeAsana, startFakeAsana } from "./index.js";

const SYSTEM_STORY = "1206000000000001";
/** Grace Hopper's comment on the demo task. */
const GRACES_COMMENT = "1206000000000002";
/** A comment on the Side Projects task, which the bot cannot see. */
const SIDE_COMMENT = "1206000000000005";

let s: StartedFakeAsana;
beforeEach(async () => {
  s = await startFakeAsana();
});
afterEach(() => s.close());

interface Answer {
  status: number;
  body: { data?: Record<string, unknown>; errors?: Array<{ message: string }> };
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  token: string = SANDBOX_TOKENS.oauth,
): Promise<Answer> {
  const response = await fetch(`${s.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

const message = (a: Answer) => a.body.errors?.[0]?.message ?? "";
const put = (gid: string, data: Record<string, unknown>, token?: string) =>
  call("PUT", `/stories/${gid}?opt_fields=text,html_text,is_pinned,is_edited`, { data }, token);
const graces = () => s.fake.storiesOf(DEMO_TASK_GID).find((st) => st.gid === GRACES_COMMENT);

describe("PUT /stories/{story_gid}", () => {
  it("lets the author edit the text, as plain text or rich text, and marks it edited", async () => {
    const plain = await put(GRACES_COMMENT, { text: "Edited & shorter." });
    expect(plain.status).toBe(200);
    expect(plain.body.data).toMatchObject({
      text: "Edited & shorter.",
      html_text: "<body>Edited &amp; shorter.</body>",
      is_edited: true,
    });
    const rich = await put(GRACES_COMMENT, { html_text: "<body><em>Rich</em></body>" });
    expect(rich.body.data).toMatchObject({ text: "Rich", html_text: "<body><em>Rich</em></body>" });
  });

  it("refuses editing someone else's comment with a 403, and changes nothing", async () => {
    const bot = SANDBOX_TOKENS.bot;
    for (const data of [{ text: "x" }, { html_text: "<body>x</body>" }, { text: "x", is_pinned: true }]) {
      const answer = await put(GRACES_COMMENT, data, bot);
      expect(answer.status, JSON.stringify(data)).toBe(403);
    }
    expect(graces()).toMatchObject({ is_pinned: false, text: expect.stringContaining("Draft is in") });
  });

  it("lets anyone who sees the task pin or unpin a comment", async () => {
    const pinned = await put(GRACES_COMMENT, { is_pinned: true }, SANDBOX_TOKENS.bot);
    expect(pinned.status).toBe(200);
    expect(pinned.body.data).toMatchObject({ is_pinned: true, is_edited: false });
    expect(graces()?.is_pinned).toBe(true);
    expect((await put(GRACES_COMMENT, { is_pinned: false }, SANDBOX_TOKENS.bot)).status).toBe(200);
    expect(graces()?.is_pinned).toBe(false);
  });

  it("refuses a text edit or a pin of a system story with a 400, even by its maker", async () => {
    for (const data of [{ text: "x" }, { html_text: "<body>x</body>" }, { is_pinned: true }]) {
      const answer = await put(SYSTEM_STORY, data);
      expect(answer.status, JSON.stringify(data)).toBe(400);
      expect(message(answer)).toMatch(/^Only comment stories/);
    }
    const story = s.fake.storiesOf(DEMO_TASK_GID).find((st) => st.gid === SYSTEM_STORY);
    expect(story).toMatchObject({ text: "added to Q3 Product Launch", is_pinned: false });
  });

  it("refuses both text and html_text, unknown and read-only fields, bad values and empty text", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ text: "a", html_text: "<body>a</body>" }, "You may not specify both text and html_text"],
      [{ text: "a", mood: "happy" }, "mood: Unknown property"],
      [{ created_by: { gid: SANDBOX_USER_GIDS.bot } }, "created_by: Cannot write this property"],
      [{ is_pinned: "yes" }, "is_pinned: Not a boolean"],
      [{ text: "   " }, "text: Cannot be empty"],
      [{ html_text: "<body><h1>x</h1></body>" }, "h1"],
    ];
    for (const [data, expected] of cases) {
      const answer = await put(GRACES_COMMENT, data);
      expect(answer.status, JSON.stringify(data)).toBe(400);
      expect(message(answer)).toContain(expected);
    }
    expect(graces()).toMatchObject({ is_pinned: false, text: expect.stringContaining("Draft is in") });
    expect(graces()?.is_edited).toBeUndefined();
  });

  it("answers 404 for an unknown story or a task's gid, and 403 for a story on a task out of sight", async () => {
    expect((await put("1299999999999999", { is_pinned: true })).status).toBe(404);
    expect((await put(DEMO_TASK_GID, { is_pinned: true })).status).toBe(404);
    expect((await put(SIDE_COMMENT, { is_pinned: true }, SANDBOX_TOKENS.bot)).status).toBe(403);
  });
});

describe("DELETE /stories/{story_gid}", () => {
  it("deletes the author's own story: gone from the task's stories, and its GET answers 404", async () => {
    const deleted = await call("DELETE", `/stories/${GRACES_COMMENT}`);
    expect(deleted).toEqual({ status: 200, body: { data: {} } });
    expect((await call("GET", `/stories/${GRACES_COMMENT}`)).status).toBe(404);
    const listed = await call("GET", `/tasks/${DEMO_TASK_GID}/stories`);
    expect(JSON.stringify(listed.body)).not.toContain(GRACES_COMMENT);
    expect((await call("DELETE", `/stories/${GRACES_COMMENT}`)).status).toBe(404);
  });

  it("refuses a story someone else created with a 403, and keeps it", async () => {
    const answer = await call("DELETE", `/stories/${GRACES_COMMENT}`, undefined, SANDBOX_TOKENS.pat);
    expect(answer.status).toBe(403);
    expect(graces()).toBeDefined();
  });

  it("needs the stories:delete scope, not stories:write, for a token with granular scopes", async () => {
    const token = "granular-stories-write";
    s.fake.addToken({
      token,
      userGid: SANDBOX_USER_GIDS.oauth,
      kind: "oauth",
      oauthScopes: ["stories:read", "stories:write"],
    });
    expect((await put(GRACES_COMMENT, { is_pinned: true }, token)).status).toBe(200);
    const refused = await call("DELETE", `/stories/${GRACES_COMMENT}`, undefined, token);
    expect(refused.status).toBe(403);
    expect(message(refused)).toContain("stories:delete");
    expect(graces()).toBeDefined();
  });
});

// The fake Asana's stories (comments), over real HTTP with plain fetch.
import { describe, expect, it } from "vitest";
import { DEMO_TASK_GID, SANDBOX_TOKENS, SANDBOX_USER_GIDS } from "../../src/sandbox/demo-data.js";
import { type Answer, data, fakePerFile, message, type NextPage } from "./http.js";

const file = fakePerFile();
const { call, comment } = file;

describe("stories", () => {
  it("lists stories oldest first, compact by default, and paginates", async () => {
    const answer = await call(`/tasks/${DEMO_TASK_GID}/stories`);
    const stories = data<Array<Record<string, unknown>>>(answer);
    expect(stories.length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(stories[0] ?? {}).sort()).toEqual(
      ["created_at", "created_by", "gid", "resource_subtype", "resource_type", "text"].sort(),
    );
    const times = stories.map((st) => String(st.created_at));
    expect([...times].sort()).toEqual(times);
    expect(stories.filter((st) => st.resource_subtype === "comment_added").length).toBeGreaterThanOrEqual(2);
    const page = await call(`/tasks/${DEMO_TASK_GID}/stories?limit=1`);
    expect(data<unknown[]>(page)).toHaveLength(1);
    expect((page.body.next_page as NextPage).path).toMatch(
      new RegExp(`^/tasks/${DEMO_TASK_GID}/stories\\?limit=1&`),
    );
  });

  it("posts a comment as the token's user and reads it back", async () => {
    const text = `Checked the list ${Date.now()}`;
    const before = Date.now();
    const answer = await comment(text);
    expect(answer.status).toBe(201);
    const story = data<Record<string, unknown> & { gid: string }>(answer);
    expect(story).toMatchObject({
      resource_type: "story",
      type: "comment",
      resource_subtype: "comment_added",
      source: "api",
      text,
      is_pinned: false,
      created_by: { gid: SANDBOX_USER_GIDS.bot, resource_type: "user", name: "Acme Bot" },
      target: { gid: DEMO_TASK_GID, resource_type: "task", name: "Prepare the Q3 launch checklist" },
    });
    expect(Date.parse(String(story.created_at))).toBeGreaterThanOrEqual(before - 1000);
    expect(answer.headers.get("location")).toBe(`${file.s.baseUrl}/stories/${story.gid}`);

    const listed = data<Array<Record<string, unknown>>>(
      await call(
        `/tasks/${DEMO_TASK_GID}/stories?opt_fields=created_by.name,text,html_text,type,source,is_pinned`,
      ),
    );
    expect(listed.at(-1)).toEqual({
      gid: story.gid,
      resource_type: "story",
      created_by: { gid: SANDBOX_USER_GIDS.bot, resource_type: "user", name: "Acme Bot" },
      text,
      html_text: `<body>${text}</body>`,
      type: "comment",
      source: "api",
      is_pinned: false,
    });
    const stored = file.s.fake.storiesOf(DEMO_TASK_GID).filter((st) => st.text === text);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.created_by.name).toBe("Acme Bot");
    expect(data(await call(`/stories/${story.gid}?opt_fields=text`))).toMatchObject({ text });
  });

  it("accepts valid rich text, expands mentions and derives the plain text", async () => {
    const html = `<body>Ready: <strong>yes</strong> &amp; <em>done</em>, thanks <a data-asana-gid="${SANDBOX_USER_GIDS.pat}"/><ul><li>one</li><li>two</li></ul></body>`;
    const answer = await call(`/tasks/${DEMO_TASK_GID}/stories?opt_fields=text,html_text,is_pinned`, {
      token: SANDBOX_TOKENS.oauth,
      method: "POST",
      body: { data: { html_text: html, is_pinned: true } },
    });
    expect(answer.status).toBe(201);
    const story = data<{ text: string; html_text: string; is_pinned: boolean }>(answer);
    expect(story.is_pinned).toBe(true);
    expect(story.text).toBe("Ready: yes & done, thanks @Ada Lovelace\none\ntwo");
    expect(story.html_text).toContain(`data-asana-gid="${SANDBOX_USER_GIDS.pat}"`);
    expect(story.html_text).toContain(">@Ada Lovelace</a>");

    const plain = "<body>Ready: <strong>yes</strong></body>";
    const kept = await call(`/tasks/${DEMO_TASK_GID}/stories?opt_fields=html_text`, {
      method: "POST",
      body: { data: { html_text: plain } },
    });
    expect(data(kept)).toMatchObject({ html_text: plain });
  });

  it("rejects text with html_text, neither, unknown and read-only fields, and bad bodies", async () => {
    const post = (body: unknown, raw?: string) =>
      call(`/tasks/${DEMO_TASK_GID}/stories`, { method: "POST", body, raw, token: SANDBOX_TOKENS.bot });
    const count = file.s.fake.storiesOf(DEMO_TASK_GID).length;
    const cases: Array<[Answer, string]> = [
      [
        await post({ data: { text: "a", html_text: "<body>a</body>" } }),
        "You may not specify both text and html_text",
      ],
      [await post({ data: { is_pinned: true } }), "You must specify either text or html_text"],
      [await post({ data: { text: "a", author: "x" } }), "author: Unknown property"],
      [await post({ data: { text: "a", created_by: "1" } }), "created_by: Cannot write this property"],
      [await post({ data: { text: "a", is_pinned: "yes" } }), "is_pinned: Not a boolean"],
      [await post({ data: { text: "a", sticker_name: "cat" } }), "sticker_name: Not a valid enum value: cat"],
      [await post({ data: { text: "   " } }), "text: Cannot be empty"],
      [await post({ text: "a" }), "data: Missing input"],
      [await post(undefined, "{not json"), "Could not parse request data, invalid JSON"],
    ];
    for (const [answer, expected] of cases) {
      expect(answer.status).toBe(400);
      expect(message(answer)).toBe(expected);
    }
    expect(file.s.fake.storiesOf(DEMO_TASK_GID)).toHaveLength(count);
  });

  it("rejects html_text that is not valid Asana rich text", async () => {
    const cases: Array<[string, string]> = [
      ["<body><h1>x</h1></body>", "html_text: Unsupported tag <h1>"],
      ["<body><strong>x</body>", "html_text: XML is invalid"],
      ["<body>a & b</body>", "html_text: XML is invalid"],
      ["no body", "html_text: XML is invalid"],
      ["<p>x</p>", "html_text: The root element must be <body>"],
      ["<body>a</body><body>b</body>", "html_text: XML is invalid"],
      ['<body><strong class="x">x</strong></body>', "html_text: Unsupported attribute class on <strong>"],
      ['<body><a onclick="x">x</a></body>', "html_text: Unsupported attribute onclick on <a>"],
      ["<body><a href=x>x</a></body>", "html_text: XML is invalid"],
      ["<body><B>x</B></body>", "html_text: Unsupported tag <B>"],
      ["<body><body>x</body></body>", "html_text: Unsupported tag <body>"],
      ['<body><a data-asana-gid="424242"/></body>', "html_text: Unknown object: 424242"],
    ];
    for (const [html, expected] of cases) {
      const answer = await call(`/tasks/${DEMO_TASK_GID}/stories`, {
        method: "POST",
        body: { data: { html_text: html } },
      });
      expect(answer.status, html).toBe(400);
      expect(message(answer), html).toContain(expected);
    }
  });
});

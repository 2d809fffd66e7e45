import { afterEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SIDE_PROJECT_TASK_GID,
} from "../../src/sandbox/demo-data.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import { errorOf, type Harness } from "../helpers/harness.js";
import {
  ACME,
  ADA,
  ADA_GID,
  ADA_WRITES,
  BOT,
  BOT_GID,
  expectRefused,
  harnesses,
  writes,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

/** Demo stories on the demo task: Asana's record of it being added to a project, then two comments. */
const SYSTEM_STORY = "1206000000000001";
const GRACES_COMMENT = "1206000000000002";
const MARGARETS_COMMENT = "1206000000000003";
/** A comment of Ada's own on the Side Projects task, and one on the demo task. */
const ADAS_OUTSIDE_COMMENT = "1206990000000001";
const ADAS_COMMENT = "1206990000000002";

function withAdasComments(): FakeData {
  const data = demoData();
  data.stories?.push(
    { gid: ADAS_OUTSIDE_COMMENT, task: SIDE_PROJECT_TASK_GID, createdBy: ADA_GID, text: "Mine, outside." },
    { gid: ADAS_COMMENT, task: DEMO_TASK_GID, createdBy: ADA_GID, text: "Mine, inside." },
  );
  return data;
}

function storyOf(h: Harness, task: string, gid: string) {
  return h.fake.storiesOf(task).find((s) => s.gid === gid);
}

/** A comment posted by the bot (the write identity) on the demo task; returns its gid. */
async function botComment(h: Harness, text = "First draft."): Promise<string> {
  const out = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text });
  expect(out.isError, out.text).toBe(false);
  return (out.body.story as { gid: string }).gid;
}

const puts = (h: Harness) => writes(h).filter((r) => r.method === "PUT");

describe("update_comment", () => {
  it("edits the text of the bot's own comment", async () => {
    const h = await hs.start();
    const gid = await botComment(h);
    const out = await h.call("update_comment", { story_gid: gid, text: "Final version." });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({
      story: { gid, created_by: { gid: BOT_GID, name: "Acme Bot" }, text: "Final version.", is_edited: true },
      acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" },
    });
    expect(out.body.verified_after_uncertain_failure).toBeUndefined();
    expect(storyOf(h, DEMO_TASK_GID, gid)).toMatchObject({ text: "Final version.", is_edited: true });
    expect(puts(h).map((r) => [r.path, r.body, r.userGid])).toEqual([
      [`/stories/${gid}`, { data: { text: "Final version." } }, BOT_GID],
    ]);
  });

  it("edits it as rich text, which Asana stores as formatting", async () => {
    const h = await hs.start();
    const gid = await botComment(h);
    const html = "<body>Ready: <strong>yes</strong></body>";
    const out = await h.call("update_comment", { story_gid: gid, html_text: html, is_pinned: true });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({ story: { text: "Ready: yes", is_pinned: true } });
    expect(storyOf(h, DEMO_TASK_GID, gid)).toMatchObject({ html_text: html, is_pinned: true });
    expect(puts(h).map((r) => r.body)).toEqual([{ data: { html_text: html, is_pinned: true } }]);
  });

  it("pins and unpins someone else's comment: Asana limits pinning by kind, not author", async () => {
    const h = await hs.start();
    const pinned = await h.call("update_comment", { story_gid: MARGARETS_COMMENT, is_pinned: true });
    expect(pinned.isError, pinned.text).toBe(false);
    expect(storyOf(h, DEMO_TASK_GID, MARGARETS_COMMENT)?.is_pinned).toBe(true);
    const unpinned = await h.call("update_comment", { story_gid: MARGARETS_COMMENT, is_pinned: false });
    expect(unpinned.body).toMatchObject({
      story: { is_pinned: false, created_by: { name: "Margaret Hamilton" } },
    });
    const story = storyOf(h, DEMO_TASK_GID, MARGARETS_COMMENT);
    expect(story).toMatchObject({ is_pinned: false, text: expect.stringContaining("Reviewed.") });
    expect(story?.is_edited).toBeUndefined();
    expect(puts(h).map((r) => r.body)).toEqual([
      { data: { is_pinned: true } },
      { data: { is_pinned: false } },
    ]);
  });

  it("refuses to edit someone else's comment before any write, naming its author and the writer", async () => {
    const h = await hs.start();
    for (const change of [{ text: "Hijacked." }, { html_text: "<body>Hijacked.</body>" }]) {
      const error = errorOf(await h.call("update_comment", { story_gid: GRACES_COMMENT, ...change }));
      expect(error.code).toBe("forbidden");
      expect(error.message).toContain("written by Grace Hopper (1201000000000004)");
      expect(error.message).toContain(`asana-mcp acts as ${BOT} for writes`);
      expect(error.message).toContain("Nothing was changed");
    }
    // Pinning as well changes nothing either: the text is refused as a whole call.
    const both = errorOf(
      await h.call("update_comment", { story_gid: GRACES_COMMENT, text: "x", is_pinned: true }),
    );
    expect(both.code).toBe("forbidden");
    expect(writes(h)).toEqual([]);
    expect(storyOf(h, DEMO_TASK_GID, GRACES_COMMENT)).toMatchObject({
      text: "Draft is in the shared doc. Can someone review the rollback section?",
      is_pinned: false,
    });
  });

  it("names the person when the person writes, and edits their own comment", async () => {
    const h = await hs.start(ADA_WRITES, withAdasComments());
    const error = errorOf(await h.call("update_comment", { story_gid: MARGARETS_COMMENT, text: "x" }));
    expect(error.message).toContain(`written by Margaret Hamilton`);
    expect(error.message).toContain(`asana-mcp acts as ${ADA} for writes`);
    const out = await h.call("update_comment", { story_gid: ADAS_COMMENT, text: "Mine, edited." });
    expect(out.isError, out.text).toBe(false);
    expect(writes(h).map((r) => [r.method, r.path, r.userGid])).toEqual([
      ["PUT", `/stories/${ADAS_COMMENT}`, ADA_GID],
    ]);
  });

  it("refuses a story that is no comment: no text edit, no pin", async () => {
    const h = await hs.start(ADA_WRITES, withAdasComments());
    for (const change of [{ text: "x" }, { is_pinned: true }]) {
      const error = errorOf(await h.call("update_comment", { story_gid: SYSTEM_STORY, ...change }));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toContain('is not a comment but Asana\'s "added_to_project" activity');
    }
    // Ada's own system story on the Side Projects task: still no comment.
    const own = errorOf(await h.call("update_comment", { story_gid: "1206000000000004", text: "x" }));
    expect(own.message).toContain("is not a comment");
    expect(writes(h)).toEqual([]);
  });

  it("refuses rich text Asana would store as literal tags, and other bad input, before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "update_comment", [
      [{ story_gid: GRACES_COMMENT }, "there is nothing to change"],
      [{ story_gid: GRACES_COMMENT, text: "a", html_text: "<body>a</body>" }, "text or html_text, not both"],
      [
        { story_gid: GRACES_COMMENT, html_text: "<body><h1>Title</h1></body>" },
        "<h1> is not a tag Asana accepts",
      ],
      [{ story_gid: GRACES_COMMENT, html_text: "<body>a < b</body>" }, 'write a literal "<" as &lt;'],
      [{ story_gid: GRACES_COMMENT, html_text: "<body><B>bold</B></body>" }, "<B> is not a tag"],
      [{ story_gid: GRACES_COMMENT, html_text: "plain" }, "must be wrapped in <body>"],
      [{ story_gid: GRACES_COMMENT, html_text: "<body> </body>" }, "html_text: must not be empty"],
      [{ story_gid: GRACES_COMMENT, text: "  " }, "text: must not be empty"],
      [{ story_gid: GRACES_COMMENT, text: "x".repeat(70_000) }, "at most 65536 characters"],
      [{ story_gid: "../tasks/1", text: "x" }, "story_gid: must be an Asana gid"],
      [{ story_gid: GRACES_COMMENT, text: "x", created_by: BOT_GID }, 'unknown argument "created_by"'],
    ]);
  });

  it("answers not_found for a gid that is a task, not a story, and sends nothing", async () => {
    const h = await hs.start();
    const error = errorOf(await h.call("update_comment", { story_gid: DEMO_TASK_GID, is_pinned: true }));
    expect(error.code).toBe("not_found");
    expect(writes(h)).toEqual([]);
  });
});

describe("update_comment after an uncertain failure", () => {
  it("sends the PUT once more and reports Asana's answer, verified", async () => {
    const h = await hs.start();
    const gid = await botComment(h);
    h.fake.inject({ method: "PUT", type: "reset-after" });
    const out = await h.call("update_comment", { story_gid: gid, text: "Edited once." });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({
      story: { text: "Edited once." },
      verified_after_uncertain_failure: true,
    });
    // Two PUTs of the same absolute value: the first reached Asana, its answer was lost.
    expect(puts(h).map((r) => [r.status, r.body])).toEqual([
      [0, { data: { text: "Edited once." } }],
      [200, { data: { text: "Edited once." } }],
    ]);
    expect(h.fake.storiesOf(DEMO_TASK_GID).filter((s) => s.text === "Edited once.")).toHaveLength(1);
  });

  it("reports write_unknown, never done, when the repeat is uncertain too", async () => {
    const h = await hs.start();
    const gid = await botComment(h);
    h.fake.inject({ method: "PUT", type: "reset-after", times: 2 });
    const error = errorOf(await h.call("update_comment", { story_gid: gid, is_pinned: true }));
    expect(error.code).toBe("write_unknown");
    expect(puts(h)).toHaveLength(2);
  });

  it("does not repeat a PUT Asana refused", async () => {
    const h = await hs.start();
    const gid = await botComment(h);
    h.fake.inject({ method: "PUT", type: "status", status: 400 });
    const error = errorOf(await h.call("update_comment", { story_gid: gid, html_text: "<body>x</body>" }));
    expect(error.code).toBe("invalid_rich_text");
    expect(puts(h)).toHaveLength(1);
    expect(storyOf(h, DEMO_TASK_GID, gid)?.text).toBe("First draft.");
  });
});

describe("update_comment under the allow-lists", () => {
  const onlyDemo = { ...ADA_WRITES, ASANA_PROJECTS: DEMO_PROJECT_GID };
  const onlyAcme = { ...ADA_WRITES, ASANA_WORKSPACES: ACME };

  it("refuses a comment (even one's own) on a task outside them, before any write", async () => {
    for (const env of [onlyDemo, onlyAcme]) {
      const h = await hs.start(env, withAdasComments());
      for (const change of [{ text: "x" }, { is_pinned: true }]) {
        const error = errorOf(await h.call("update_comment", { story_gid: ADAS_OUTSIDE_COMMENT, ...change }));
        expect(error.code).toBe("policy_denied");
        expect(error.message).toContain(
          `story ${ADAS_OUTSIDE_COMMENT} is on task ${SIDE_PROJECT_TASK_GID}, which is in`,
        );
      }
      expect(writes(h)).toEqual([]);
      expect(storyOf(h, SIDE_PROJECT_TASK_GID, ADAS_OUTSIDE_COMMENT)).toMatchObject({
        text: "Mine, outside.",
        is_pinned: false,
      });
    }
  });

  it("refuses a system story outside them as outside, and a task's gid as no story", async () => {
    const h = await hs.start(onlyDemo, withAdasComments());
    const outside = errorOf(
      await h.call("update_comment", { story_gid: "1206000000000004", is_pinned: true }),
    );
    expect(outside.code).toBe("policy_denied");
    const task = errorOf(
      await h.call("update_comment", { story_gid: SIDE_PROJECT_TASK_GID, is_pinned: true }),
    );
    expect(task.code).toBe("not_found");
    expect(writes(h)).toEqual([]);
  });

  it("refuses a mention of a task outside them in the new text", async () => {
    const h = await hs.start(onlyAcme, withAdasComments());
    const error = errorOf(
      await h.call("update_comment", {
        story_gid: ADAS_COMMENT,
        html_text: `<body>See <a data-asana-gid="${SIDE_PROJECT_TASK_GID}"/></body>`,
      }),
    );
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain(`rich text mentions task ${SIDE_PROJECT_TASK_GID}`);
    expect(writes(h)).toEqual([]);
  });

  it("edits a comment on a task inside them", async () => {
    const h = await hs.start(onlyDemo, withAdasComments());
    const out = await h.call("update_comment", { story_gid: ADAS_COMMENT, text: "Still mine." });
    expect(out.isError, out.text).toBe(false);
    expect(storyOf(h, DEMO_TASK_GID, ADAS_COMMENT)?.text).toBe("Still mine.");
  });
});

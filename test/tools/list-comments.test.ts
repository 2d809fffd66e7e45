import { afterEach, describe, expect, it } from "vitest";
import { DEMO_TASK_GID, SIDE_PROJECT_TASK_GID } from "../../src/sandbox/demo-data.js";
import { errorOf } from "../helpers/harness.js";
import { ADA, BOT, BOT_ONLY, expectRefused, harnesses, sent, UNKNOWN_GID } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

describe("list_comments", () => {
  it("lists a task's comments oldest first, without its activity", async () => {
    const h = await hs.start();
    const out = await h.call("list_comments", { task_gid: DEMO_TASK_GID });
    expect(out.isError, out.text).toBe(false);
    const stored = h.fake.storiesOf(DEMO_TASK_GID).filter((s) => s.type === "comment");
    expect(stored).toHaveLength(2);
    expect(out.body).toEqual({
      comments: stored.map((s) => ({ gid: s.gid, at: s.created_at, by: s.created_by.name, text: s.text })),
      next_cursor: null,
    });
    expect(sent(h).map((r) => r.path)).toEqual([`/tasks/${DEMO_TASK_GID}/stories`]);
  });

  it("includes the activity when asked, and pages with cursors", async () => {
    const h = await hs.start();
    const all = await h.call("list_comments", { task_gid: DEMO_TASK_GID, include_activity: true });
    const stories = h.fake.storiesOf(DEMO_TASK_GID);
    expect((all.body.comments as unknown[]).length).toBe(stories.length);
    // Each item says whether someone wrote it or Asana recorded a change, as the fake holds it.
    const items = all.body.comments as Array<{ gid: string; type?: string; subtype?: string }>;
    expect(new Set(items.map((c) => c.type))).toEqual(new Set(["comment", "system"]));
    for (const item of items) {
      const story = stories.find((s) => s.gid === item.gid);
      const comment = story?.resource_subtype === "comment_added";
      expect(item, item.gid).toMatchObject(
        comment ? { type: "comment" } : { type: "system", subtype: story?.resource_subtype },
      );
      if (comment) expect(item).not.toHaveProperty("subtype");
    }
    const first = await h.call("list_comments", {
      task_gid: DEMO_TASK_GID,
      include_activity: true,
      limit: 1,
    });
    const second = await h.call("list_comments", {
      task_gid: DEMO_TASK_GID,
      include_activity: true,
      limit: 1,
      cursor: first.body.next_cursor,
    });
    expect(second.isError, second.text).toBe(false);
    expect(second.body.comments).toEqual([(all.body.comments as unknown[])[1]]);
  });

  it("names the identity when a task is unknown or forbidden", async () => {
    const h = await hs.start();
    const missing = errorOf(await h.call("list_comments", { task_gid: UNKNOWN_GID }));
    expect(missing.code).toBe("not_found");
    expect(missing.message).toContain(ADA);

    const bot = await hs.start(BOT_ONLY);
    const forbidden = errorOf(await bot.call("list_comments", { task_gid: SIDE_PROJECT_TASK_GID }));
    expect(forbidden.code).toBe("forbidden");
    expect(forbidden.message).toContain(BOT);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    const other = await h.call("list_comments", { task_gid: SIDE_PROJECT_TASK_GID, limit: 1 });
    await expectRefused(h, "list_comments", [
      [{ task_gid: "12a" }, "task_gid: must be an Asana gid"],
      [{ task_gid: DEMO_TASK_GID, limit: 0 }, "limit: must be at least 1"],
      [
        { task_gid: DEMO_TASK_GID, cursor: other.body.next_cursor },
        "belongs to a listing with other arguments",
      ],
    ]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SIDE_PROJECT_TASK_GID,
} from "../../src/sandbox/demo-data.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import type { Pending } from "../helpers/confirm.js";
import { errorOf, type Harness } from "../helpers/harness.js";
import {
  ACME,
  ADA_GID,
  ADA_WRITES,
  BOT,
  BOT_GID,
  expectRefused,
  harnesses,
  PAT_AND_BOT,
  UNKNOWN_GID,
  writes,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

// The confirmation is the server's; these tests exercise the delete itself.
const BOT_WRITES = { ...PAT_AND_BOT, ASANA_CONFIRM: "off" };
const ADA_DELETES = { ...ADA_WRITES, ASANA_CONFIRM: "off" };

const GRACES_COMMENT = "1206000000000002";
/** Asana's record of the Side Projects task being added to its project, made by Ada. */
const ADAS_SYSTEM_STORY = "1206000000000004";
const ADAS_OUTSIDE_COMMENT = "1206990000000001";

function withAdasOutsideComment(): FakeData {
  const data = demoData();
  data.stories?.push({
    gid: ADAS_OUTSIDE_COMMENT,
    task: SIDE_PROJECT_TASK_GID,
    createdBy: ADA_GID,
    text: "Mine, outside.",
  });
  return data;
}

const onTask = (h: Harness, task: string, gid: string) => h.fake.storiesOf(task).some((s) => s.gid === gid);
const deletes = (h: Harness) => writes(h).filter((r) => r.method === "DELETE");

async function botComment(h: Harness, text = "To be deleted."): Promise<string> {
  const out = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text });
  expect(out.isError, out.text).toBe(false);
  return (out.body.story as { gid: string }).gid;
}

describe("delete_comment", () => {
  it("deletes the bot's own comment: gone from the task's stories, and its GET answers 404", async () => {
    const h = await hs.start(BOT_WRITES);
    const gid = await botComment(h);
    const out = await h.call("delete_comment", { story_gid: gid });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toEqual({ deleted: gid, acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" } });
    expect(onTask(h, DEMO_TASK_GID, gid)).toBe(false);
    expect(deletes(h).map((r) => [r.path, r.status, r.userGid])).toEqual([[`/stories/${gid}`, 200, BOT_GID]]);
    const listed = await h.call("list_comments", { task_gid: DEMO_TASK_GID });
    expect(JSON.stringify(listed.body)).not.toContain(gid);
    const again = errorOf(await h.call("delete_comment", { story_gid: gid }));
    expect(again.code).toBe("not_found");
    expect(deletes(h)).toHaveLength(1);
  });

  it("refuses someone else's comment before sending, naming its author and the writer", async () => {
    const h = await hs.start(BOT_WRITES);
    const error = errorOf(await h.call("delete_comment", { story_gid: GRACES_COMMENT }));
    expect(error.code).toBe("forbidden");
    expect(error.message).toContain("written by Grace Hopper (1201000000000004)");
    expect(error.message).toContain(`asana-mcp acts as ${BOT} for writes`);
    expect(writes(h)).toEqual([]);
    expect(onTask(h, DEMO_TASK_GID, GRACES_COMMENT)).toBe(true);
  });

  it("refuses a system story, even one the acting identity's action made", async () => {
    const h = await hs.start(ADA_DELETES);
    const error = errorOf(await h.call("delete_comment", { story_gid: ADAS_SYSTEM_STORY }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain('is not a comment but Asana\'s "added_to_project" activity');
    expect(writes(h)).toEqual([]);
    expect(onTask(h, SIDE_PROJECT_TASK_GID, ADAS_SYSTEM_STORY)).toBe(true);
  });

  it("answers not_found for an unknown gid and for a task's gid, and sends no DELETE", async () => {
    const h = await hs.start(BOT_WRITES);
    for (const gid of [UNKNOWN_GID, DEMO_TASK_GID]) {
      expect(errorOf(await h.call("delete_comment", { story_gid: gid })).code).toBe("not_found");
    }
    expect(writes(h)).toEqual([]);
    expect(h.fake.task(DEMO_TASK_GID)).toBeDefined();
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start(BOT_WRITES);
    await expectRefused(h, "delete_comment", [
      [{}, "story_gid"],
      [{ story_gid: "12/34" }, "story_gid: must be an Asana gid"],
      [{ story_gid: GRACES_COMMENT, force: true }, 'unknown argument "force"'],
    ]);
  });
});

describe("delete_comment after an uncertain failure", () => {
  it("sends the DELETE again: a 404 then, for a comment read just before, means it was deleted", async () => {
    const h = await hs.start(BOT_WRITES);
    const gid = await botComment(h);
    h.fake.inject({ method: "DELETE", type: "reset-after" });
    const out = await h.call("delete_comment", { story_gid: gid });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.deleted).toBe(gid);
    expect(onTask(h, DEMO_TASK_GID, gid)).toBe(false);
    expect(deletes(h).map((r) => r.status)).toEqual([0, 404]);
  });

  it("deletes on the repeat when the first DELETE never arrived", async () => {
    const h = await hs.start(BOT_WRITES);
    const gid = await botComment(h);
    h.fake.inject({ method: "DELETE", type: "reset-before" });
    const out = await h.call("delete_comment", { story_gid: gid });
    expect(out.isError, out.text).toBe(false);
    expect(onTask(h, DEMO_TASK_GID, gid)).toBe(false);
  });

  it("reports write_unknown, never deleted, when the repeat is uncertain too", async () => {
    const h = await hs.start(BOT_WRITES);
    const gid = await botComment(h);
    h.fake.inject({ method: "DELETE", type: "reset-before", times: 2 });
    const error = errorOf(await h.call("delete_comment", { story_gid: gid }));
    expect(error.code).toBe("write_unknown");
    expect(onTask(h, DEMO_TASK_GID, gid)).toBe(true);
  });
});

describe("delete_comment under the allow-lists", () => {
  it("refuses the writer's own comment on a task outside them, before any write", async () => {
    const limits: Array<Record<string, string>> = [
      { ASANA_PROJECTS: DEMO_PROJECT_GID },
      { ASANA_WORKSPACES: ACME },
    ];
    for (const limit of limits) {
      const h = await hs.start({ ...ADA_DELETES, ...limit }, withAdasOutsideComment());
      const error = errorOf(await h.call("delete_comment", { story_gid: ADAS_OUTSIDE_COMMENT }));
      expect(error.code).toBe("policy_denied");
      expect(error.message).toContain(
        `story ${ADAS_OUTSIDE_COMMENT} is on task ${SIDE_PROJECT_TASK_GID}, which is in`,
      );
      expect(writes(h)).toEqual([]);
      expect(onTask(h, SIDE_PROJECT_TASK_GID, ADAS_OUTSIDE_COMMENT)).toBe(true);
    }
  });

  it("refuses a system story outside them as outside, and a task's gid as no story", async () => {
    const h = await hs.start({ ...ADA_DELETES, ASANA_PROJECTS: DEMO_PROJECT_GID }, withAdasOutsideComment());
    expect(errorOf(await h.call("delete_comment", { story_gid: ADAS_SYSTEM_STORY })).code).toBe(
      "policy_denied",
    );
    expect(errorOf(await h.call("delete_comment", { story_gid: SIDE_PROJECT_TASK_GID })).code).toBe(
      "not_found",
    );
    expect(writes(h)).toEqual([]);
    expect(h.fake.task(SIDE_PROJECT_TASK_GID)).toBeDefined();
  });

  it("deletes the writer's own comment on a task inside them", async () => {
    const h = await hs.start({ ...ADA_DELETES, ASANA_PROJECTS: DEMO_PROJECT_GID });
    const out = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "Mine, inside." });
    const gid = (out.body.story as { gid: string }).gid;
    const deleted = await h.call("delete_comment", { story_gid: gid });
    expect(deleted.isError, deleted.text).toBe(false);
    expect(onTask(h, DEMO_TASK_GID, gid)).toBe(false);
  });
});

describe("delete_comment's confirmation", () => {
  it("previews the comment exactly as it is now, sending nothing that writes; the token then deletes it", async () => {
    const h = await hs.start(PAT_AND_BOT);
    const long = `${"Launch notes. ".repeat(20)}The end.`;
    const gid = await botComment(h, long);
    const stored = h.fake.storiesOf(DEMO_TASK_GID).find((st) => st.gid === gid);
    const first = await h.call("delete_comment", { story_gid: gid });
    expect(first.isError, first.text).toBe(false);
    const pending = first.body as unknown as Pending;
    const quoted = `${long.slice(0, 200)}…`;
    expect(pending.preview.summary).toBe(
      `Delete the comment ${gid} by Acme Bot (${BOT_GID}) on the task "Prepare the Q3 launch checklist" (${DEMO_TASK_GID}), written ${stored?.created_at}: "${quoted}". This cannot be undone.`,
    );
    expect(pending.preview.changes).toEqual([
      {
        gid,
        action: "delete",
        author: { gid: BOT_GID, name: "Acme Bot" },
        created_at: stored?.created_at,
        task: { gid: DEMO_TASK_GID, name: "Prepare the Q3 launch checklist" },
        text: quoted,
      },
    ]);
    expect(deletes(h)).toEqual([]);
    expect(onTask(h, DEMO_TASK_GID, gid)).toBe(true);
    const done = await h.call("delete_comment", {
      story_gid: gid,
      confirmation_token: pending.confirmation_token,
    });
    expect(done.body).toMatchObject({ deleted: gid });
    expect(onTask(h, DEMO_TASK_GID, gid)).toBe(false);
  });

  it("refuses someone else's comment already at the preview: no one is asked to confirm a refused delete", async () => {
    const h = await hs.start(PAT_AND_BOT);
    const error = errorOf(await h.call("delete_comment", { story_gid: GRACES_COMMENT }));
    expect(error.code).toBe("forbidden");
    expect(error.message).toContain("written by Grace Hopper");
    expect(writes(h)).toEqual([]);
  });
});

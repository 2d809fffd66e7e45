import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, demoData } from "../../src/sandbox/demo-data.js";
import { DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf, type Harness } from "../helpers/harness.js";
import {
  ACME,
  ADA_WRITES,
  BOT_GID,
  expectRefused,
  harnesses,
  PAT_AND_BOT,
  SIDE,
  sent,
  UNKNOWN_GID,
  writes,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

const TAGS_ON = { ASANA_TOOLSETS: "tasks,tags" };
const LAUNCH = DEMO_TAG_GIDS.launch;
/** A tag of Side Projects, which Ada is in and the bot is not. */
const SIDE_TAG = "1208000000000077";
function withSideTag() {
  const data = demoData();
  data.world?.tags?.push({ gid: SIDE_TAG, name: "side", workspace: SIDE, color: "light-pink" });
  return data;
}

/** The tag as Asana holds it, read through the API as the test sees it (the sandbox's own state). */
const tagOf = (h: Harness, gid: string) =>
  [...["launch", "blocked", "side", "go-live", "renamed"]]
    .flatMap((name) => [...h.fake.tagsNamed(ACME, name), ...h.fake.tagsNamed(SIDE, name)])
    .find((t) => t.gid === gid);

describe("update_tag", () => {
  it("renames, recolors and describes a tag with one PUT of the given fields, as the bot", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON });
    const out = await h.call("update_tag", {
      tag_gid: LAUNCH,
      name: "go-live",
      color: "light-orange",
      notes: "Tasks for launch day.",
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toEqual({
      tag: {
        gid: LAUNCH,
        name: "go-live",
        color: "light-orange",
        notes: "Tasks for launch day.",
        workspace_gid: ACME,
        url: `https://app.asana.com/0/${LAUNCH}/list`,
      },
      acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" },
    });
    expect(writes(h).map((r) => [r.method, r.path, r.body, r.userGid])).toEqual([
      [
        "PUT",
        `/tags/${LAUNCH}`,
        { data: { name: "go-live", color: "light-orange", notes: "Tasks for launch day." } },
        BOT_GID,
      ],
    ]);
    // It is the same tag on the task: renamed there too.
    const task = await h.call("get_task", { task_gid: DEMO_TASK_GID });
    expect(JSON.stringify(task.body)).toContain("go-live");
  });

  it("clears a color with null and leaves the fields not given as they were", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON });
    const out = await h.call("update_tag", { tag_gid: LAUNCH, color: null });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.tag).toMatchObject({ name: "launch", color: null });
    expect(writes(h).map((r) => r.body)).toEqual([{ data: { color: null } }]);
    expect(tagOf(h, LAUNCH)).toMatchObject({ name: "launch", color: null });
  });

  it("refuses bad input, and an empty update, before any request", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON });
    await expectRefused(h, "update_tag", [
      [{ tag_gid: LAUNCH }, "nothing to change"],
      [{ tag_gid: LAUNCH, name: "  " }, "name: must not be empty"],
      [{ tag_gid: LAUNCH, name: "a\tb" }, "name: must not hold control or bidirectional characters"],
      [{ tag_gid: LAUNCH, color: "orange" }, "color"],
      [{ tag_gid: LAUNCH, workspace: SIDE, name: "x" }, "workspace"],
      [{ tag_gid: "launch", name: "x" }, "not a tag's name"],
      // A tag's Asana link opens it as a list, which reads as a project's: refused, not followed.
      [{ tag_gid: `https://app.asana.com/0/${LAUNCH}/list`, name: "x" }, "is a project link"],
      [{ name: "x" }, "tag_gid"],
    ]);
  });

  it("a task's gid passed as a tag's: Asana's not found, and the task is unchanged", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON });
    const name = h.fake.task(DEMO_TASK_GID)?.name;
    const error = errorOf(await h.call("update_tag", { tag_gid: DEMO_TASK_GID, name: "hijacked" }));
    expect(error.code).toBe("not_found");
    expect(h.fake.task(DEMO_TASK_GID)?.name).toBe(name);
    const unknown = errorOf(await h.call("update_tag", { tag_gid: UNKNOWN_GID, name: "x" }));
    expect(unknown.code).toBe("not_found");
  });

  it("an uncertain failure is settled by sending the same PUT again: one value, reported once", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON });
    h.fake.inject({ method: "PUT", path: `/tags/${LAUNCH}`, type: "reset-after" });
    const out = await h.call("update_tag", { tag_gid: LAUNCH, name: "renamed" });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.tag).toMatchObject({ gid: LAUNCH, name: "renamed" });
    expect(writes(h).map((r) => [r.method, r.path])).toEqual([
      ["PUT", `/tags/${LAUNCH}`],
      ["PUT", `/tags/${LAUNCH}`],
    ]);
    expect(tagOf(h, LAUNCH)?.name).toBe("renamed");
  });
});

describe("update_tag under the allow-lists", () => {
  it("ASANA_WORKSPACES: a tag of another workspace is refused after one read of it, and unchanged", async () => {
    const h = await hs.start({ ...ADA_WRITES, ...TAGS_ON, ASANA_WORKSPACES: ACME }, withSideTag());
    const before = sent(h).length;
    const error = errorOf(await h.call("update_tag", { tag_gid: SIDE_TAG, name: "renamed" }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(
      `tag ${SIDE_TAG} is in workspace ${SIDE}, which ASANA_WORKSPACES does not allow.`,
    );
    expect(
      sent(h)
        .slice(before)
        .map((r) => `${r.method} ${r.path} ${r.query.opt_fields}`),
    ).toEqual([`GET /tags/${SIDE_TAG} workspace`]);
    expect(writes(h)).toEqual([]);
    expect(tagOf(h, SIDE_TAG)?.name).toBe("side");
    // A tag of the allowed workspace is changed.
    const out = await h.call("update_tag", { tag_gid: LAUNCH, notes: "inside" });
    expect(out.isError, out.text).toBe(false);
  });

  it("ASANA_WORKSPACES: a task's gid passed as a tag's is not found by the check, and nothing is written", async () => {
    const h = await hs.start({ ...ADA_WRITES, ...TAGS_ON, ASANA_WORKSPACES: ACME });
    const error = errorOf(await h.call("update_tag", { tag_gid: DEMO_TASK_GID, name: "hijacked" }));
    expect(error.code).toBe("not_found");
    expect(writes(h)).toEqual([]);
  });

  it("ASANA_PROJECTS: a tag spans every project of its workspace, so it is refused before any request", async () => {
    const h = await hs.start({
      ...ADA_WRITES,
      ...TAGS_ON,
      ASANA_PROJECTS: DEMO_PROJECT_GID,
      ASANA_WORKSPACES: ACME,
    });
    const before = sent(h).length;
    // The launch tag is on the demo task, inside the allowed project; renaming it still renames it
    // on every other task it is on, in any project.
    const error = errorOf(await h.call("update_tag", { tag_gid: LAUNCH, name: "renamed" }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(
      `tag ${LAUNCH} spans its workspace, across every project (a change to it shows on every task it is on), and ASANA_PROJECTS limits this server to projects ${DEMO_PROJECT_GID}.`,
    );
    expect(sent(h).length).toBe(before);
    expect(tagOf(h, LAUNCH)?.name).toBe("launch");
  });
});

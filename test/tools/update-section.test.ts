import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, demoData } from "../../src/sandbox/demo-data.js";
import { DEMO_SECTION_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import {
  ADA_WRITES,
  BOT_GID,
  expectRefused,
  harnesses,
  PAT_AND_BOT,
  UNKNOWN_GID,
  writes,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

const { todo, doing, done } = DEMO_SECTION_GIDS;
const OTHER_PROJECT = "1204000000000002";
const OUTSIDE_SECTION = "1207000000000099";

function withOutsideSection() {
  const d = demoData();
  d.world?.sections?.push({ gid: OUTSIDE_SECTION, name: "Elsewhere", project: OTHER_PROJECT });
  return d;
}

const order = (h: Awaited<ReturnType<typeof hs.start>>) =>
  h.fake.sectionsOf(DEMO_PROJECT_GID).map((s) => s.gid);

describe("update_section", () => {
  it("renames a section, as the bot", async () => {
    const h = await hs.start();
    const out = await h.call("update_section", { section_gid: doing, name: "Doing" });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({
      section: { gid: doing, name: "Doing" },
      project: { gid: DEMO_PROJECT_GID, name: "Q3 Product Launch" },
      acting_as: { gid: BOT_GID },
    });
    expect(writes(h).map((r) => [r.method, r.path, r.body, r.userGid])).toEqual([
      ["PUT", `/sections/${doing}`, { data: { name: "Doing" } }, BOT_GID],
    ]);
  });

  it("moves a section before or after another, and renames it in the same call", async () => {
    const h = await hs.start();
    const out = await h.call("update_section", { section_gid: done, before_section_gid: todo });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.moved).toBe(`before section ${todo}`);
    expect(order(h)).toEqual([done, todo, doing]);
    const both = await h.call("update_section", {
      section_gid: done,
      after_section_gid: doing,
      name: "Shipped",
    });
    expect(both.isError, both.text).toBe(false);
    expect(order(h)).toEqual([todo, doing, done]);
    expect(h.fake.sectionsOf(DEMO_PROJECT_GID).at(-1)?.name).toBe("Shipped");
    expect(writes(h).map((r) => [r.path, r.body])).toEqual([
      [`/projects/${DEMO_PROJECT_GID}/sections/insert`, { data: { section: done, before_section: todo } }],
      [`/sections/${done}`, { data: { name: "Shipped" } }],
      [`/projects/${DEMO_PROJECT_GID}/sections/insert`, { data: { section: done, after_section: doing } }],
    ]);
  });

  it("settles an uncertain move by sending it again: one move", async () => {
    const h = await hs.start();
    h.fake.inject({
      method: "POST",
      path: `/projects/${DEMO_PROJECT_GID}/sections/insert`,
      type: "reset-after",
    });
    const out = await h.call("update_section", { section_gid: todo, after_section_gid: done });
    expect(out.isError, out.text).toBe(false);
    expect(order(h)).toEqual([doing, done, todo]);
    expect(writes(h).map((r) => r.status)).toEqual([0, 200]);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "update_section", [
      [{ section_gid: todo }, "nothing to change"],
      [{ section_gid: todo, name: "  " }, "name"],
      [{ section_gid: todo, before_section_gid: doing, after_section_gid: done }, "not both"],
      [{ section_gid: todo, before_section_gid: todo }, "before or after itself"],
      [{ section_gid: "s", name: "x" }, "section_gid: must be an Asana gid"],
    ]);
  });

  it("refuses to move relative to a section of another project, before writing", async () => {
    const h = await hs.start(PAT_AND_BOT, withOutsideSection());
    const error = errorOf(
      await h.call("update_section", { section_gid: todo, before_section_gid: OUTSIDE_SECTION }),
    );
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("a section moves only within its project");
    expect(writes(h)).toEqual([]);
    // The sandbox refuses it too, as the spec says: "Sections cannot be moved between projects."
    const res = await fetch(`${h.baseUrl}/projects/${DEMO_PROJECT_GID}/sections/insert`, {
      method: "POST",
      headers: { authorization: "Bearer sandbox-pat-ada-lovelace", "content-type": "application/json" },
      body: JSON.stringify({ data: { section: todo, before_section: OUTSIDE_SECTION } }),
    });
    expect(res.status).toBe(400);
  });

  it("names the section's absence", async () => {
    const h = await hs.start();
    expect(errorOf(await h.call("update_section", { section_gid: UNKNOWN_GID, name: "x" })).code).toBe(
      "not_found",
    );
  });

  it("ASANA_PROJECTS: a section of an outside project is refused, also as the anchor's owner", async () => {
    const h = await hs.start({ ...ADA_WRITES, ASANA_PROJECTS: DEMO_PROJECT_GID }, withOutsideSection());
    const error = errorOf(await h.call("update_section", { section_gid: OUTSIDE_SECTION, name: "Renamed" }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain(`section ${OUTSIDE_SECTION} is in project ${OTHER_PROJECT}`);
    expect(writes(h)).toEqual([]);
  });
});

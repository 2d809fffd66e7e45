import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, demoData } from "../../src/sandbox/demo-data.js";
import { errorOf } from "../helpers/harness.js";
import {
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

describe("create_section", () => {
  it("adds a section at the end of a project, as the bot", async () => {
    const h = await hs.start();
    const out = await h.call("create_section", { project_gid: DEMO_PROJECT_GID, name: "Blocked" });
    expect(out.isError, out.text).toBe(false);
    const section = h.fake.sectionsOf(DEMO_PROJECT_GID).at(-1);
    expect(section?.name).toBe("Blocked");
    expect(out.body).toEqual({ section, acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" } });
    expect(writes(h).map((r) => [r.path, r.body, r.userGid])).toEqual([
      [`/projects/${DEMO_PROJECT_GID}/sections`, { data: { name: "Blocked" } }, BOT_GID],
    ]);
  });

  it("settles an uncertain create by reading the sections back: one section", async () => {
    const h = await hs.start();
    h.fake.inject({ method: "POST", path: `/projects/${DEMO_PROJECT_GID}/sections`, type: "reset-after" });
    const out = await h.call("create_section", { project_gid: DEMO_PROJECT_GID, name: "Blocked" });
    expect(out.body).toMatchObject({ section: { name: "Blocked" }, verified_after_uncertain_failure: true });
    expect(h.fake.sectionsOf(DEMO_PROJECT_GID).filter((s) => s.name === "Blocked")).toHaveLength(1);
    expect(writes(h)).toHaveLength(1);
  });

  it("finds its section past the first page of a long project's sections", async () => {
    const data = demoData();
    for (let i = 0; i < 120; i++) {
      const gid = `12079${String(i).padStart(11, "0")}`;
      data.world?.sections?.push({ gid, name: `Sprint ${i}`, project: DEMO_PROJECT_GID });
    }
    const h = await hs.start(PAT_AND_BOT, data);
    h.fake.inject({ method: "POST", path: `/projects/${DEMO_PROJECT_GID}/sections`, type: "reset-after" });
    const out = await h.call("create_section", { project_gid: DEMO_PROJECT_GID, name: "Sprint 121" });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({
      section: { name: "Sprint 121" },
      verified_after_uncertain_failure: true,
    });
    expect(h.fake.sectionsOf(DEMO_PROJECT_GID).filter((s) => s.name === "Sprint 121")).toHaveLength(1);
    expect(writes(h)).toHaveLength(1);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "create_section", [
      [{ project_gid: DEMO_PROJECT_GID, name: "   " }, "name"],
      [{ project_gid: DEMO_PROJECT_GID }, "name"],
      [{ project_gid: "p1", name: "x" }, "project_gid: must be an Asana gid"],
    ]);
  });

  it("names the acting identity when the project is unknown", async () => {
    const h = await hs.start();
    const error = errorOf(await h.call("create_section", { project_gid: UNKNOWN_GID, name: "x" }));
    expect(error.code).toBe("not_found");
    expect(error.message).toContain(BOT);
    expect(writes(h)).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID } from "../../src/sandbox/demo-data.js";
import { errorOf } from "../helpers/harness.js";
import {
  ADA_GID,
  ADA_WRITES,
  BOT,
  BOT_GID,
  expectRefused,
  harnesses,
  UNKNOWN_GID,
  writes,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

/** An Acme project other than the demo project. */
const OTHER_PROJECT = "1204000000000002";

describe("update_project", () => {
  it("changes the fields given, as the bot, and only those", async () => {
    const h = await hs.start();
    const out = await h.call("update_project", {
      project_gid: DEMO_PROJECT_GID,
      name: "Q3 Launch (renamed)",
      owner: "me",
      start_on: "2026-07-01",
      due_on: "2026-09-30",
      color: "light-blue",
      privacy: "private",
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({
      project: {
        gid: DEMO_PROJECT_GID,
        name: "Q3 Launch (renamed)",
        owner: ADA_GID,
        start_on: "2026-07-01",
        due_on: "2026-09-30",
        color: "light-blue",
        privacy: "private",
      },
      changed: ["name", "owner", "start_on", "due_on", "color", "privacy"],
      acting_as: { gid: BOT_GID, kind: "bot" },
    });
    expect(writes(h).map((r) => [r.method, r.path, r.body, r.userGid])).toEqual([
      [
        "PUT",
        `/projects/${DEMO_PROJECT_GID}`,
        {
          data: {
            name: "Q3 Launch (renamed)",
            owner: ADA_GID,
            start_on: "2026-07-01",
            due_on: "2026-09-30",
            color: "light-blue",
            privacy_setting: "private",
          },
        },
        BOT_GID,
      ],
    ]);
    expect(h.fake.project(DEMO_PROJECT_GID)).toMatchObject({ owner: ADA_GID, privacy: "private" });
  });

  it("archives and clears dates (due_on with start_on, as Asana asks)", async () => {
    const h = await hs.start();
    await h.call("update_project", {
      project_gid: DEMO_PROJECT_GID,
      start_on: "2026-07-01",
      due_on: "2026-08-01",
    });
    const out = await h.call("update_project", {
      project_gid: DEMO_PROJECT_GID,
      start_on: null,
      due_on: null,
      archived: true,
    });
    expect(out.isError, out.text).toBe(false);
    expect(h.fake.project(DEMO_PROJECT_GID)).toMatchObject({ archived: true, startOn: null, dueOn: null });
  });

  it("refuses an empty update and the spec's date rules before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "update_project", [
      [{ project_gid: DEMO_PROJECT_GID }, "nothing to change"],
      [{ project_gid: DEMO_PROJECT_GID, start_on: "2026-07-01" }, "give due_on too"],
      [{ project_gid: DEMO_PROJECT_GID, start_on: null }, "give due_on too"],
      [
        { project_gid: DEMO_PROJECT_GID, start_on: "2026-07-01", due_on: "2026-07-01" },
        "cannot be the same date",
      ],
      [{ project_gid: DEMO_PROJECT_GID, color: "pink" }, "color"],
      [{ project_gid: DEMO_PROJECT_GID, default_view: "board" }, 'unknown argument "default_view"'],
      [{ project_gid: "p1", name: "x" }, "project_gid: must be an Asana gid"],
    ]);
  });

  it("the sandbox refuses a due date before the start date already set, and changes nothing", async () => {
    const h = await hs.start();
    await h.call("update_project", {
      project_gid: DEMO_PROJECT_GID,
      start_on: "2026-07-01",
      due_on: "2026-08-01",
    });
    const error = errorOf(
      await h.call("update_project", { project_gid: DEMO_PROJECT_GID, due_on: "2026-06-01" }),
    );
    expect(error.code).toBe("asana_bad_request");
    expect(error.message).toContain("start_on must be before due_on");
    expect(h.fake.project(DEMO_PROJECT_GID)).toMatchObject({ startOn: "2026-07-01", dueOn: "2026-08-01" });
  });

  it("settles an uncertain PUT by sending it again: the same result, applied once", async () => {
    const h = await hs.start();
    h.fake.inject({ method: "PUT", path: `/projects/${DEMO_PROJECT_GID}`, type: "reset-after" });
    const out = await h.call("update_project", { project_gid: DEMO_PROJECT_GID, notes: "Settled notes." });
    expect(out.isError, out.text).toBe(false);
    expect(writes(h).map((r) => r.status)).toEqual([0, 200]);
    expect(h.fake.project(DEMO_PROJECT_GID)?.notes).toBe("Settled notes.");
  });

  it("names the acting identity when the project is unknown", async () => {
    const h = await hs.start();
    const error = errorOf(await h.call("update_project", { project_gid: UNKNOWN_GID, name: "x" }));
    expect(error.code).toBe("not_found");
    expect(error.message).toContain(BOT);
  });

  it("ASANA_PROJECTS: a project outside the list is refused, one inside is changed", async () => {
    const h = await hs.start({ ...ADA_WRITES, ASANA_PROJECTS: DEMO_PROJECT_GID });
    const error = errorOf(await h.call("update_project", { project_gid: OTHER_PROJECT, archived: true }));
    expect(error.code).toBe("policy_denied");
    expect(h.fake.project(OTHER_PROJECT)?.archived).toBe(false);
    const out = await h.call("update_project", { project_gid: DEMO_PROJECT_GID, name: "Inside" });
    expect(out.isError, out.text).toBe(false);
    expect(writes(h)).toHaveLength(1);
  });
});

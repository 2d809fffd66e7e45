import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, SIDE_PROJECT_TASK_GID } from "../../src/sandbox/demo-data.js";
import { errorOf } from "../helpers/harness.js";
import { ADA, BOT, BOT_ONLY, expectRefused, harnesses, sent, UNKNOWN_GID } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

describe("get_project", () => {
  // The custom field settings come with the project (opt_fields): three reads, not four.
  it("shows a project's sections, custom fields and latest status updates", async () => {
    const h = await hs.start();
    const p = await h.call("get_project", { project_gid: DEMO_PROJECT_GID });
    expect(p.isError, p.text).toBe(false);
    expect(p.body.project).toMatchObject({
      gid: DEMO_PROJECT_GID,
      name: "Q3 Product Launch",
      team: "Marketing",
      sections: h.fake.sectionsOf(DEMO_PROJECT_GID),
      custom_fields: expect.arrayContaining([
        expect.objectContaining({ name: "Priority", type: "enum", options: ["High", "Medium", "Low"] }),
        expect.objectContaining({ name: "Estimate (h)", type: "number" }),
      ]),
      status_updates: [expect.objectContaining({ status: "on_track", title: "Launch prep, week 1" })],
    });
    expect(
      sent(h)
        .map((r) => r.path)
        .sort(),
    ).toEqual(
      [`/projects/${DEMO_PROJECT_GID}`, `/projects/${DEMO_PROJECT_GID}/sections`, "/status_updates"].sort(),
    );
  });

  it("names the identity when a project is unknown or forbidden", async () => {
    const h = await hs.start();
    const missing = errorOf(await h.call("get_project", { project_gid: UNKNOWN_GID }));
    expect(missing.code).toBe("not_found");
    expect(missing.message).toContain(ADA);

    const bot = await hs.start(BOT_ONLY);
    const sideProject = bot.fake.task(SIDE_PROJECT_TASK_GID)?.projects[0] ?? "";
    const forbidden = errorOf(await bot.call("get_project", { project_gid: sideProject }));
    expect(forbidden.code).toBe("forbidden");
    expect(forbidden.message).toContain(BOT);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "get_project", [
      [{}, "project_gid"],
      [{ project_gid: "Q3" }, "project_gid: must be an Asana gid"],
      [{ project_gid: DEMO_PROJECT_GID, fields: "all" }, 'unknown argument "fields"'],
    ]);
  });
});

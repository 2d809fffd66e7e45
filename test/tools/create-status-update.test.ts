import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID } from "../../src/sandbox/demo-data.js";
import { errorOf } from "../helpers/harness.js";
import { BOT, BOT_GID, expectRefused, harnesses, UNKNOWN_GID, writes } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

const update = {
  project_gid: DEMO_PROJECT_GID,
  status: "at_risk",
  title: "Week 2",
  text: "Room not booked.",
};

describe("create_status_update", () => {
  it("posts a status update on a project, as the bot", async () => {
    const h = await hs.start();
    const out = await h.call("create_status_update", update);
    expect(out.isError, out.text).toBe(false);
    const [latest] = h.fake.statusUpdatesOf(DEMO_PROJECT_GID);
    expect(latest).toMatchObject({
      title: "Week 2",
      text: "Room not booked.",
      statusType: "at_risk",
      createdBy: BOT_GID,
    });
    expect(out.body).toEqual({
      status_update: { gid: latest?.gid, status: "at_risk", title: "Week 2", at: latest?.createdAt },
      acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" },
    });
    expect(writes(h).map((r) => [r.path, r.body])).toEqual([
      [
        "/status_updates",
        {
          data: {
            parent: DEMO_PROJECT_GID,
            status_type: "at_risk",
            title: "Week 2",
            text: "Room not booked.",
          },
        },
      ],
    ]);
  });

  it("settles an uncertain create by reading the status updates back: one update", async () => {
    const h = await hs.start();
    h.fake.inject({ method: "POST", path: "/status_updates", type: "reset-after" });
    const out = await h.call("create_status_update", update);
    expect(out.body).toMatchObject({
      status_update: { title: "Week 2" },
      verified_after_uncertain_failure: true,
    });
    expect(h.fake.statusUpdatesOf(DEMO_PROJECT_GID).filter((s) => s.title === "Week 2")).toHaveLength(1);
    expect(writes(h)).toHaveLength(1);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "create_status_update", [
      [{ ...update, status: "green" }, "status"],
      [{ ...update, title: " " }, "title"],
      [{ ...update, text: undefined }, "text"],
    ]);
  });

  it("names the acting identity when the project is unknown", async () => {
    const h = await hs.start();
    const error = errorOf(await h.call("create_status_update", { ...update, project_gid: UNKNOWN_GID }));
    expect(error.code).toBe("not_found");
    expect(error.message).toContain(BOT);
  });
});

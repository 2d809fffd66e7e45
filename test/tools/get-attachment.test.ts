import { afterEach, describe, expect, it } from "vitest";
import { DEMO_TASK_GID } from "../../src/sandbox/demo-data.js";
import { DEMO_ATTACHMENT_GID } from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import { ADA, ADA_GID, expectRefused, harnesses, sent, UNKNOWN_GID } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

describe("get_attachment", () => {
  it("shows an attachment with its download URL and the task it is on", async () => {
    const h = await hs.start();
    const file = await h.call("get_attachment", { attachment_gid: DEMO_ATTACHMENT_GID });
    expect(file.isError, file.text).toBe(false);
    expect(file.body.attachment).toMatchObject({
      gid: DEMO_ATTACHMENT_GID,
      name: "launch-checklist.pdf",
      size: 48_213,
      download_url: expect.stringMatching(/^https?:\/\//),
      parent: { gid: DEMO_TASK_GID, name: "Prepare the Q3 launch checklist" },
    });
    expect(sent(h).map((r) => [r.method, r.path, r.userGid])).toEqual([
      ["GET", `/attachments/${DEMO_ATTACHMENT_GID}`, ADA_GID],
    ]);
  });

  it("names the identity when the attachment is unknown", async () => {
    const h = await hs.start();
    const error = errorOf(await h.call("get_attachment", { attachment_gid: UNKNOWN_GID }));
    expect(error.code).toBe("not_found");
    expect(error.message).toContain(ADA);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "get_attachment", [
      [{}, "attachment_gid"],
      [{ attachment_gid: "1/2" }, "attachment_gid: must be an Asana gid"],
    ]);
  });
});

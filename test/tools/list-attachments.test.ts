// list_attachments through the MCP client against the sandbox: a task's or a project's attachments,
// paged with cursors bound to their parent, within the allow-lists, bad input refused before any request.
import { afterEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SIDE_PROJECT_TASK_GID,
} from "../../src/sandbox/demo-data.js";
import { DEMO_ATTACHMENT_GID } from "../../src/sandbox/demo-world.js";
import { errorOf, type Harness } from "../helpers/harness.js";
import { ACME, ADA_GID, ADA_WRITES, expectRefused, harnesses, sent } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

async function attachLink(h: Harness, parent: Record<string, string>, url: string): Promise<string> {
  const r = await h.call("upload_attachment", { ...parent, url, name: url.slice(-6) });
  expect(r.isError, r.text).toBe(false);
  return (r.body.attachment as { gid: string }).gid;
}

describe("list_attachments", () => {
  it("lists a task's attachments with their details, in one request", async () => {
    const h = await hs.start();
    const r = await h.call("list_attachments", { task_gid: DEMO_TASK_GID });
    expect(r.isError, r.text).toBe(false);
    expect(r.body).toEqual({
      parent_gid: DEMO_TASK_GID,
      attachments: [
        expect.objectContaining({ gid: DEMO_ATTACHMENT_GID, name: "launch-checklist.pdf", size: 48_213 }),
      ],
      next_cursor: null,
    });
    expect(sent(h).map((q) => [q.method, q.path, q.userGid])).toEqual([["GET", "/attachments", ADA_GID]]);
  });

  it("lists a project's attachments, a page at a time, with a cursor bound to the project", async () => {
    const h = await hs.start(ADA_WRITES);
    const first = await attachLink(h, { project_gid: DEMO_PROJECT_GID }, "https://example.com/brief1");
    const second = await attachLink(h, { project_gid: DEMO_PROJECT_GID }, "https://example.com/brief2");
    const page1 = await h.call("list_attachments", { project_gid: DEMO_PROJECT_GID, limit: 1 });
    expect(page1.isError, page1.text).toBe(false);
    expect(page1.body.attachments).toEqual([
      expect.objectContaining({ gid: first, name: "brief1", type: "external" }),
    ]);
    const cursor = page1.body.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    const page2 = await h.call("list_attachments", { project_gid: DEMO_PROJECT_GID, limit: 1, cursor });
    expect(page2.body.attachments).toEqual([expect.objectContaining({ gid: second })]);
    // The task's attachments are not the project's, and its cursor is not the task's.
    const task = await h.call("list_attachments", { task_gid: DEMO_TASK_GID });
    expect(JSON.stringify(task.body)).not.toContain(first);
    const misused = errorOf(await h.call("list_attachments", { task_gid: DEMO_TASK_GID, limit: 1, cursor }));
    expect(misused.code).toBe("invalid_input");
  });

  it("keeps to ASANA_PROJECTS and ASANA_WORKSPACES: a task or project outside, however named, is refused", async () => {
    const side = String(demoData().tasks?.find((t) => t.gid === SIDE_PROJECT_TASK_GID)?.projects?.[0]);
    const outside = [
      { task_gid: SIDE_PROJECT_TASK_GID },
      { task_gid: `https://app.asana.com/0/${DEMO_PROJECT_GID}/${SIDE_PROJECT_TASK_GID}` },
      { project_gid: side },
      { project_gid: `https://app.asana.com/0/${side}/list` },
    ];
    for (const env of [
      { ...ADA_WRITES, ASANA_PROJECTS: DEMO_PROJECT_GID },
      { ...ADA_WRITES, ASANA_WORKSPACES: ACME },
    ]) {
      const h = await hs.start(env);
      for (const args of outside) {
        const error = errorOf(await h.call("list_attachments", args));
        expect(error.code, JSON.stringify({ env, args })).toBe("policy_denied");
      }
      expect(sent(h).filter((q) => q.path === "/attachments")).toEqual([]);
      const inside = await h.call("list_attachments", { project_gid: DEMO_PROJECT_GID });
      expect(inside.isError, inside.text).toBe(false);
    }
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "list_attachments", [
      [{}, "give exactly one of task_gid or project_gid"],
      [
        { task_gid: DEMO_TASK_GID, project_gid: DEMO_PROJECT_GID },
        "give exactly one of task_gid or project_gid",
      ],
      [{ task_gid: "12/3" }, "task_gid"],
      [{ task_gid: DEMO_TASK_GID, limit: 0 }, "limit"],
      [{ task_gid: DEMO_TASK_GID, cursor: "not-a-cursor" }, "cursor"],
    ]);
  });
});

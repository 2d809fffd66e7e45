import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, demoData } from "../../src/sandbox/demo-data.js";
import { DEMO_SECTION_GIDS } from "../../src/sandbox/demo-world.js";
import type { ToolContext } from "../../src/tools/define.js";
import { deleteSection } from "../../src/tools/delete-section.js";
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

// The delete itself runs without a human's confirmation in these tests.
const env = { ...PAT_AND_BOT, ASANA_CONFIRM: "off" };
const OTHER_PROJECT = "1204000000000002";
const OUTSIDE_SECTION = "1207000000000099";
const EMPTY = "1207000000000098";

function data() {
  const d = demoData();
  d.world?.sections?.push(
    { gid: EMPTY, name: "Parking lot", project: DEMO_PROJECT_GID },
    { gid: OUTSIDE_SECTION, name: "Elsewhere", project: OTHER_PROJECT },
  );
  return d;
}

describe("delete_section", () => {
  it("deletes an empty section, as the bot", async () => {
    const h = await hs.start(env, data());
    const out = await h.call("delete_section", { section_gid: EMPTY });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toEqual({
      deleted: EMPTY,
      name: "Parking lot",
      project: { gid: DEMO_PROJECT_GID, name: "Q3 Product Launch" },
      acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" },
    });
    expect(h.fake.sectionsOf(DEMO_PROJECT_GID).map((s) => s.gid)).not.toContain(EMPTY);
    expect(writes(h).map((r) => [r.method, r.path, r.userGid])).toEqual([
      ["DELETE", `/sections/${EMPTY}`, BOT_GID],
    ]);
  });

  it("refuses a section with tasks, saying how many and what to do, and deletes nothing", async () => {
    const h = await hs.start(env, data());
    const error = errorOf(await h.call("delete_section", { section_gid: DEMO_SECTION_GIDS.doing }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toMatch(/Section "In progress" .* holds 1 task; Asana deletes only empty sections/);
    expect(error.hint).toContain('move_task (action "to_section")');
    expect(writes(h)).toEqual([]);
    // Moved out, it goes.
    const task = "1205000000000001";
    const moved = await h.call("move_task", { task_gid: task, action: "to_section", section_gid: EMPTY });
    expect(moved.isError, moved.text).toBe(false);
    const out = await h.call("delete_section", { section_gid: DEMO_SECTION_GIDS.doing });
    expect(out.isError, out.text).toBe(false);
  });

  it("refuses a project's last section; the sandbox refuses both as Asana does", async () => {
    const h = await hs.start(env);
    const made = await h.call("create_project", { team_gid: "1203000000000002", name: "One section" });
    const gid = (made.body.project as { gid: string }).gid;
    const [only] = h.fake.sectionsOf(gid);
    const error = errorOf(await h.call("delete_section", { section_gid: only?.gid ?? "" }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("last section");
    expect(writes(h).filter((r) => r.method === "DELETE")).toEqual([]);
    for (const section of [only?.gid, DEMO_SECTION_GIDS.todo]) {
      const res = await fetch(`${h.baseUrl}/sections/${section}`, {
        method: "DELETE",
        headers: { authorization: "Bearer sandbox-pat-ada-lovelace" },
      });
      expect(res.status).toBe(400);
    }
    expect(h.fake.sectionsOf(gid)).toHaveLength(1);
  });

  it("settles an uncertain delete by sending it again: a 404 then means it was deleted", async () => {
    const h = await hs.start(env, data());
    h.fake.inject({ method: "DELETE", type: "reset-after" });
    const out = await h.call("delete_section", { section_gid: EMPTY });
    expect(out.isError, out.text).toBe(false);
    expect(writes(h).map((r) => r.status)).toEqual([0, 404]);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start(env);
    await expectRefused(h, "delete_section", [
      [{}, "section_gid"],
      [{ section_gid: "x" }, "section_gid: must be an Asana gid"],
      [{ section_gid: EMPTY, force: true }, 'unknown argument "force"'],
    ]);
  });

  it("names a missing section", async () => {
    const h = await hs.start(env);
    expect(errorOf(await h.call("delete_section", { section_gid: UNKNOWN_GID })).code).toBe("not_found");
  });

  it("previews the section, its project and its task count with GETs only", async () => {
    const h = await hs.start(env, data());
    const preview = deleteSection.confirm?.preview;
    if (!preview) throw new Error("delete_section has no preview");
    // The parts of a tool's context a preview uses: the client, the acting identity, the signal.
    const context = {
      asana: h.asana,
      resolver: h.resolver,
      identity: h.resolver.forRoute("write"),
      signal: new AbortController().signal,
    } as unknown as ToolContext;
    const before = h.fake.requests.length;
    // A section Asana would refuse to delete is refused at the preview: no one confirms a refused delete.
    await expect(preview({ section_gid: DEMO_SECTION_GIDS.todo }, context)).rejects.toThrow(
      /holds \d+ tasks?; Asana deletes only empty sections/,
    );
    const empty = await preview({ section_gid: EMPTY }, context);
    expect(empty).toEqual({
      summary: `Delete the empty section "Parking lot" (${EMPTY}) of project "Q3 Product Launch" (${DEMO_PROJECT_GID}).`,
      changes: [
        {
          gid: EMPTY,
          name: "Parking lot",
          project: { gid: DEMO_PROJECT_GID, name: "Q3 Product Launch" },
          tasks: 0,
          change: "deleted",
        },
      ],
    });
    const made = h.fake.requests.slice(before);
    expect(made.length).toBeGreaterThan(0);
    expect(made.every((r) => r.method === "GET" && r.userGid === BOT_GID)).toBe(true);
    expect(h.fake.sectionsOf(DEMO_PROJECT_GID).map((s) => s.gid)).toContain(EMPTY);
  });

  it("through the server: a preview and a token, nothing deleted until the token comes back", async () => {
    const h = await hs.start(PAT_AND_BOT, data());
    const first = await h.call("delete_section", { section_gid: EMPTY });
    expect(first.isError, first.text).toBe(false);
    const pending = first.body as { confirmation_token: string; preview: { summary: string } };
    expect(pending.preview.summary).toBe(
      `Delete the empty section "Parking lot" (${EMPTY}) of project "Q3 Product Launch" (${DEMO_PROJECT_GID}).`,
    );
    expect(writes(h)).toEqual([]);
    expect(h.fake.sectionsOf(DEMO_PROJECT_GID).map((s) => s.gid)).toContain(EMPTY);
    const done = await h.call("delete_section", {
      section_gid: EMPTY,
      confirmation_token: pending.confirmation_token,
    });
    expect(done.body).toMatchObject({ deleted: EMPTY });
    expect(h.fake.sectionsOf(DEMO_PROJECT_GID).map((s) => s.gid)).not.toContain(EMPTY);
    // A section with tasks is refused at once, with no one asked to confirm.
    const refused = errorOf(await h.call("delete_section", { section_gid: DEMO_SECTION_GIDS.doing }));
    expect(refused.code).toBe("invalid_input");
    expect(writes(h).map((r) => r.method)).toEqual(["DELETE"]);
  });

  it("ASANA_PROJECTS: a section of an outside project is refused and kept", async () => {
    const h = await hs.start(
      { ...ADA_WRITES, ASANA_CONFIRM: "off", ASANA_PROJECTS: DEMO_PROJECT_GID },
      data(),
    );
    const error = errorOf(await h.call("delete_section", { section_gid: OUTSIDE_SECTION }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain(`section ${OUTSIDE_SECTION} is in project ${OTHER_PROJECT}`);
    expect(h.fake.sectionsOf(OTHER_PROJECT).map((s) => s.gid)).toContain(OUTSIDE_SECTION);
    expect(writes(h)).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, demoData, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf, type Harness } from "../helpers/harness.js";
import {
  ACME,
  ADA_WRITES,
  BOT,
  BOT_GID,
  expectRefused,
  harnesses,
  PAT_AND_BOT,
  SIDE,
  sent,
  writes,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

// The tags toolset on (once toolsets gate tools/list, it is off by default).
const TAGS_ON = { ASANA_TOOLSETS: "tasks,tags" };
const POST = { method: "POST", path: "/tags" } as const;

/** Makes a tag through Asana's API as Ada: someone else's tag, as far as the bot is concerned. */
async function adaMakes(h: Harness, data: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${h.baseUrl}/tags`, {
    method: "POST",
    headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}`, "content-type": "application/json" },
    body: JSON.stringify({ data }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { data: { gid: string } }).data.gid;
}

describe("create_tag", () => {
  it("creates a tag in the workspace, as the bot, sending exactly the fields given", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON });
    const out = await h.call("create_tag", {
      workspace_gid: ACME,
      name: "  needs review ",
      color: "light-blue",
      notes: "Waiting on a reviewer.",
    });
    expect(out.isError, out.text).toBe(false);
    const [made, ...more] = h.fake.tagsNamed(ACME, "needs review");
    expect(more).toEqual([]);
    expect(made).toMatchObject({ color: "light-blue", notes: "Waiting on a reviewer." });
    expect(out.body).toEqual({
      tag: {
        gid: made?.gid,
        name: "needs review",
        color: "light-blue",
        notes: "Waiting on a reviewer.",
        workspace_gid: ACME,
        url: `https://app.asana.com/0/${made?.gid}/list`,
      },
      acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" },
    });
    expect(writes(h).map((r) => [r.path, r.body, r.userGid])).toEqual([
      [
        "/tags",
        {
          data: {
            workspace: ACME,
            name: "needs review",
            color: "light-blue",
            notes: "Waiting on a reviewer.",
          },
        },
        BOT_GID,
      ],
    ]);
  });

  it("refuses a second tag of a name the workspace has, whatever its case, unless asked", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON });
    const error = errorOf(await h.call("create_tag", { workspace_gid: ACME, name: "Launch" }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toBe(
      `Workspace ${ACME} already has a tag named "Launch" (${DEMO_TAG_GIDS.launch} "launch").`,
    );
    expect(error.hint).toContain("allow_same_name");
    expect(writes(h)).toEqual([]);
    const out = await h.call("create_tag", { workspace_gid: ACME, name: "launch", allow_same_name: true });
    expect(out.isError, out.text).toBe(false);
    expect(h.fake.tagsNamed(ACME, "launch").map((t) => t.gid)).toEqual([
      DEMO_TAG_GIDS.launch,
      (out.body.tag as { gid: string }).gid,
    ]);
  });

  it.each([
    ["in full-width letters", "\uff4c\uff41\uff55\uff4e\uff43\uff48"],
    ["with a zero-width space", "laun\u200bch"],
    ["decomposed and composed alike", "Lau\u0308nch"],
  ])("refuses a name that only looks different %s", async (_label, name) => {
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON });
    if (name.includes("\u0308")) {
      // An existing "Laünch" (composed), asked for decomposed.
      await h.call("create_tag", { workspace_gid: ACME, name: "La\u00fcnch" });
    }
    const before = writes(h).length;
    const error = errorOf(await h.call("create_tag", { workspace_gid: ACME, name }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("already has a tag named");
    expect(writes(h).length).toBe(before);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON });
    await expectRefused(h, "create_tag", [
      [{ workspace_gid: ACME, name: "   " }, "name: must not be empty"],
      [{ workspace_gid: ACME }, "name"],
      [{ name: "x" }, "workspace_gid"],
      [{ workspace_gid: ACME, name: "x", color: "red" }, "color"],
      [{ workspace_gid: ACME, name: "x", color: null }, "color"],
      [{ workspace_gid: ACME, name: "x", followers: ["me"] }, "followers"],
      [{ workspace_gid: "Acme Corp", name: "x" }, "workspace_gid: must be an Asana gid"],
      [{ workspace_gid: ACME, name: "x".repeat(1025) }, "name: must be at most 1024 characters"],
      [
        { workspace_gid: ACME, name: "laun\u0000ch" },
        "name: must not hold control or bidirectional characters",
      ],
      [
        { workspace_gid: ACME, name: "\u202eLaunch" },
        "name: must not hold control or bidirectional characters",
      ],
      [
        { workspace_gid: ACME, name: "two\u2028lines" },
        "name: must not hold control or bidirectional characters",
      ],
      [
        { workspace_gid: ACME, name: "half \ud83d" },
        "name: must not hold control or bidirectional characters",
      ],
    ]);
  });

  it("takes names in any script: emoji joined by ZWJ, Arabic, Hebrew, accents", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON });
    for (const name of [
      "\u{1f469}\u200d\u{1f4bb} Devs",
      "\u0639\u0627\u062c\u0644",
      "\u05d3\u05d7\u05d5\u05e3",
      "Cafe\u0301 cre\u0300me",
      "\u{1f1eb}\u{1f1f7} launch",
    ]) {
      const out = await h.call("create_tag", { workspace_gid: ACME, name });
      expect(out.isError, `${JSON.stringify(name)}: ${out.text}`).toBe(false);
    }
  });

  it("names the acting identity when Asana refuses the workspace (the bot is not in Side Projects)", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON });
    const error = errorOf(await h.call("create_tag", { workspace_gid: SIDE, name: "x" }));
    expect(error.code).toBe("forbidden");
    expect(error.message).toContain(BOT);
    expect(writes(h)).toEqual([]);
  });
});

describe("create_tag settles an uncertain failure without doubling the tag", () => {
  const env = { ...PAT_AND_BOT, ...TAGS_ON, ASANA_TIMEOUT_MS: "10000" };

  it("a create that landed (connection reset after sending) is found: one tag, reported once", async () => {
    const h = await hs.start(env);
    h.fake.setReadLag(2_000);
    h.fake.inject({ ...POST, type: "reset-after" });
    const out = await h.call("create_tag", { workspace_gid: ACME, name: "flaky", color: "dark-teal" });
    expect(out.isError, out.text).toBe(false);
    const made = h.fake.tagsNamed(ACME, "flaky");
    expect(made).toHaveLength(1);
    expect(out.body).toMatchObject({
      tag: { gid: made[0]?.gid, name: "flaky", color: "dark-teal", workspace_gid: ACME },
      verified_after_uncertain_failure: true,
    });
    expect(writes(h)).toHaveLength(1);
  });

  it("a create that never reached Asana is reported not created, and a retry makes one", async () => {
    const h = await hs.start(env);
    h.fake.inject({ ...POST, type: "reset-before" });
    const error = errorOf(await h.call("create_tag", { workspace_gid: ACME, name: "lost" }));
    expect(error.code).toBe("write_not_applied");
    expect(h.fake.tagsNamed(ACME, "lost")).toEqual([]);
    const retry = await h.call("create_tag", { workspace_gid: ACME, name: "lost" });
    expect(retry.isError, retry.text).toBe(false);
    expect(h.fake.tagsNamed(ACME, "lost")).toHaveLength(1);
  });

  it("someone else's identical tag made the moment before the call is not taken for it", async () => {
    const h = await hs.start(env);
    // Within the clock margin of the call, so only the listing taken before sending tells it apart.
    const theirs = await adaMakes(h, { workspace: ACME, name: "standup", color: "light-green" });
    h.fake.inject({ ...POST, type: "reset-before" });
    const outcome = await h.call("create_tag", {
      workspace_gid: ACME,
      name: "standup",
      color: "light-green",
      allow_same_name: true,
    });
    expect(errorOf(outcome).code).toBe("write_not_applied");
    expect(outcome.text).not.toContain(theirs);
    expect(h.fake.tagsNamed(ACME, "standup").map((t) => t.gid)).toEqual([theirs]);
  });
});

describe("create_tag under the allow-lists", () => {
  it("ASANA_WORKSPACES: a tag in an allowed workspace is made; in another, refused before any request", async () => {
    const h = await hs.start({ ...ADA_WRITES, ...TAGS_ON, ASANA_WORKSPACES: ACME });
    const before = sent(h).length;
    const error = errorOf(await h.call("create_tag", { workspace_gid: SIDE, name: "outside" }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(`workspace ${SIDE} is not one ASANA_WORKSPACES allows (${ACME}).`);
    expect(sent(h).length).toBe(before);
    expect(h.fake.tagsNamed(SIDE, "outside")).toEqual([]);
    const out = await h.call("create_tag", { workspace_gid: ACME, name: "inside" });
    expect(out.isError, out.text).toBe(false);
  });

  it("ASANA_PROJECTS: a tag is a workspace-wide object outside every project, so it is refused", async () => {
    const h = await hs.start({ ...ADA_WRITES, ...TAGS_ON, ASANA_PROJECTS: DEMO_PROJECT_GID });
    const before = sent(h).length;
    const error = errorOf(await h.call("create_tag", { workspace_gid: ACME, name: "inside?" }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(
      `create_tag works across workspace ${ACME}, and ASANA_PROJECTS limits this server to projects ${DEMO_PROJECT_GID}.`,
    );
    expect(sent(h).length).toBe(before);
  });

  it("a long workspace: its tags are read past the first page, and a tag there by name is still refused", async () => {
    const data = demoData();
    for (let i = 0; i < 150; i++) {
      data.world?.tags?.push({ gid: `12089${String(i).padStart(11, "0")}`, name: `t${i}`, workspace: ACME });
    }
    const h = await hs.start({ ...PAT_AND_BOT, ...TAGS_ON }, data);
    const error = errorOf(await h.call("create_tag", { workspace_gid: ACME, name: "T149" }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain(`(1208900000000149 "t149")`);
    expect(writes(h)).toEqual([]);
  });
});

import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, demoData, SANDBOX_USER_GIDS } from "../../src/sandbox/demo-data.js";
import { errorOf, startHarness } from "../helpers/harness.js";
import {
  ACME,
  ADA_GID,
  ADA_WRITES,
  BOT_GID,
  expectRefused,
  harnesses,
  SIDE,
  writes,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

const ALAN = "1201000000000006";
/** A Side Projects project (Ada and Grace only). */
const SIDE_PROJECT = demoData().projects?.find((p) => p.workspace === SIDE)?.gid ?? "";

/** The OAuth scopes the README's tool table names for a tool (its last column's `code` spans). */
function readmeScopes(tool: string): string[] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const row = readme.split("\n").find((line) => line.startsWith(`| \`${tool}\` `));
  const cells = row?.split("|") ?? [];
  return [...(cells[cells.length - 2] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
}

describe("project_members and list_project_members", () => {
  it('adds users by gid, email and "me" (the person, not the bot), then lists them', async () => {
    const h = await hs.start();
    const out = await h.call("project_members", {
      project_gid: DEMO_PROJECT_GID,
      action: "add",
      users: [ALAN, "katherine@sandbox.example", "me"],
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({
      done: `the members now include ${ALAN}, katherine@sandbox.example, ${ADA_GID}`,
    });
    expect(writes(h).map((r) => [r.path, r.body, r.userGid])).toEqual([
      [
        `/projects/${DEMO_PROJECT_GID}/addMembers`,
        { data: { members: `${ALAN},katherine@sandbox.example,${ADA_GID}` } },
        BOT_GID,
      ],
    ]);
    const members = h.fake.project(DEMO_PROJECT_GID)?.members ?? [];
    expect(members).toEqual(expect.arrayContaining([ALAN, "1201000000000007", ADA_GID]));
    const before = h.fake.requests.length;
    const listed = await h.call("list_project_members", { project_gid: DEMO_PROJECT_GID, limit: 2 });
    expect(listed.isError, listed.text).toBe(false);
    expect((listed.body.members as unknown[]).length).toBe(2);
    // Listing is a read: it reads as the person, not as the bot that writes.
    expect(h.fake.requests.slice(before).map((r) => r.userGid)).toEqual([ADA_GID]);
    const next = await h.call("list_project_members", {
      project_gid: DEMO_PROJECT_GID,
      limit: 2,
      cursor: listed.body.next_cursor,
    });
    const all = [
      ...(listed.body.members as Array<{ gid: string }>),
      ...(next.body.members as Array<{ gid: string }>),
    ];
    expect(all.map((m) => m.gid)).toEqual(members);
    expect(all[0]).toMatchObject({ type: "user", access: "admin" });
  });

  it("ASANA_CONFIRM=writes asks a person before adding, never before listing, which changes nothing", async () => {
    const h = await hs.start({ ...ADA_WRITES, ASANA_CONFIRM: "writes" });
    const listed = await h.call("list_project_members", { project_gid: DEMO_PROJECT_GID });
    expect(listed.isError, listed.text).toBe(false);
    expect(listed.body).not.toHaveProperty("confirmation_required");
    expect((listed.body.members as unknown[]).length).toBeGreaterThan(0);
    const added = await h.call("project_members", {
      project_gid: DEMO_PROJECT_GID,
      action: "add",
      users: [ALAN],
    });
    expect(added.body).toMatchObject({ confirmation_required: true, nothing_changed: true });
    expect(writes(h)).toEqual([]);
  });

  it("lists members in read-only mode, where adding is refused", async () => {
    const h = await hs.start({ ...ADA_WRITES, ASANA_READ_ONLY: "true" });
    const listed = await h.call("list_project_members", { project_gid: DEMO_PROJECT_GID });
    expect(listed.isError, listed.text).toBe(false);
    expect((listed.body.members as unknown[]).length).toBeGreaterThan(0);
    const added = errorOf(
      await h.call("project_members", { project_gid: DEMO_PROJECT_GID, action: "add", users: [ALAN] }),
    );
    expect(added.code).toBe("policy_denied");
    expect(writes(h)).toEqual([]);
  });

  it.each([
    ["project_members", { project_gid: DEMO_PROJECT_GID, action: "add", users: [ALAN] }],
    ["list_project_members", { project_gid: DEMO_PROJECT_GID }],
  ] as const)(
    "%s works for an OAuth login granted the scopes the README names for it",
    async (tool, args) => {
      const h = await startHarness({ env: { ASANA_OAUTH_ACCESS_TOKEN: "readme-scopes" }, resolve: false });
      try {
        const scopes = readmeScopes(tool);
        expect(scopes.length).toBeGreaterThan(0);
        // users:read and workspaces:read: the identity's own resolution at start-up.
        h.fake.addToken({
          token: "readme-scopes",
          userGid: SANDBOX_USER_GIDS.oauth,
          kind: "oauth",
          oauthScopes: ["users:read", "workspaces:read", ...scopes],
        });
        await h.resolveIdentities();
        const out = await h.call(tool, { ...args });
        expect(out.isError, out.text).toBe(false);
      } finally {
        await h.close();
      }
    },
  );

  it("removes a member, and settles an uncertain remove by sending it again", async () => {
    const h = await hs.start();
    await h.call("project_members", { project_gid: DEMO_PROJECT_GID, action: "add", users: [ALAN] });
    h.fake.inject({
      method: "POST",
      path: `/projects/${DEMO_PROJECT_GID}/removeMembers`,
      type: "reset-after",
    });
    const out = await h.call("project_members", {
      project_gid: DEMO_PROJECT_GID,
      action: "remove",
      users: [ALAN],
    });
    expect(out.isError, out.text).toBe(false);
    expect(h.fake.project(DEMO_PROJECT_GID)?.members).not.toContain(ALAN);
    expect(out.body.done).toBe(`${ALAN} is not a member now`);
    expect(writes(h).map((r) => r.status)).toEqual([200, 0, 200]);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "project_members", [
      [{ project_gid: DEMO_PROJECT_GID, action: "add" }, "users"],
      [{ project_gid: DEMO_PROJECT_GID, action: "list" }, "action"],
      [{ project_gid: DEMO_PROJECT_GID, action: "add", users: ["Alan Turing"] }, "not a name"],
      [{ project_gid: DEMO_PROJECT_GID, action: "add", users: [] }, "users"],
      [{ project_gid: DEMO_PROJECT_GID, action: "invite", users: [ALAN] }, "action"],
    ]);
    await expectRefused(h, "list_project_members", [
      [{}, "project_gid"],
      [{ project_gid: DEMO_PROJECT_GID, users: [ALAN] }, "users"],
      [{ project_gid: DEMO_PROJECT_GID, cursor: "not-a-cursor" }, "cursor"],
    ]);
  });

  it("the sandbox refuses a user outside the project's workspace, as Asana would not add one", async () => {
    const h = await hs.start(ADA_WRITES);
    const error = errorOf(
      await h.call("project_members", { project_gid: SIDE_PROJECT, action: "add", users: [ALAN] }),
    );
    expect(error.code).toBe("asana_bad_request");
    expect(h.fake.project(SIDE_PROJECT)?.members).not.toContain(ALAN);
  });

  describe("the allow-lists", () => {
    it("refuses a user who is not a member of the project's workspace, before writing", async () => {
      const h = await hs.start({ ...ADA_WRITES, ASANA_WORKSPACES: `${ACME},${SIDE}` });
      const error = errorOf(
        await h.call("project_members", { project_gid: SIDE_PROJECT, action: "add", users: [ALAN] }),
      );
      expect(error.code).toBe("policy_denied");
      expect(error.message).toContain(`user ${ALAN} is not a member of workspace ${SIDE}`);
      expect(writes(h)).toEqual([]);
    });

    it("refuses a project outside ASANA_PROJECTS, for listing too", async () => {
      const h = await hs.start({ ...ADA_WRITES, ASANA_PROJECTS: DEMO_PROJECT_GID });
      expect(errorOf(await h.call("list_project_members", { project_gid: SIDE_PROJECT })).code).toBe(
        "policy_denied",
      );
      expect(
        errorOf(await h.call("project_members", { project_gid: SIDE_PROJECT, action: "add", users: ["me"] }))
          .code,
      ).toBe("policy_denied");
      expect(writes(h)).toEqual([]);
    });
  });
});

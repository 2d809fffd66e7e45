import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SCOPES } from "../../src/auth/oauth.js";
import { SANDBOX_TOKENS, SANDBOX_USER_GIDS } from "../../src/sandbox/demo-data.js";
import { DEMO_AGENT_GID, DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf, startHarness } from "../helpers/harness.js";
import { ACME, BOT, BOT_ONLY, expectRefused, harnesses, SIDE, sent } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

describe("list_workspace", () => {
  it("lists a workspace's users with emails, and its tags", async () => {
    const h = await hs.start();
    const users = await h.call("list_workspace", { of: "users", workspace_gid: ACME });
    expect(users.isError, users.text).toBe(false);
    expect(users.body.items).toContainEqual(
      expect.objectContaining({ name: "Acme Bot", email: expect.any(String) }),
    );
    const tags = await h.call("list_workspace", { of: "tags", workspace_gid: ACME, limit: 10 });
    expect(tags.body).toEqual({
      items: [
        { gid: DEMO_TAG_GIDS.launch, name: "launch" },
        { gid: DEMO_TAG_GIDS.blocked, name: "blocked" },
      ],
      next_cursor: null,
    });
    expect(sent(h).map((r) => [r.path, r.query.workspace, r.query.limit])).toEqual([
      ["/users", ACME, "100"],
      [`/workspaces/${ACME}/tags`, undefined, "10"],
    ]);
  });

  it("lists a workspace's AI teammates (agents)", async () => {
    const h = await hs.start();
    const agents = await h.call("list_workspace", { of: "agents", workspace_gid: ACME });
    expect(agents.isError, agents.text).toBe(false);
    expect(agents.body).toEqual({
      items: [{ gid: DEMO_AGENT_GID, name: "Launch Helper" }],
      next_cursor: null,
    });
    expect(sent(h).map((r) => r.path)).toEqual([`/workspaces/${ACME}/agents`]);
    const none = await h.call("list_workspace", { of: "agents", workspace_gid: SIDE });
    expect(none.body).toEqual({ items: [], next_cursor: null });
  });

  it("opts in to Asana's early-access agents endpoint, which the sandbox answers only so", async () => {
    const h = await hs.start();
    const bare = await fetch(`${h.baseUrl}/workspaces/${ACME}/agents`, {
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
    });
    expect(bare.status).toBe(400);
    expect(await bare.text()).toContain("Asana-Enable: ai_teammate_actors");
    const before = h.fake.requests.length;
    const agents = await h.call("list_workspace", { of: "agents", workspace_gid: ACME, limit: 1 });
    expect(agents.isError, agents.text).toBe(false);
    expect(h.fake.requests.slice(before).map((r) => [r.path, r.status])).toEqual([
      [`/workspaces/${ACME}/agents`, 200],
    ]);
  });

  it("tells an OAuth login granted fewer scopes how to sign in for the agents listing", async () => {
    const h = await startHarness({ env: { ASANA_OAUTH_ACCESS_TOKEN: "granular-login" }, resolve: false });
    try {
      // The scopes `asana-mcp auth login` asks for by default: none of them reaches the agents listing.
      h.fake.addToken({
        token: "granular-login",
        userGid: SANDBOX_USER_GIDS.oauth,
        kind: "oauth",
        oauthScopes: [...DEFAULT_SCOPES],
      });
      await h.resolveIdentities();
      expect((await h.call("list_workspace", { of: "tags", workspace_gid: ACME })).isError).toBe(false);
      const error = errorOf(await h.call("list_workspace", { of: "agents", workspace_gid: ACME }));
      expect(error.code).toBe("forbidden");
      expect(error.message).toContain("Grace Hopper (OAuth login, ASANA_OAUTH_ACCESS_TOKEN)");
      expect(error.message).toContain("requires scope default");
      expect(error.hint).toContain("asana-mcp auth login --scopes");
      expect(error.hint).not.toContain("share the project");
    } finally {
      await h.close();
    }
  });

  it("pages through users at the limit asked for", async () => {
    const h = await hs.start();
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await h.call("list_workspace", {
        of: "users",
        workspace_gid: ACME,
        limit: 1,
        ...(cursor ? { cursor } : {}),
      });
      const body = page.body as { items: Array<{ gid: string }>; next_cursor: string | null };
      expect(body.items).toHaveLength(1);
      for (const item of body.items) seen.add(item.gid);
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(cursor).toBeNull();
    expect(seen.size).toBe(pages);
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });

  it("lists teams in the identity's only workspace when none is given", async () => {
    const h = await hs.start(BOT_ONLY);
    const teams = await h.call("list_workspace", { of: "teams" });
    expect(teams.isError, teams.text).toBe(false);
    expect(teams.body.items).toContainEqual(expect.objectContaining({ name: "Marketing" }));
    expect(sent(h).map((r) => r.path)).toEqual([`/workspaces/${ACME}/teams`]);
  });

  it("names the identity when the workspace is forbidden", async () => {
    const h = await hs.start(BOT_ONLY);
    const error = errorOf(await h.call("list_workspace", { of: "tags", workspace_gid: SIDE }));
    expect(error.code).toBe("forbidden");
    expect(error.message).toContain(BOT);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "list_workspace", [
      [{ of: "users" }, "workspace_gid is required: Ada Lovelace sees 2 workspaces"],
      [{ of: "projects", workspace_gid: ACME }, "of"],
      [{ of: "tags", workspace_gid: ACME, cursor: "%%" }, "cursor: must be a next_cursor value"],
    ]);
  });
});

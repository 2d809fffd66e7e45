import { afterEach, describe, expect, it } from "vitest";
import { SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { type Harness, startHarness } from "../helpers/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("whoami", () => {
  it("shows every identity, the Asana user behind it, its workspaces and the tools acting as it", async () => {
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot } });
    const { isError, body } = await h.call("whoami");
    expect(isError).toBe(false);
    expect(body.read_as).toBe("pat (Ada Lovelace)");
    expect(body.write_as).toBe("bot (Acme Bot)");
    // "me" is the person reading, never the bot that writes.
    expect(body.me).toEqual({ kind: "pat", gid: "1201000000000001", name: "Ada Lovelace" });
    const identities = body.identities as Array<Record<string, unknown>>;
    expect(identities.map((i) => i.kind)).toEqual(["pat", "bot"]);
    const [pat, bot] = identities;
    expect(pat).toMatchObject({
      kind: "pat",
      source: "ASANA_PAT (environment)",
      status: "ok",
      user: { name: "Ada Lovelace", email: "ada@sandbox.example" },
      acts_for: ["read"],
      tools: [
        "list_projects",
        "find",
        "get_project",
        "list_workspace",
        "search_tasks",
        "list_tasks",
        "get_task",
        "list_comments",
        "get_attachment",
        "list_attachments",
        "list_portfolios",
        "get_portfolio",
        "list_goals",
        "get_goal",
        "list_project_members",
      ],
    });
    expect(pat?.workspaces).toHaveLength(2);
    expect(bot).toMatchObject({
      kind: "bot",
      label: "bot account",
      status: "ok",
      user: { name: "Acme Bot" },
      acts_for: ["write"],
      tools: [
        "create_task",
        "update_task",
        "move_task",
        "task_links",
        "create_comment",
        "create_section",
        "create_status_update",
        "delete_task",
        "update_comment",
        "delete_comment",
        "create_tag",
        "update_tag",
        "create_project",
        "update_project",
        "project_members",
        "update_section",
        "delete_section",
        "upload_attachment",
        "batch_tasks",
      ],
    });
  });

  it("is served from the start-up resolution while it is fresh", async () => {
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat } });
    const before = h.fake.requests.length;
    await h.call("whoami");
    await h.call("whoami");
    expect(h.fake.requests.length).toBe(before);
  });

  it("shows a refused token with its error while the other identities still answer", async () => {
    h = await startHarness({
      env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot },
      resolve: false,
    });
    h.fake.revokeToken(SANDBOX_TOKENS.bot);
    const { isError, body } = await h.call("whoami");
    expect(isError).toBe(false);
    const [pat, bot] = body.identities as Array<Record<string, unknown>>;
    expect(pat).toMatchObject({ status: "ok", user: { name: "Ada Lovelace" } });
    expect(bot).toMatchObject({ status: "error", user: null, error: { code: "unauthorized" } });
    const error = bot?.error as { message: string; hint: string };
    expect(error.message).toContain("ASANA_BOT_PAT");
    expect(error.hint).toContain("ASANA_BOT_PAT");
    // Asana's 401 does not say why: a mistyped token is as likely as a revoked one.
    expect(error.hint).toContain("may be mistyped, revoked or expired");
    expect(error.hint).not.toMatch(/was revoked|has expired/);
  });

  it("names a misspelt variable the server ignored, next to a policy that shows writes still on", async () => {
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_READONLY: "true" } });
    const { isError, body } = await h.call("whoami");
    expect(isError).toBe(false);
    expect(body.policy).toMatchObject({ read_only: false });
    expect(body.configuration_warnings).toEqual([
      "ASANA_READONLY is not a variable asana-mcp reads, so it has no effect; did you mean ASANA_READ_ONLY?",
    ]);
    // The setting the person meant is not applied: create_comment is still listed.
    const { tools } = await h.client.listTools();
    expect(tools.map((t) => t.name)).toContain("create_comment");
  });

  it("shows no configuration warning for a correct configuration", async () => {
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_READ_ONLY: "TRUE" } });
    const { body } = await h.call("whoami");
    expect(body).toMatchObject({ policy: { read_only: true }, configuration_warnings: [] });
  });

  it("tells the agent to read a timed-out write back before repeating it, unless nothing writes", async () => {
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat } });
    expect(h.client.getInstructions()).toContain(
      "A write whose call timed out or was cancelled may still have been made: read it back",
    );
    await h.close();
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_READ_ONLY: "1" } });
    expect(h.client.getInstructions()).not.toContain("timed out");
  });

  it("answers with no identities when none is configured", async () => {
    h = await startHarness({ env: {} });
    const { isError, body } = await h.call("whoami");
    expect(isError).toBe(false);
    expect(body).toMatchObject({ identities: [], read_as: null, write_as: null, me: null });
  });
});

describe("attribution in tools/list", () => {
  it("names the kind and variable before resolution, the person or bot after, and announces the change", async () => {
    h = await startHarness({
      env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot },
      resolve: false,
    });
    const before = await h.client.listTools();
    const commentBefore = before.tools.find((t) => t.name === "create_comment")?.description ?? "";
    expect(commentBefore).toContain("posted as the bot account from ASANA_BOT_PAT");

    expect(before.tools.find((t) => t.name === "list_projects")?.description).toContain(
      "Reads as the personal access token from ASANA_PAT",
    );

    await h.resolveIdentities();
    await h.listChanged;
    const after = await h.client.listTools();
    expect(after.tools.find((t) => t.name === "create_comment")?.description).toContain(
      "posted as Acme Bot (bot account, acme-bot@sandbox.example)",
    );
  });

  it("sends tools/list_changed once names are known and then describes who acts", async () => {
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot } });
    await h.listChanged;
    const { tools } = await h.client.listTools();
    const describe = (name: string) => tools.find((t) => t.name === name)?.description ?? "";
    expect(describe("create_comment")).toContain(
      "posted as Acme Bot (bot account, acme-bot@sandbox.example)",
    );
    expect(describe("list_projects")).toContain("Reads as Ada Lovelace (personal access token).");
  });
});

// Every request the server builds, in every tool path (success, pagination, rich text, the
// read-back after an uncertain write, OpenID Connect), checked against Asana's OpenAPI spec.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TASK_GID, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { validateRequest } from "./spec.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: {
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
      ASANA_SERVICE_ACCOUNT_TOKEN: SANDBOX_TOKENS.service_account,
    },
  });
});
afterAll(() => h.close());

describe("requests built by the server", () => {
  it("all match Asana's OpenAPI spec", async () => {
    const who = await h.call("whoami");
    const workspace = (who.body.identities as Array<{ workspaces: Array<{ gid: string }> }>)[0]!
      .workspaces[0]!.gid;
    let cursor: string | null = null;
    do {
      const page = await h.call("list_projects", {
        workspace_gid: workspace,
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      cursor = (page.body as { next_cursor: string | null }).next_cursor;
    } while (cursor);
    await h.call("list_projects", { workspace_gid: workspace, archived: true, limit: 1 });
    await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "contract" });
    await h.call("create_comment", {
      task_gid: DEMO_TASK_GID,
      html_text: "<body><em>contract</em></body>",
      is_pinned: false,
    });
    h.fake.inject({ method: "POST", type: "reset-after" });
    await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "contract after a reset" });

    const checked = h.fake.requests.filter((r) => r.path !== "/openid_connect/userinfo");
    expect(new Set(checked.map((r) => `${r.method} ${r.path.replace(/\d+/g, "{gid}")}`))).toEqual(
      new Set(["GET /users/me", "GET /projects", "POST /tasks/{gid}/stories", "GET /tasks/{gid}/stories"]),
    );
    for (const request of checked) {
      const problems = validateRequest({
        method: request.method,
        path: request.path,
        query: request.query,
        body: request.body ?? undefined,
      });
      expect(problems, `${request.method} ${request.path}`).toEqual([]);
    }
  });
});

// Every request update_comment and delete_comment build (the reads first, the allow-list's story
// lookup, the PUT and DELETE, their repeats after an uncertain failure), checked against Asana's
// OpenAPI spec.
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { validateRequest } from "./spec.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: {
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
      ASANA_PROJECTS: DEMO_PROJECT_GID,
      ASANA_CONFIRM: "off",
    },
  });
});
afterAll(() => h.close());

it("comment edit and delete requests match Asana's OpenAPI spec", async () => {
  const posted = async (text: string) => {
    const out = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text });
    expect(out.isError, out.text).toBe(false);
    return (out.body.story as { gid: string }).gid;
  };
  const first = await posted("contract: edit");
  const second = await posted("contract: delete");
  const ok = async (tool: string, args: Record<string, unknown>) => {
    const out = await h.call(tool, args);
    expect(out.isError, `${tool} ${out.text}`).toBe(false);
  };
  await ok("update_comment", { story_gid: first, text: "contract: edited" });
  await ok("update_comment", {
    story_gid: first,
    html_text: "<body><em>contract</em></body>",
    is_pinned: true,
  });
  h.fake.inject({ method: "PUT", type: "reset-after" });
  await ok("update_comment", { story_gid: first, is_pinned: false });
  h.fake.inject({ method: "DELETE", type: "reset-after" });
  await ok("delete_comment", { story_gid: second });
  await ok("delete_comment", { story_gid: first });

  const checked = h.fake.requests.filter((r) => !["POST"].includes(r.method));
  const shapes = new Set(checked.map((r) => `${r.method} ${r.path.replace(/\d+/g, "{gid}")}`));
  for (const shape of ["GET /stories/{gid}", "PUT /stories/{gid}", "DELETE /stories/{gid}"]) {
    expect(shapes).toContain(shape);
  }
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

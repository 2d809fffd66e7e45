// Every request the project tools build (creates, a template and its job, updates, members, section
// moves and deletes, the read-backs after uncertain writes, the allow-list's reads of teams and
// templates), checked against Asana's OpenAPI spec.
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  demoData,
  SANDBOX_TOKENS,
  SANDBOX_WORKSPACE_GIDS,
} from "../../src/sandbox/demo-data.js";
import { DEMO_TEMPLATE_GIDS } from "../../src/sandbox/demo-projects.js";
import { DEMO_SECTION_GIDS } from "../../src/sandbox/demo-world.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { validateRequest } from "./spec.js";

const MARKETING = "1203000000000002";
const EMPTY = "1207000000000098";

let h: Harness;
let guarded: Harness;
beforeAll(async () => {
  const data = demoData();
  data.world?.sections?.push({ gid: EMPTY, name: "Parking lot", project: DEMO_PROJECT_GID });
  const env = { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_WRITE_AS: "pat", ASANA_CONFIRM: "off" };
  h = await startHarness({ env, data });
  guarded = await startHarness({ env: { ...env, ASANA_WORKSPACES: SANDBOX_WORKSPACE_GIDS.acme } });
});
afterAll(async () => {
  await h.close();
  await guarded.close();
});

/**
 * DateVariableRequest.value is declared `format: date-time`, but its description says "This takes a
 * date with `YYYY-MM-DD` format" and its example is '2022-01-01': the date is what Asana takes.
 */
const knownSpecBug = (problem: string) =>
  /\(instantiateProject\): body\/data\/requested_dates\[\d\]\/value: must match format "date-time" \(got "\d{4}-\d{2}-\d{2}"\)$/.test(
    problem,
  );

function check(harness: Harness) {
  for (const r of harness.fake.requests) {
    const problems = validateRequest({
      method: r.method,
      path: r.path,
      query: r.query,
      body: r.body ?? undefined,
    });
    expect(
      problems.filter((p) => !knownSpecBug(p)),
      `${r.method} ${r.path}`,
    ).toEqual([]);
  }
}

it("project tool requests match Asana's OpenAPI spec", async () => {
  const calls: Array<[string, Record<string, unknown>]> = [
    [
      "create_project",
      {
        team_gid: MARKETING,
        name: "Contract",
        notes: "n",
        owner: "me",
        start_on: "2026-01-01",
        due_on: "2026-02-01",
        color: "none",
        default_view: "timeline",
        privacy: "public_to_workspace",
      },
    ],
    ["create_project", { workspace_gid: SANDBOX_WORKSPACE_GIDS.side, name: "Contract side" }],
    [
      "create_project",
      {
        template_gid: DEMO_TEMPLATE_GIDS.launch,
        name: "Contract t",
        start_on: "2026-01-01",
        due_on: "2026-03-01",
      },
    ],
    ["create_project", { template_gid: DEMO_TEMPLATE_GIDS.sprint, team_gid: MARKETING, name: "Contract s" }],
    [
      "update_project",
      {
        project_gid: DEMO_PROJECT_GID,
        name: "n",
        notes: "x",
        owner: null,
        start_on: null,
        due_on: null,
        color: "dark-red",
        archived: false,
        privacy: "private",
      },
    ],
    [
      "project_members",
      { project_gid: DEMO_PROJECT_GID, action: "add", users: ["me", "alan@sandbox.example"] },
    ],
    ["list_project_members", { project_gid: DEMO_PROJECT_GID, limit: 1 }],
    ["project_members", { project_gid: DEMO_PROJECT_GID, action: "remove", users: ["alan@sandbox.example"] }],
    [
      "update_section",
      { section_gid: DEMO_SECTION_GIDS.done, name: "Done!", before_section_gid: DEMO_SECTION_GIDS.todo },
    ],
    ["update_section", { section_gid: DEMO_SECTION_GIDS.done, after_section_gid: DEMO_SECTION_GIDS.doing }],
    ["delete_section", { section_gid: EMPTY }],
  ];
  for (const [name, args] of calls) {
    const out = await h.call(name, args);
    expect(out.isError, `${name}: ${out.text}`).toBe(false);
  }
  const listed = await h.call("list_project_members", { project_gid: DEMO_PROJECT_GID, limit: 1 });
  await h.call("list_project_members", {
    project_gid: DEMO_PROJECT_GID,
    limit: 1,
    cursor: listed.body.next_cursor,
  });
  // The read-backs after uncertain creates (a project, an instantiation) and a repeated delete.
  h.fake.inject({ method: "POST", path: `/teams/${MARKETING}/projects`, type: "reset-after" });
  await h.call("create_project", { team_gid: MARKETING, name: "Contract settled", color: "light-red" });
  h.fake.inject({ method: "POST", path: /instantiateProject$/, type: "reset-after" });
  await h.call("create_project", { template_gid: DEMO_TEMPLATE_GIDS.sprint, name: "Contract settled t" });
  const seen = new Set(h.fake.requests.map((r) => `${r.method} ${r.path.replace(/\d+/g, "{gid}")}`));
  for (const op of [
    "POST /teams/{gid}/projects",
    "POST /workspaces/{gid}/projects",
    "GET /workspaces/{gid}",
    "GET /project_templates/{gid}",
    "POST /project_templates/{gid}/instantiateProject",
    "GET /jobs/{gid}",
    "GET /teams/{gid}/projects",
    "PUT /projects/{gid}",
    "POST /projects/{gid}/addMembers",
    "POST /projects/{gid}/removeMembers",
    "GET /memberships",
    "PUT /sections/{gid}",
    "POST /projects/{gid}/sections/insert",
    "DELETE /sections/{gid}",
    "GET /tasks",
  ]) {
    expect(seen, op).toContain(op);
  }
  check(h);
});

it("the allow-list's reads of teams and templates match the spec", async () => {
  const ok = await guarded.call("create_project", {
    template_gid: DEMO_TEMPLATE_GIDS.sprint,
    name: "Guarded",
  });
  expect(ok.isError, ok.text).toBe(false);
  const team = await guarded.call("create_project", { team_gid: MARKETING, name: "Guarded team" });
  expect(team.isError, team.text).toBe(false);
  const seen = guarded.fake.requests.map((r) => `${r.method} ${r.path.replace(/\d+/g, "{gid}")}`);
  expect(seen).toContain("GET /workspaces/{gid}/teams");
  check(guarded);
});

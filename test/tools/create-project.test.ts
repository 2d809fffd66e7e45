import { afterEach, describe, expect, it } from "vitest";
import { demoData } from "../../src/sandbox/demo-data.js";
import { DEMO_TEMPLATE_GIDS } from "../../src/sandbox/demo-projects.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import { errorOf } from "../helpers/harness.js";
import {
  ACME,
  ADA_GID,
  ADA_WRITES,
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

const MARKETING = "1203000000000002";
const ENGINEERING = "1203000000000001";
/** An organization of Ada's outside ASANA_WORKSPACES=ACME, with a team and a template. */
const OTHER = "1202000000000009";
const OTHER_TEAM = "1203000000000009";
const OTHER_TEMPLATE = "1214000000000009";

function withOther(extra: (d: FakeData) => void = () => undefined): FakeData {
  const d = demoData();
  d.workspaces.push({ gid: OTHER, name: "Other Org", isOrganization: true });
  d.users.find((u) => u.gid === ADA_GID)?.workspaces.push(OTHER);
  d.teams?.push({ gid: OTHER_TEAM, name: "Elsewhere", workspace: OTHER });
  d.projectTemplates?.push({ gid: OTHER_TEMPLATE, name: "Foreign", team: OTHER_TEAM });
  extra(d);
  return d;
}

describe("create_project", () => {
  it("creates a project in a team of an organization, as the bot, with its fields", async () => {
    const h = await hs.start();
    const out = await h.call("create_project", {
      team_gid: MARKETING,
      name: "Autumn campaign",
      notes: "All of it.",
      owner: "me",
      start_on: "2026-09-01",
      due_on: "2026-10-15",
      color: "dark-green",
      default_view: "board",
      privacy: "private",
    });
    expect(out.isError, out.text).toBe(false);
    const [gid] = h.fake.projectsNamed("Autumn campaign");
    expect(out.body).toMatchObject({
      project: {
        gid,
        name: "Autumn campaign",
        team: "Marketing",
        owner: ADA_GID,
        color: "dark-green",
        default_view: "board",
        privacy: "private",
        start_on: "2026-09-01",
        due_on: "2026-10-15",
      },
      // Asana's default section, answered so it can be renamed rather than left beside new ones.
      sections: [{ gid: expect.any(String), name: "Untitled section" }],
      acting_as: { gid: BOT_GID, name: "Acme Bot", kind: "bot" },
    });
    expect(h.fake.project(gid ?? "")).toMatchObject({
      workspace: ACME,
      team: MARKETING,
      owner: ADA_GID,
      notes: "All of it.",
      sections: ["Untitled section"],
    });
    // "me" is the person, sent as her gid, never as "me" (which Asana would read as the bot).
    expect(writes(h).map((r) => [r.path, r.body, r.userGid])).toEqual([
      [
        `/teams/${MARKETING}/projects`,
        {
          data: {
            name: "Autumn campaign",
            notes: "All of it.",
            owner: ADA_GID,
            color: "dark-green",
            default_view: "board",
            privacy_setting: "private",
            start_on: "2026-09-01",
            due_on: "2026-10-15",
          },
        },
        BOT_GID,
      ],
    ]);
  });

  it("creates one in a plain workspace, where there are no teams", async () => {
    const h = await hs.start(ADA_WRITES);
    const out = await h.call("create_project", { workspace_gid: SIDE, name: "Garden" });
    expect(out.isError, out.text).toBe(false);
    expect(writes(h).map((r) => r.path)).toEqual([`/workspaces/${SIDE}/projects`]);
    expect(h.fake.project(h.fake.projectsNamed("Garden")[0] ?? "")).toMatchObject({
      workspace: SIDE,
      team: null,
    });
  });

  it("refuses an organization without a team before writing, saying where teams are", async () => {
    const h = await hs.start();
    const error = errorOf(await h.call("create_project", { workspace_gid: ACME, name: "Teamless" }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("team_gid is required");
    expect(error.message).toContain('list_workspace (of: "teams")');
    expect(writes(h)).toEqual([]);
    // The sandbox refuses it as Asana does, had it been sent.
    const res = await fetch(`${h.baseUrl}/workspaces/${ACME}/projects`, {
      method: "POST",
      headers: { authorization: "Bearer sandbox-pat-ada-lovelace", "content-type": "application/json" },
      body: JSON.stringify({ data: { name: "Teamless" } }),
    });
    expect(res.status).toBe(400);
    expect(h.fake.projectsNamed("Teamless")).toEqual([]);
  });

  it("refuses a team of another workspace than the one named, before writing", async () => {
    const h = await hs.start(ADA_WRITES, withOther());
    const error = errorOf(
      await h.call("create_project", { workspace_gid: ACME, team_gid: OTHER_TEAM, name: "Misplaced" }),
    );
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain(`team ${OTHER_TEAM} is not a team of workspace ${ACME}`);
    expect(writes(h)).toEqual([]);
  });

  it("refuses bad input before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "create_project", [
      [{ team_gid: MARKETING }, "name"],
      [{ name: "x" }, "workspace_gid or team_gid is required"],
      [{ team_gid: MARKETING, name: "x", start_on: "2026-01-01" }, "give due_on too"],
      [
        { team_gid: MARKETING, name: "x", start_on: "2026-01-01", due_on: "2026-01-01" },
        "cannot be the same date",
      ],
      [
        { team_gid: MARKETING, name: "x", start_on: "2026-02-01", due_on: "2026-01-01" },
        "before its due date",
      ],
      [{ team_gid: MARKETING, name: "x", due_on: "2026-02-30" }, "due_on: is not a calendar date"],
      [{ team_gid: MARKETING, name: "x", color: "teal" }, "color"],
      [{ team_gid: MARKETING, name: "x", privacy: "private_to_team" }, "privacy"],
      [{ template_gid: DEMO_TEMPLATE_GIDS.sprint, name: "x", notes: "n" }, "notes: not with template_gid"],
      [{ team_gid: MARKETING, name: "x", public: true }, 'unknown argument "public"'],
    ]);
  });

  it("settles an uncertain create by reading the team's projects back: one project", async () => {
    const h = await hs.start();
    h.fake.setReadLag(800);
    h.fake.inject({ method: "POST", path: `/teams/${MARKETING}/projects`, type: "reset-after" });
    const out = await h.call("create_project", { team_gid: MARKETING, name: "Settled launch" });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({
      project: { gid: h.fake.projectsNamed("Settled launch")[0], name: "Settled launch" },
      verified_after_uncertain_failure: true,
    });
    expect(h.fake.projectsNamed("Settled launch")).toHaveLength(1);
    expect(writes(h)).toHaveLength(1);
  });

  describe("from a template", () => {
    it("instantiates, follows the job to its end and answers the new project", async () => {
      const h = await hs.start();
      const out = await h.call("create_project", {
        template_gid: DEMO_TEMPLATE_GIDS.launch,
        name: "Winter launch",
        start_on: "2026-11-01",
        due_on: "2026-12-01",
      });
      expect(out.isError, out.text).toBe(false);
      const [gid] = h.fake.projectsNamed("Winter launch");
      expect(out.body).toMatchObject({
        project: {
          gid,
          name: "Winter launch",
          team: "Marketing",
          start_on: "2026-11-01",
          due_on: "2026-12-01",
        },
        instantiation: { status: "succeeded" },
      });
      expect((out.body.sections as Array<{ name: string }>).map((section) => section.name)).toEqual([
        "Plan",
        "Build",
        "Launch",
      ]);
      expect(h.fake.project(gid ?? "")).toMatchObject({
        template: DEMO_TEMPLATE_GIDS.launch,
        sections: ["Plan", "Build", "Launch"],
      });
      expect(writes(h).map((r) => [r.path, r.body])).toEqual([
        [
          `/project_templates/${DEMO_TEMPLATE_GIDS.launch}/instantiateProject`,
          {
            data: {
              name: "Winter launch",
              is_strict: true,
              requested_dates: [
                { gid: "1", value: "2026-11-01" },
                { gid: "2", value: "2026-12-01" },
              ],
            },
          },
        ],
      ]);
      expect(sent(h).some((r) => r.path.startsWith("/jobs/"))).toBe(true);
    });

    it("answers a job still running at the deadline truthfully: its gid and the project, not a failure", async () => {
      const data = demoData();
      const sprint = data.projectTemplates?.find((t) => t.gid === DEMO_TEMPLATE_GIDS.sprint);
      if (sprint) sprint.instantiateMs = 60_000;
      const h = await hs.start({ ...PAT_AND_BOT, ASANA_TOOL_DEADLINE_MS: "2500" }, data);
      const out = await h.call("create_project", {
        template_gid: DEMO_TEMPLATE_GIDS.sprint,
        name: "Slow sprint",
      });
      expect(out.isError, out.text).toBe(false);
      const [gid] = h.fake.projectsNamed("Slow sprint");
      const instantiation = out.body.instantiation as { status: string; job_gid: string; note: string };
      expect(instantiation.status).toBe("in_progress");
      expect(instantiation.job_gid).toMatch(/^\d+$/);
      expect(instantiation.note).toContain(`get_project ${gid}`);
      expect(instantiation.note).toContain("Do not call again");
      expect(out.body.project).toMatchObject({ gid, name: "Slow sprint" });
      expect(writes(h)).toHaveLength(1);
    });

    it("settles an uncertain instantiate by reading the team's projects: never a second project", async () => {
      const h = await hs.start();
      h.fake.inject({
        method: "POST",
        path: `/project_templates/${DEMO_TEMPLATE_GIDS.sprint}/instantiateProject`,
        type: "reset-after",
      });
      const out = await h.call("create_project", {
        template_gid: DEMO_TEMPLATE_GIDS.sprint,
        name: "Sprint 42",
      });
      expect(out.isError, out.text).toBe(false);
      expect(out.body).toMatchObject({
        project: { gid: h.fake.projectsNamed("Sprint 42")[0] },
        instantiation: { status: "unknown", job_gid: null },
        verified_after_uncertain_failure: true,
      });
      expect(h.fake.projectsNamed("Sprint 42")).toHaveLength(1);
      expect(writes(h)).toHaveLength(1);
    });

    it("asks for the dates the template needs before instantiating", async () => {
      const h = await hs.start();
      const error = errorOf(
        await h.call("create_project", { template_gid: DEMO_TEMPLATE_GIDS.launch, name: "Undated" }),
      );
      expect(error.code).toBe("invalid_input");
      expect(error.message).toContain("give start_on and due_on");
      const other = errorOf(
        await h.call("create_project", {
          template_gid: DEMO_TEMPLATE_GIDS.sprint,
          name: "Dated",
          start_on: "2026-01-01",
          due_on: "2026-02-01",
        }),
      );
      expect(other.message).toContain("leave out start_on and due_on");
      expect(writes(h)).toEqual([]);
    });
  });

  describe("the allow-lists", () => {
    it("ASANA_PROJECTS refuses any new project: it would be outside the list", async () => {
      const h = await hs.start({ ...ADA_WRITES, ASANA_PROJECTS: "1204000000000001" });
      for (const args of [
        { team_gid: MARKETING, name: "Outside" },
        { workspace_gid: SIDE, name: "Outside" },
        { template_gid: DEMO_TEMPLATE_GIDS.sprint, name: "Outside" },
      ]) {
        const error = errorOf(await h.call("create_project", args));
        expect(error.code).toBe("policy_denied");
        expect(error.message).toContain("a new project would be outside that list");
      }
      expect(sent(h)).toEqual([]);
    });

    it("ASANA_WORKSPACES alone allows a project in an allowed workspace's team", async () => {
      const h = await hs.start({ ...ADA_WRITES, ASANA_WORKSPACES: ACME }, withOther());
      const out = await h.call("create_project", {
        workspace_gid: ACME,
        team_gid: ENGINEERING,
        name: "Inside",
      });
      expect(out.isError, out.text).toBe(false);
      const fromTemplate = await h.call("create_project", {
        template_gid: DEMO_TEMPLATE_GIDS.sprint,
        name: "Inside sprint",
      });
      expect(fromTemplate.isError, fromTemplate.text).toBe(false);
    });

    it("refuses a workspace, a team or a template outside ASANA_WORKSPACES, even beside an allowed workspace", async () => {
      const h = await hs.start({ ...ADA_WRITES, ASANA_WORKSPACES: ACME }, withOther());
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ workspace_gid: SIDE, name: "Out" }, `workspace ${SIDE} is not one ASANA_WORKSPACES allows`],
        [{ team_gid: OTHER_TEAM, name: "Out" }, `team ${OTHER_TEAM} is not a team of any workspace`],
        [{ workspace_gid: ACME, team_gid: OTHER_TEAM, name: "Out" }, `not a team of workspace ${ACME}`],
        [
          { template_gid: OTHER_TEMPLATE, name: "Out" },
          `project template ${OTHER_TEMPLATE} is shared with team`,
        ],
        [
          { template_gid: DEMO_TEMPLATE_GIDS.sprint, team_gid: OTHER_TEAM, name: "Out" },
          `team ${OTHER_TEAM} is not a team of workspace ${ACME}`,
        ],
      ];
      for (const [args, message] of cases) {
        const error = errorOf(await h.call("create_project", args));
        expect(error.code, JSON.stringify(args)).toBe("policy_denied");
        expect(error.message).toContain(message);
      }
      expect(writes(h)).toEqual([]);
      expect(h.fake.projectsNamed("Out")).toEqual([]);
    });

    it("refuses an owner outside the project's workspace", async () => {
      const h = await hs.start({ ...ADA_WRITES, ASANA_WORKSPACES: SIDE });
      const error = errorOf(
        await h.call("create_project", {
          workspace_gid: SIDE,
          name: "Owned",
          owner: "margaret@sandbox.example",
        }),
      );
      expect(error.code).toBe("policy_denied");
      expect(error.message).toContain(`is not a member of workspace ${SIDE}`);
      expect(writes(h)).toEqual([]);
    });
  });
});

// The policy: read-only mode, ASANA_TOOLS, the allow-lists' configuration, and the reads the allow-lists make.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, loadConfig } from "../src/config.js";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SANDBOX_TOKENS,
  SIDE_PROJECT_TASK_GID,
} from "../src/sandbox/demo-data.js";
import { DEMO_ATTACHMENT_GID, DEMO_SECTION_GIDS } from "../src/sandbox/demo-world.js";
import { defineTool } from "../src/tools/define.js";
import { ALL_TOOLS } from "../src/tools/index.js";
import { gid } from "../src/tools/schemas.js";
import { validateRequest } from "./contract/spec.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";
import { ACME, ADA_WRITES, OTHER_ACME_TASK, PAT_AND_BOT, SIDE } from "./helpers/tools.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function toolNames(harness: Harness): Promise<string[]> {
  return (await harness.client.listTools()).tools.map((tool) => tool.name);
}

function posts(harness: Harness) {
  return harness.fake.requests.filter((r) => r.method === "POST");
}

describe("ASANA_READ_ONLY", () => {
  it("hides write tools and refuses them if called anyway, before any request", async () => {
    h = await startHarness({ env: { ...PAT_AND_BOT, ASANA_READ_ONLY: "true" } });
    // Every toolset is on here, so enable_toolset has nothing to turn on and is not listed.
    const readTools = ALL_TOOLS.filter((t) => t.kind === "read" && t.name !== "enable_toolset").map(
      (t) => t.name,
    );
    expect(readTools).toContain("get_task");
    expect(await toolNames(h)).toEqual(readTools);
    expect(await toolNames(h)).not.toContain("delete_task");
    const before = h.fake.requests.length;
    const error = errorOf(await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "hi" }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(
      "create_comment is a write tool, and ASANA_READ_ONLY=true makes this server read-only.",
    );
    expect(error.retryable).toBe(false);
    expect(error.hint).toContain("whoami");
    expect(h.fake.requests.length).toBe(before);
    expect(h.fake.storiesOf(DEMO_TASK_GID).some((s) => s.text === "hi")).toBe(false);

    const whoami = await h.call("whoami");
    expect(whoami.body.policy).toEqual({
      read_only: true,
      tools: null,
      workspaces: null,
      projects: null,
      audit_log: null,
    });
    const bot = (whoami.body.identities as Array<{ kind: string; tools: string[] }>).find(
      (i) => i.kind === "bot",
    );
    expect(bot?.tools).toEqual([]);
  });
});

describe("ASANA_TOOLS", () => {
  it("exposes only the listed tools and refuses the others by name", async () => {
    h = await startHarness({ env: { ...PAT_AND_BOT, ASANA_TOOLS: "whoami, list_projects" } });
    expect(await toolNames(h)).toEqual(["whoami", "list_projects"]);
    const error = errorOf(await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "hi" }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(
      "create_comment is not in ASANA_TOOLS, which exposes only whoami, list_projects.",
    );
    expect(posts(h)).toHaveLength(0);
    expect((await h.call("whoami")).body.policy).toMatchObject({ tools: ["list_projects", "whoami"] });
  });

  it("stops start-up on an unknown tool name, listing the valid ones", async () => {
    await expect(
      startHarness({ env: { ...PAT_AND_BOT, ASANA_TOOLS: "whoami,create_widget" } }),
    ).rejects.toThrow(
      new ConfigError(
        `ASANA_TOOLS names an unknown tool create_widget; valid names: ${ALL_TOOLS.map((t) => t.name).join(", ")}.`,
      ),
    );
  });
});

describe("configuration of the allow-lists", () => {
  const load = (env: Record<string, string>) =>
    loadConfig({ env, cwd: mkdtempSync(join(tmpdir(), "asana-mcp-policy-")) });

  it("parses comma-separated gids, ignoring spaces and a trailing comma", () => {
    const config = load({ ASANA_WORKSPACES: ` ${ACME} , ${SIDE},`, ASANA_PROJECTS: DEMO_PROJECT_GID });
    expect(config.workspaces).toEqual([ACME, SIDE]);
    expect(config.projects).toEqual([DEMO_PROJECT_GID]);
    expect(load({}).workspaces).toBeUndefined();
  });

  it.each([
    ["ASANA_WORKSPACES", "acme"],
    ["ASANA_WORKSPACES", "12/34"],
    ["ASANA_PROJECTS", "1,,x"],
    ["ASANA_PROJECTS", "١٢٣"],
    ["ASANA_TOOLS", "Who Am I"],
    ["ASANA_READ_ONLY", "maybe"],
  ])("refuses %s=%s with one line naming the variable", (name, value) => {
    expect(() => load({ [name]: value })).toThrow(ConfigError);
    expect(() => load({ [name]: value })).toThrow(new RegExp(`^${name} `));
  });
});

describe("ASANA_WORKSPACES", () => {
  it("refuses a write on a task in another workspace after one read of the task, naming the rule", async () => {
    h = await startHarness({ env: { ...ADA_WRITES, ASANA_WORKSPACES: ACME } });
    const error = errorOf(
      await h.call("create_comment", { task_gid: SIDE_PROJECT_TASK_GID, text: "not here" }),
    );
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(
      `task ${SIDE_PROJECT_TASK_GID} is in workspace ${SIDE}, which ASANA_WORKSPACES does not allow.`,
    );
    const lookups = h.fake.requests.filter((r) => r.path === `/tasks/${SIDE_PROJECT_TASK_GID}`);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]?.query).toEqual({ opt_fields: "workspace,projects" });
    expect(posts(h)).toHaveLength(0);
    expect(h.fake.storiesOf(SIDE_PROJECT_TASK_GID).some((s) => s.text === "not here")).toBe(false);
  });

  it("allows a write on a task in an allowed workspace: one read, then the POST", async () => {
    h = await startHarness({ env: { ...ADA_WRITES, ASANA_WORKSPACES: `${ACME},999` } });
    const outcome = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "allowed" });
    expect(outcome.isError, outcome.text).toBe(false);
    const sent = h.fake.requests.filter((r) => r.path.startsWith(`/tasks/${DEMO_TASK_GID}`));
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /tasks/${DEMO_TASK_GID}`,
      `POST /tasks/${DEMO_TASK_GID}/stories`,
    ]);
  });

  it("keeps reads inside the allowed workspaces too", async () => {
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_WORKSPACES: ACME } });
    const before = h.fake.requests.length;
    const error = errorOf(await h.call("list_projects", { workspace_gid: SIDE }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(`workspace ${SIDE} is not one ASANA_WORKSPACES allows (${ACME}).`);
    expect(h.fake.requests.length).toBe(before);

    const whoami = await h.call("whoami");
    expect((whoami.body.identities as Array<{ workspaces: Array<{ gid: string }> }>)[0]?.workspaces).toEqual([
      { gid: ACME, name: "Acme Corp (sandbox)" },
    ]);
    expect(whoami.body.policy).toMatchObject({ workspaces: [ACME], projects: null });

    // Ada sees two workspaces, only one of them allowed: it becomes the default.
    const page = await h.call("list_projects", { limit: 3 });
    expect(page.isError, page.text).toBe(false);
    expect(page.body.workspace_gid).toBe(ACME);
  });

  it("says so when the identity sees no allowed workspace", async () => {
    h = await startHarness({ env: { ASANA_BOT_PAT: SANDBOX_TOKENS.bot, ASANA_WORKSPACES: SIDE } });
    const error = errorOf(await h.call("list_projects"));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toContain("Acme Bot sees no workspace that ASANA_WORKSPACES allows");
  });
});

describe("ASANA_PROJECTS", () => {
  it("filters listings to the allowed projects", async () => {
    h = await startHarness({ env: { ...PAT_AND_BOT, ASANA_PROJECTS: DEMO_PROJECT_GID } });
    const page = await h.call("list_projects", { workspace_gid: ACME, limit: 100 });
    expect(page.isError, page.text).toBe(false);
    expect((page.body.projects as Array<{ gid: string }>).map((p) => p.gid)).toEqual([DEMO_PROJECT_GID]);
  });

  it("refuses a write on a task in none of the allowed projects", async () => {
    h = await startHarness({ env: { ...PAT_AND_BOT, ASANA_PROJECTS: DEMO_PROJECT_GID } });
    const error = errorOf(await h.call("create_comment", { task_gid: OTHER_ACME_TASK.gid, text: "no" }));
    expect(error.code).toBe("policy_denied");
    expect(error.message).toBe(
      `task ${OTHER_ACME_TASK.gid} is in no project ASANA_PROJECTS allows (${DEMO_PROJECT_GID}).`,
    );
    expect(posts(h)).toHaveLength(0);
    const ok = await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "yes" });
    expect(ok.isError, ok.text).toBe(false);
    expect(posts(h)).toHaveLength(1);
  });
});

describe("the allow-lists are generic over each tool's scope()", () => {
  // Stand-ins for tools of other kinds: the enforcement knows nothing about them by name.
  const projectTool = defineTool({
    name: "touch_project",
    title: "Touch a project",
    toolset: "tasks",
    kind: "read",
    actsAs: "read",
    input: z.object({ project_gid: gid() }).strict(),
    output: z.object({ touched: z.string() }),
    describe: () => "Reads a project.",
    scope: (args) => ({ project: args.project_gid }),
    handler: async (args) => ({ touched: args.project_gid }),
  });
  const searchTool = defineTool({
    name: "search_everything",
    title: "Search",
    toolset: "tasks",
    kind: "read",
    actsAs: "read",
    input: z.object({ workspace_gid: gid().optional() }).strict(),
    output: z.object({ searched: z.boolean() }),
    describe: () => "Searches a workspace.",
    scope: (args) => (args.workspace_gid ? { workspace: args.workspace_gid } : {}),
    handler: async () => ({ searched: true }),
  });
  const tools = [...ALL_TOOLS, projectTool, searchTool];
  const sideProject = demoData().projects?.find((p) => p.workspace === SIDE)?.gid ?? "";

  it("checks a project's workspace with one read when only workspaces are restricted", async () => {
    h = await startHarness({ env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_WORKSPACES: ACME }, tools });
    expect((await h.call("touch_project", { project_gid: DEMO_PROJECT_GID })).isError).toBe(false);
    const error = errorOf(await h.call("touch_project", { project_gid: sideProject }));
    expect(error.message).toBe(
      `project ${sideProject} is in workspace ${SIDE}, which ASANA_WORKSPACES does not allow.`,
    );
    const lookups = h.fake.requests.filter((r) => r.path.startsWith("/projects/"));
    expect(lookups.map((r) => [r.path, r.query.opt_fields])).toEqual([
      [`/projects/${DEMO_PROJECT_GID}`, "workspace"],
      [`/projects/${sideProject}`, "workspace"],
    ]);
  });

  it("checks a project against ASANA_PROJECTS without any request", async () => {
    h = await startHarness({
      env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_PROJECTS: DEMO_PROJECT_GID },
      tools,
    });
    const before = h.fake.requests.length;
    expect((await h.call("touch_project", { project_gid: DEMO_PROJECT_GID })).isError).toBe(false);
    expect(errorOf(await h.call("touch_project", { project_gid: sideProject })).message).toBe(
      `project ${sideProject} is not in ASANA_PROJECTS.`,
    );
    expect(h.fake.requests.length).toBe(before);
  });

  it("refuses workspace-wide or unscoped calls that do not filter their own results", async () => {
    h = await startHarness({
      env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_PROJECTS: DEMO_PROJECT_GID },
      tools,
    });
    expect(errorOf(await h.call("search_everything", { workspace_gid: ACME })).message).toBe(
      `search_everything works across workspace ${ACME}, and ASANA_PROJECTS limits this server to projects ${DEMO_PROJECT_GID}.`,
    );
    expect(errorOf(await h.call("search_everything", {})).message).toBe(
      "search_everything was called without a workspace, project or task to check against ASANA_PROJECTS.",
    );
  });

  it("costs no request at all without an allow-list", async () => {
    h = await startHarness({ env: PAT_AND_BOT, tools });
    const before = h.fake.requests.length;
    expect((await h.call("touch_project", { project_gid: sideProject })).isError).toBe(false);
    expect((await h.call("search_everything", {})).isError).toBe(false);
    expect(h.fake.requests.length).toBe(before);
    await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "direct" });
    expect(h.fake.requests.slice(before).map((r) => r.method)).toEqual(["POST"]);
  });
});

describe("the policy's own reads", () => {
  it("match Asana's OpenAPI spec", async () => {
    const touchProject = defineTool({
      name: "touch_project",
      title: "Touch a project",
      toolset: "tasks",
      kind: "read",
      actsAs: "read",
      input: z.object({ project_gid: gid() }).strict(),
      output: z.object({ touched: z.string() }),
      describe: () => "Reads a project.",
      scope: (args) => ({ project: args.project_gid }),
      handler: async (args) => ({ touched: args.project_gid }),
    });
    h = await startHarness({
      env: { ...ADA_WRITES, ASANA_WORKSPACES: ACME },
      tools: [...ALL_TOOLS, touchProject],
    });
    await h.call("create_comment", { task_gid: DEMO_TASK_GID, text: "contract" });
    await h.call("create_comment", { task_gid: SIDE_PROJECT_TASK_GID, text: "contract" });
    await h.call("touch_project", { project_gid: DEMO_PROJECT_GID });
    await h.call("list_tasks", { section_gid: DEMO_SECTION_GIDS.todo });
    await h.call("get_attachment", { attachment_gid: DEMO_ATTACHMENT_GID });
    const lookups = h.fake.requests.filter(
      (r) => r.method === "GET" && /^\/(tasks|projects|sections|attachments)\/\d+$/.test(r.path),
    );
    // Task, task, project; section then its project; attachment, its task, then the tool's own read.
    expect(lookups.map((r) => r.path.split("/")[1])).toEqual([
      "tasks",
      "tasks",
      "projects",
      "sections",
      "projects",
      "attachments",
      "tasks",
      "attachments",
    ]);
    for (const request of lookups) {
      expect(validateRequest({ method: request.method, path: request.path, query: request.query })).toEqual(
        [],
      );
    }
  });
});

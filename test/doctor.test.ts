// `asana-mcp doctor`: the staged checks against the fake Asana, in process (runDoctor) and once
// through the built bin for the exit code and --json.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DoctorReport, formatReport, runDoctor } from "../src/doctor.js";
import {
  DEMO_PROJECT_GID,
  SANDBOX_TOKENS,
  SANDBOX_USER_GIDS,
  SANDBOX_WORKSPACE_GIDS,
} from "../src/sandbox/demo-data.js";
import { ALL_TOOLS } from "../src/tools/index.js";
import { type StartedFakeAsana, startFakeAsana } from "./fake-asana/index.js";

let fake: StartedFakeAsana;
beforeAll(async () => {
  fake = await startFakeAsana();
});
afterAll(() => fake.close());

const cwd = () => mkdtempSync(join(tmpdir(), "asana-mcp-doctor-"));
// A token store of its own (empty), so a login stored on the machine never joins in.
const noStore = () => join(cwd(), "no-login.json");
const doctor = (env: Record<string, string>) =>
  runDoctor({
    env: { ASANA_BASE_URL: fake.baseUrl, ASANA_TOKEN_STORE: noStore(), ...env },
    cwd: cwd(),
    tools: ALL_TOOLS,
  });
const stages = (report: DoctorReport, kind: string) =>
  Object.fromEntries(
    (report.identities.find((i) => i.kind === kind)?.stages ?? []).map((s) => [s.name, s.status]),
  );

describe("asana-mcp doctor", () => {
  it("passes every stage for good tokens and says what each identity is used for", async () => {
    const report = await doctor({ ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot });
    expect(report.ok).toBe(true);
    expect(report.config.status).toBe("ok");
    for (const kind of ["pat", "bot"]) {
      expect(stages(report, kind)).toEqual({
        token: "ok",
        users_me: "ok",
        workspaces: "ok",
        scopes: "ok",
        policy: "ok",
      });
    }
    const text = formatReport(report);
    expect(text).toContain("Acme Bot <acme-bot@sandbox.example>");
    expect(text).toMatch(/writes for [a-z_, ]*create_comment/);
    expect(text).toContain("projects:read granted");
    // Ada reads in Side Projects, where the bot is not a member.
    expect(report.checks.find((c) => c.name === "policy")).toMatchObject({ status: "warn" });
    expect(text).toMatch(
      /pat reads in Side Projects \(sandbox\) \(1202000000000002\), where bot \(the writer\) is not a member: writes there will fail/,
    );
    expect(text).toMatch(/All checks passed \(1 warning\)\.\n$/);
    expect(text).not.toContain(SANDBOX_TOKENS.pat);
    expect(JSON.stringify(report)).not.toContain(SANDBOX_TOKENS.bot);
  });

  it("in sandbox mode checks the built-in demo Asana, one identity per kind, and passes", async () => {
    const report = await runDoctor({ env: { ASANA_SANDBOX: "1" }, cwd: cwd(), tools: ALL_TOOLS });
    expect(report.ok).toBe(true);
    expect(report.config.status).toBe("warn");
    expect(report.config.detail).toContain("demo Asana");
    expect(report.identities.map((i) => i.kind)).toEqual(["pat", "bot", "service_account", "oauth"]);
    for (const identity of report.identities) expect(stages(report, identity.kind).users_me).toBe("ok");
    expect(formatReport(report)).toMatch(/All checks passed \(\d warnings?\)\.\n$/);
  });

  it("fails a refused token, skips what depends on it, and names the variable to fix", async () => {
    const requestsBefore = fake.fake.requests.length;
    const report = await doctor({ ASANA_BOT_PAT: "revoked-bot-token-0000" });
    expect(report.ok).toBe(false);
    expect(stages(report, "bot")).toMatchObject({ token: "fail", users_me: "skip", scopes: "skip" });
    const text = formatReport(report);
    expect(text).toContain("FAIL  token");
    expect(text).toContain("ASANA_BOT_PAT");
    expect(text).toContain("1 check failed.");
    expect(text).not.toContain("revoked-bot-token-0000");
    // Read-only: doctor never writes to Asana.
    const sent = fake.fake.requests.slice(requestsBefore);
    expect(sent.every((r) => r.method === "GET")).toBe(true);
  });

  it("fails the scopes stage when an OAuth token lacks projects:read", async () => {
    fake.fake.addToken({
      token: "oauth-without-projects-read",
      userGid: SANDBOX_USER_GIDS.oauth,
      kind: "oauth",
      oauthScopes: ["users:read", "workspaces:read", "openid"],
    });
    const report = await doctor({ ASANA_OAUTH_ACCESS_TOKEN: "oauth-without-projects-read" });
    expect(report.ok).toBe(false);
    expect(stages(report, "oauth")).toMatchObject({ token: "ok", users_me: "ok", scopes: "fail" });
    const scopes = report.identities[0]?.stages.find((s) => s.name === "scopes");
    expect(scopes?.detail).toContain("projects:read");
    expect(scopes?.detail).toContain("openid granted");
  });

  it("fails the config stage on a bad value or when no token is set", async () => {
    const bad = await doctor({ ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_WRITE_AS: "robot" });
    expect(bad).toMatchObject({ ok: false, config: { status: "fail" }, identities: [] });
    expect(bad.config.detail).toContain("ASANA_WRITE_AS must be one of");
    const none = await doctor({});
    expect(none).toMatchObject({ ok: false, config: { status: "fail" } });
    expect(formatReport(none)).toContain("Set ASANA_PAT");
  });

  it("exits 0 or 1 from the built bin, with --json printing one JSON document", async () => {
    const bin = resolve(import.meta.dirname, "../dist/index.js");
    // Asynchronous: the fake Asana answers from this process's event loop.
    const run = (env: Record<string, string>) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((done) => {
        execFile(
          process.execPath,
          [bin, "doctor", "--json"],
          {
            cwd: cwd(),
            env: {
              PATH: process.env.PATH ?? "",
              ASANA_BASE_URL: fake.baseUrl,
              ASANA_TOKEN_STORE: noStore(),
              ...env,
            },
          },
          (error, stdout, stderr) => done({ status: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    const good = await run({ ASANA_PAT: SANDBOX_TOKENS.pat });
    expect(good.status).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, identities: [{ kind: "pat" }] });
    const refused = await run({ ASANA_PAT: "refused-pat-token-1111" });
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false });
    expect(refused.stdout + refused.stderr).not.toContain("refused-pat-token-1111");
    const misspelt = await run({ ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_READONLY: "true" });
    expect(misspelt.status).toBe(1);
    expect(JSON.parse(misspelt.stdout)).toMatchObject({
      ok: false,
      checks: [{ name: "variables", status: "fail" }, { name: "policy" }],
    });
  });

  it("fails a misspelt variable, naming it and the variable meant", async () => {
    const report = await doctor({ ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_READONLY: "true" });
    expect(report.ok).toBe(false);
    const variables = report.checks.find((c) => c.name === "variables");
    expect(variables).toMatchObject({ status: "fail" });
    expect(variables?.detail).toContain("ASANA_READONLY is not a variable asana-mcp reads");
    expect(variables?.detail).toContain("did you mean ASANA_READ_ONLY?");
    const text = formatReport(report);
    expect(text).toContain("FAIL  variables");
    expect(text).not.toContain("All checks passed");
    // Writes are on: the policy says so.
    expect(text).toContain("writes allowed");
  });

  it("shows the policy the server applies: read-only lists no write tool", async () => {
    const report = await doctor({
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_READ_ONLY: "true",
      ASANA_WORKSPACES: SANDBOX_WORKSPACE_GIDS.acme,
      ASANA_PROJECTS: DEMO_PROJECT_GID,
      ASANA_AUDIT_LOG: join(cwd(), "audit.jsonl"),
    });
    expect(report.ok).toBe(true);
    const policy = report.checks.find((c) => c.name === "policy");
    expect(policy?.status).toBe("ok");
    expect(policy?.detail).toContain("read-only (ASANA_READ_ONLY)");
    expect(policy?.detail).toContain(`workspaces: ${SANDBOX_WORKSPACE_GIDS.acme}`);
    expect(policy?.detail).toContain(`projects: ${DEMO_PROJECT_GID}`);
    expect(policy?.detail).toMatch(/audit log: .*audit\.jsonl/);
    const text = formatReport(report);
    expect(text).not.toMatch(/writes for [a-z_, ]*create_/);
    expect(text).toContain("writes for no tool (read-only: ASANA_READ_ONLY)");
  });

  it("lists only the tools ASANA_TOOLS exposes", async () => {
    const report = await doctor({
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_TOOLS: "whoami,list_projects,create_comment",
    });
    const policy = report.identities[0]?.stages.find((s) => s.name === "policy");
    expect(policy?.detail).toMatch(/^reads for list_projects; writes for create_comment;/);
  });

  it("fails an allow-listed workspace or project no identity can see, naming the gid", async () => {
    const requestsBefore = fake.fake.requests.length;
    const report = await doctor({
      ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
      ASANA_WORKSPACES: `${SANDBOX_WORKSPACE_GIDS.acme},${SANDBOX_WORKSPACE_GIDS.side},1202999999999999`,
      ASANA_PROJECTS: `${DEMO_PROJECT_GID},1204999999999999`,
    });
    expect(report.ok).toBe(false);
    const policy = report.checks.find((c) => c.name === "policy");
    expect(policy?.status).toBe("fail");
    // The bot is not a member of Side Projects: allow-listing it reaches nothing.
    expect(policy?.detail).toContain(
      `workspace ${SANDBOX_WORKSPACE_GIDS.side}, which no configured identity`,
    );
    expect(policy?.detail).toContain("workspace 1202999999999999, which no configured identity");
    expect(policy?.detail).toContain("project 1204999999999999, which no configured identity can read");
    expect(policy?.detail).not.toContain(`project ${DEMO_PROJECT_GID},`);
    expect(formatReport(report)).toContain("FAIL  policy");
    const sent = fake.fake.requests.slice(requestsBefore);
    expect(sent.some((r) => r.path === "/projects/1204999999999999")).toBe(true);
    expect(sent.every((r) => r.method === "GET")).toBe(true);
  });

  it("fails an allow-listed project outside the allow-listed workspaces", async () => {
    const side = await doctor({ ASANA_PAT: SANDBOX_TOKENS.pat });
    expect(side.ok).toBe(true);
    const report = await doctor({
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_WORKSPACES: SANDBOX_WORKSPACE_GIDS.side,
      ASANA_PROJECTS: DEMO_PROJECT_GID,
    });
    expect(report.checks.find((c) => c.name === "policy")?.detail).toContain(
      `project ${DEMO_PROJECT_GID}, which is in workspace ${SANDBOX_WORKSPACE_GIDS.acme}, outside ASANA_WORKSPACES`,
    );
    expect(report.ok).toBe(false);
  });
});

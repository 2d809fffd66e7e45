// `asana-mcp doctor`: the staged checks against the fake Asana, in process (runDoctor) and once
// through the built bin for the exit code and --json.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DoctorReport, formatReport, runDoctor } from "../src/doctor.js";
import { SANDBOX_TOKENS, SANDBOX_USER_GIDS } from "../src/sandbox/demo-data.js";
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
    expect(text).toMatch(/All checks passed\.\n$/);
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
  });
});

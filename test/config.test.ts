import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

const emptyDir = () => mkdtempSync(join(tmpdir(), "asana-mcp-config-"));

describe("loadConfig", () => {
  it("reads tokens from the environment, with ASANA_ACCESS_TOKEN as an alias of ASANA_PAT", () => {
    const config = loadConfig({ env: { ASANA_ACCESS_TOKEN: "t1", ASANA_BOT_PAT: "t2" }, cwd: emptyDir() });
    expect(config.tokens.pat).toEqual({ token: "t1", variable: "ASANA_ACCESS_TOKEN", source: "environment" });
    expect(config.tokens.bot?.variable).toBe("ASANA_BOT_PAT");
    expect(config.baseUrl).toBe("https://app.asana.com/api/1.0");
  });

  it("reads a .env file without letting it override the environment", () => {
    const dir = emptyDir();
    writeFileSync(join(dir, ".env"), "ASANA_PAT=from-file\nASANA_BOT_PAT=bot-from-file\n");
    const config = loadConfig({ env: { ASANA_PAT: "from-env" }, cwd: dir });
    expect(config.tokens.pat).toMatchObject({ token: "from-env", source: "environment" });
    expect(config.tokens.bot).toMatchObject({ token: "bot-from-file", source: ".env file" });
  });

  it.each([
    [
      { ASANA_WRITE_AS: "robot" },
      /^ASANA_WRITE_AS must be one of pat, bot, service_account, oauth \(got "robot"\)/,
    ],
    [
      { ASANA_PAT: "p", ASANA_WRITE_AS: "bot" },
      /^ASANA_WRITE_AS=bot but no bot token is configured \(set ASANA_BOT_PAT\)/,
    ],
    [{ ASANA_TIMEOUT_MS: "fast" }, /^ASANA_TIMEOUT_MS /],
    [{ ASANA_TIMEOUT_MS: "5" }, /^ASANA_TIMEOUT_MS must be at least 100/],
    [{ ASANA_BASE_URL: "http://asana.example.com/api/1.0" }, /^ASANA_BASE_URL must use https/],
    [{ ASANA_BASE_URL: "not a url" }, /^ASANA_BASE_URL is not a URL/],
    [{ ASANA_PAT: "Bearer abc" }, /^ASANA_PAT starts with "Bearer"/],
    [{ ASANA_PAT: "abc def" }, /^ASANA_PAT contains white space/],
    [{ ASANA_BOT_PAT: '"abc' }, /^ASANA_BOT_PAT contains a quote character/],
    [
      { ASANA_READ_ONLY: "maybe" },
      /^ASANA_READ_ONLY must be one of 0, 1, true, false, yes, no, on, off \(got "maybe"\)/,
    ],
    [{ ASANA_BASE_URL: "https://app.asana.com/api/v2" }, /^ASANA_BASE_URL must end in \/api\/1\.0/],
    [{ ASANA_ENV_FILE: "/nonexistent/.env" }, /^ASANA_ENV_FILE=/],
    [{ ASANA_LOG_LEVEL: "loud" }, /^ASANA_LOG_LEVEL must be one of/],
  ])("stops on a bad value with one line naming the variable: %j", (env, message) => {
    let caught: unknown;
    try {
      loadConfig({ env, cwd: emptyDir() });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain("\n");
  });

  it("takes a token pasted with its quotes (a client's JSON env keeps them) without them", () => {
    const config = loadConfig({
      env: { ASANA_PAT: '"1/123:abc"', ASANA_BOT_PAT: "'2/456:def'" },
      cwd: emptyDir(),
    });
    expect(config.tokens.pat?.token).toBe("1/123:abc");
    expect(config.tokens.bot?.token).toBe("2/456:def");
  });

  it("reads identity kinds whatever their case", () => {
    const config = loadConfig({
      env: { ASANA_PAT: "p", ASANA_BOT_PAT: "b", ASANA_WRITE_AS: "Bot" },
      cwd: emptyDir(),
    });
    expect(config.writeAs).toBe("bot");
  });

  it("reads booleans whatever their case", () => {
    for (const value of ["TRUE", "True", "Yes", "ON", "1"]) {
      expect(loadConfig({ env: { ASANA_READ_ONLY: value }, cwd: emptyDir() }).readOnly, value).toBe(true);
    }
    expect(loadConfig({ env: { ASANA_READ_ONLY: "FALSE" }, cwd: emptyDir() }).readOnly).toBe(false);
    expect(loadConfig({ env: { ASANA_READ_ONLY: '"true"' }, cwd: emptyDir() }).readOnly).toBe(true);
  });

  it("completes a base URL given as the host alone with Asana's API path", () => {
    for (const given of [
      "https://app.asana.com",
      "https://app.asana.com/",
      "https://app.asana.com/api/1.0/",
    ]) {
      expect(loadConfig({ env: { ASANA_BASE_URL: given }, cwd: emptyDir() }).baseUrl).toBe(
        "https://app.asana.com/api/1.0",
      );
    }
  });

  it("names every unknown ASANA_* variable, from the environment or .env, with the closest valid name", () => {
    const dir = emptyDir();
    writeFileSync(join(dir, ".env"), "ASANA_WORKSPACE=1202000000000001\nASANA_PAT=p\n");
    const config = loadConfig({
      env: {
        ASANA_READONLY: "true",
        ASANA_BOT_TOKEN: "t",
        ASANA_TOOL_DEADLINE: "1000",
        ASANA_ENV_FILE: ".env",
        HOME: "/h",
      },
      cwd: dir,
    });
    expect(config.readOnly).toBe(false);
    expect(config.warnings.map((w) => [w.code, w.variable])).toEqual([
      ["unknown_variable", "ASANA_READONLY"],
      ["unknown_variable", "ASANA_BOT_TOKEN"],
      ["unknown_variable", "ASANA_TOOL_DEADLINE"],
      ["unknown_variable", "ASANA_WORKSPACE"],
    ]);
    const messages = config.warnings.map((w) => w.message);
    expect(messages[0]).toBe(
      "ASANA_READONLY is not a variable asana-mcp reads, so it has no effect; did you mean ASANA_READ_ONLY?",
    );
    expect(messages[1]).toContain("did you mean ASANA_BOT_PAT?");
    expect(messages[2]).toContain("did you mean ASANA_TOOL_DEADLINE_MS?");
    expect(messages[3]).toContain("did you mean ASANA_WORKSPACES?");
    // The value is not repeated: it could be a token.
    expect(messages.join(" ")).not.toMatch(/\bt\b.*true|=t\b/);
  });

  it("knows every variable it reads: the documented ones raise no warning", () => {
    const config = loadConfig({
      env: {
        ASANA_PAT: "p",
        ASANA_ACCESS_TOKEN: "p",
        ASANA_BOT_PAT: "b",
        ASANA_SERVICE_ACCOUNT_TOKEN: "s",
        ASANA_OAUTH_ACCESS_TOKEN: "o",
        ASANA_READ_AS: "pat",
        ASANA_WRITE_AS: "bot",
        ASANA_READ_ONLY: "false",
        ASANA_TOOLS: "whoami",
        ASANA_WORKSPACES: "1",
        ASANA_PROJECTS: "2",
        ASANA_AUDIT_LOG: "/tmp/a.jsonl",
        ASANA_AUDIT_LOG_BODIES: "0",
        ASANA_TIMEOUT_MS: "1000",
        ASANA_TOOL_DEADLINE_MS: "2000",
        ASANA_LOG_LEVEL: "warn",
        ASANA_SANDBOX: "0",
        ASANA_OAUTH_CLIENT_ID: "1",
        ASANA_OAUTH_CLIENT_SECRET: "x",
        ASANA_TOKEN_STORE: "file",
        ASANA_BROWSER: "true",
        ASANA_BASE_URL: "https://app.asana.com/api/1.0",
      },
      cwd: emptyDir(),
    });
    expect(config.warnings).toEqual([]);
  });

  it("accepts plain http only on loopback", () => {
    const config = loadConfig({ env: { ASANA_BASE_URL: "http://127.0.0.1:9/api/1.0/" }, cwd: emptyDir() });
    expect(config.baseUrl).toBe("http://127.0.0.1:9/api/1.0");
  });
});

describe("OAuth settings", () => {
  it("reads the client and picks the token store from ASANA_TOKEN_STORE", () => {
    const cwd = mkdtempSync(join(tmpdir(), "asana-mcp-cfg-"));
    const base = {
      XDG_CONFIG_HOME: "/xdg",
      ASANA_OAUTH_CLIENT_ID: "123",
      ASANA_OAUTH_CLIENT_SECRET: "s3cret",
    };
    const auto = loadConfig({ env: base, cwd }).oauth;
    expect(auto).toMatchObject({ clientId: "123", clientSecret: "s3cret" });
    if (process.platform === "linux") {
      expect(auto.tokenStore).toEqual({ mode: "auto", path: "/xdg/asana-mcp/oauth-login.json" });
    }
    expect(loadConfig({ env: { ...base, ASANA_TOKEN_STORE: "keychain" }, cwd }).oauth.tokenStore.mode).toBe(
      "keychain",
    );
    expect(loadConfig({ env: { ...base, ASANA_TOKEN_STORE: "file" }, cwd }).oauth.tokenStore.mode).toBe(
      "file",
    );
    expect(loadConfig({ env: { ...base, ASANA_TOKEN_STORE: "login.json" }, cwd }).oauth.tokenStore).toEqual({
      mode: "file",
      path: join(cwd, "login.json"),
    });
  });
});

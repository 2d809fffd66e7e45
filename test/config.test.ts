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
    [{ ASANA_PAT: "Bearer abc" }, /^ASANA_PAT contains white space/],
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

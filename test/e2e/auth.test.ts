// `asana-mcp auth login|status|logout` and `serve` with the stored login, through the built bin,
// against the fake Asana's OAuth provider. Everything the processes print or write (other than
// the token store) is scanned for tokens and secrets.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAsana } from "../fake-asana/index.js";
import { browse, CLIENT, registerClient } from "../helpers/oauth.js";

const BIN = resolve(import.meta.dirname, "../../dist/index.js");
const BROWSER = resolve(import.meta.dirname, "../fixtures/scripted-browser.mjs");
let started: Awaited<ReturnType<typeof startFakeAsana>>;
let root: string;
let env: Record<string, string>;
let storePath: string;
/** Everything printed or returned, for the secret scan. */
const written: string[] = [];

beforeAll(async () => {
  if (!existsSync(BIN))
    throw new Error("dist/index.js is missing: run `npm run build` first (npm test does).");
  started = await startFakeAsana();
  registerClient(started.fake);
  root = mkdtempSync(join(tmpdir(), "asana-mcp-auth-e2e-"));
  for (const dir of ["home", "config", "cwd", "store"]) mkdirSync(join(root, dir));
  storePath = join(root, "store", "login.json");
  env = {
    PATH: process.env.PATH ?? "",
    HOME: join(root, "home"),
    XDG_CONFIG_HOME: join(root, "config"),
    ASANA_BASE_URL: started.baseUrl,
    ASANA_OAUTH_CLIENT_ID: CLIENT.clientId,
    ASANA_OAUTH_CLIENT_SECRET: CLIENT.clientSecret,
    ASANA_TOKEN_STORE: storePath,
    ASANA_BROWSER: `${process.execPath} ${BROWSER}`,
  };
});
afterAll(() => started.close());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin; `onStdout` may answer on stdin (the pasted code). */
function run(args: string[], onStdout?: (text: string, stdin: NodeJS.WritableStream) => void): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: join(root, "cwd") });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, child.stdin);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("close", (code) => {
      written.push(stdout, stderr);
      done({ code, stdout, stderr });
    });
  });
}

describe("asana-mcp auth (built bin)", () => {
  it("login with the loopback redirect and a scripted browser (ASANA_BROWSER)", async () => {
    const result = await run(["auth", "login", "--port", "0"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "Signed in to Asana as Grace Hopper <grace@sandbox.example> (verified id_token",
    );
    expect(result.stdout).toContain(`Login stored in ${storePath}.`);
    expect(statSync(storePath).mode & 0o777).toBe(0o600);
  });

  it("login out-of-band with --no-browser: prints the URL and reads the pasted code", async () => {
    let pasted = false;
    const result = await run(["auth", "login", "--no-browser"], (stdout, stdin) => {
      const url = /(http:\/\/127\.0\.0\.1:\d+\/-\/oauth_authorize\S+)/.exec(stdout)?.[1];
      if (!url || pasted || !stdout.includes("paste the code")) return;
      pasted = true;
      void browse(url).then(({ code }) => stdin.end(`${code}\n`));
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob");
    expect(result.stdout).toContain("Signed in to Asana as Grace Hopper");
    expect(started.fake.oauth.tokenRequests.authorization_code).toBe(2);
  });

  it("status says who, kind, scopes, expiry and where; no secrets", async () => {
    const result = await run(["auth", "status"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Signed in as: Grace Hopper <grace@sandbox\.example>/);
    expect(result.stdout).toContain("Kind: OAuth login");
    expect(result.stdout).toMatch(/Scopes: .*stories:write.*openid email profile/);
    expect(result.stdout).toContain("Expiry: access tokens last about an hour");
    expect(result.stdout).toContain(`Stored in: ${storePath}`);
  });

  it("serve uses the stored login: whoami shows the verified claims, oidc_userinfo answers", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN],
      env,
      cwd: join(root, "cwd"),
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: "e2e", version: "1.0.0" });
    await client.connect(transport);
    try {
      const who = await client.callTool({ name: "whoami", arguments: {} });
      const info = await client.callTool({ name: "oidc_userinfo", arguments: {} });
      written.push(JSON.stringify(who), JSON.stringify(info));
      expect(info.isError).toBeFalsy();
      expect(info.structuredContent).toMatchObject({ name: "Grace Hopper", email: "grace@sandbox.example" });
      const oauth = (who.structuredContent as { identities: Array<Record<string, unknown>> }).identities[0];
      expect(oauth).toMatchObject({
        kind: "oauth",
        source: `${storePath} (token store)`,
        verified_claims: { aud: CLIENT.clientId, email: "grace@sandbox.example" },
      });
      expect(started.fake.oauth.tokenRequests.refresh_token).toBe(1);
    } finally {
      await client.close();
      written.push(stderr);
    }
  });

  it("logout revokes the refresh token at Asana, then deletes it", async () => {
    const login = JSON.parse(readFileSync(storePath, "utf8")) as { refresh_token: string };
    // What a write killed before its rename leaves: the login, secrets included, under a temp name.
    const leftover = `${storePath}.4194999.0badc0de.tmp`;
    writeFileSync(leftover, JSON.stringify(login));
    const result = await run(["auth", "logout"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Asana revoked the login");
    expect(result.stdout).toContain("Also removed 1 leftover temporary file(s) that held login secrets");
    expect(existsSync(storePath)).toBe(false);
    expect(existsSync(leftover)).toBe(false);
    expect(started.fake.oauth.revokeRequests).toBe(1);
    const revoke = new URLSearchParams(
      String(started.fake.requests.find((r) => r.path === "/-/oauth_revoke")?.body),
    );
    expect(revoke.get("token")).toBe(login.refresh_token);
    const status = await run(["auth", "status"]);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain("Not signed in");
  });

  it("logout while Asana cannot be reached deletes the login with a warning", async () => {
    const relogin = await run(["auth", "login", "--port", "0"]);
    expect(relogin.code).toBe(0);
    started.fake.inject({ type: "reset-before", path: "/-/oauth_revoke" });
    const result = await run(["auth", "logout"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: Asana could not revoke the login .*deleting it here anyway/);
    expect(existsSync(storePath)).toBe(false);
  });

  it("nothing printed, returned or written outside the token store carries a token or secret", () => {
    const secrets = [...started.fake.oauth.issuedSecrets];
    expect(secrets.length).toBeGreaterThan(5);
    const files = listFiles(root).filter((path) => path !== storePath);
    const texts = [...written, ...files.map((path) => readFileSync(path, "utf8"))];
    for (const secret of secrets) {
      for (const text of texts)
        expect(text.includes(secret), `a secret leaked: ${secret.slice(0, 8)}…`).toBe(false);
    }
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

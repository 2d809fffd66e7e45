// The built bin in remote mode as an operator runs it (`asana-mcp http --sandbox`), and a person
// signing in through every page it shows: our consent page, then the sandbox Asana's own sign-in
// page, where they pick who to be. Unlike test/helpers/remote.ts nothing runs in this process: the
// server is a child process, reached over HTTP only.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { AUTHORIZE_PATH, SIGN_IN_FIELDS } from "../../src/sandbox/sign-in-page.js";
import { Browser, formField, GRACE_GID, location, MemoryOAuthClient } from "./remote.js";

export const BIN = resolve(import.meta.dirname, "../../dist/index.js");
/** The line the bin logs on stderr once it listens; the address is parsed from it. */
const READY = /remote MCP server at (http:\/\/\S+\/mcp)\n/;

export interface RunningBin {
  mcpUrl: URL;
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Sends `signal` and resolves the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `node dist/index.js <args>` with its own empty data directory (XDG_DATA_HOME) and home,
 * and waits for it to say where it listens. Rejects with its stderr if it exits first.
 */
export async function startBin(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<RunningBin> {
  if (!existsSync(BIN))
    throw new Error("dist/index.js is missing: run `npm run build` first (npm test does).");
  // The address is an info line: a quieter level would leave nothing to wait for.
  if (env.ASANA_LOG_LEVEL && !["debug", "info"].includes(env.ASANA_LOG_LEVEL))
    throw new Error("startBin needs ASANA_LOG_LEVEL debug or info: the address is logged at info.");
  const home = mkdtempSync(join(tmpdir(), "asana-mcp-bin-"));
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      XDG_DATA_HOME: join(home, "data"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  const mcpUrl = await new Promise<URL>((ready, fail) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = READY.exec(stderr);
      if (match?.[1]) ready(new URL(match[1]));
    });
    void exited.then(({ code, signal }) =>
      fail(new Error(`the bin exited (${code ?? signal}) before listening:\n${stderr}`)),
    );
  });
  return {
    mcpUrl,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The values of a page's hidden inputs, in order, as a browser would submit them. */
export function hiddenFields(html: string): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    fields.push([unescapeHtml(match[1] ?? ""), unescapeHtml(match[2] ?? "")]);
  return fields;
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/**
 * A person's browser from the authorization URL an MCP client opened to the client's redirect:
 * approve on the consent page, pick `person` on the sandbox's sign-in page, come back through
 * our callback. Resolves the code the client exchanges.
 */
export async function signInThroughPages(
  authorizationUrl: URL,
  person = GRACE_GID,
  browser = new Browser(),
): Promise<{ code: string; state: string | null; browser: Browser }> {
  const toConsent = await browser.get(authorizationUrl);
  const consentUrl = new URL(location(toConsent), authorizationUrl);
  const consent = await browser.get(consentUrl);
  const consentHtml = await consent.text();
  if (consent.status !== 200) throw new Error(`the consent page answered ${consent.status}: ${consentHtml}`);
  const approved = await browser.post(new URL("/consent", consentUrl), {
    request: formField(consentHtml, "request"),
    csrf: formField(consentHtml, "csrf"),
    decision: "approve",
  });
  const signInUrl = new URL(location(approved), consentUrl);
  const signIn = await browser.get(signInUrl);
  const signInHtml = await signIn.text();
  if (signIn.status !== 200 || !signInHtml.includes(`value="${person}"`))
    throw new Error(`the sandbox's sign-in page answered ${signIn.status} without ${person}: ${signInHtml}`);
  // The form's own fields, then the button pressed: what a browser submits.
  const form = new URLSearchParams(hiddenFields(signInHtml));
  if (!form.get(SIGN_IN_FIELDS.csrf)) throw new Error("the sign-in page carries no csrf token");
  form.set(SIGN_IN_FIELDS.user, person);
  const signedIn = await browser.post(new URL(AUTHORIZE_PATH, signInUrl), Object.fromEntries(form));
  const callback = new URL(location(signedIn), signInUrl);
  const back = await browser.get(callback);
  const final = new URL(location(back), callback);
  const code = final.searchParams.get("code");
  if (!code)
    throw new Error(`no code in ${final.origin}${final.pathname}: ${final.searchParams.get("error")}`);
  return { code, state: final.searchParams.get("state"), browser };
}

/** The SDK client against `mcpUrl`, signing `person` in through the pages first. */
export async function connectThroughPages(
  mcpUrl: URL,
  person = GRACE_GID,
  oauth = new MemoryOAuthClient(),
): Promise<{ client: Client; oauth: MemoryOAuthClient }> {
  const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: oauth });
  try {
    await new Client({ name: "e2e", version: "1.0.0" }).connect(first);
    throw new Error("the server answered before anyone signed in");
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !oauth.authorizationUrl) throw error;
  }
  const { code } = await signInThroughPages(oauth.authorizationUrl, person);
  await first.finishAuth(code);
  const client = new Client({ name: "e2e", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: oauth }));
  return { client, oauth };
}

// The MCP conformance suite (@modelcontextprotocol/conformance) against the built bin in remote
// mode. The suite's client cannot sign in, so it talks to a proxy that adds the bearer token a
// person got through the consent and sign-in pages. Every scenario of the suite runs in one
// process: the ones a real server can pass must pass, and every other one is an expected failure
// with its reason in conformance-expected-failures.md, which must name exactly the rest.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BearerProxy, startBearerProxy } from "../helpers/bearer-proxy.js";
import { connectThroughPages, type RunningBin, startBin } from "../helpers/remote-bin.js";

const SUITE = "@modelcontextprotocol/conformance@0.1.16";
// The suite needs Node 22; npx fetches it next to the suite, whatever Node runs the tests.
const NPX_ARGS = ["-y", "-p", "node@22", "-p", SUITE, "conformance"];
const PASSING = ["server-initialize", "ping", "tools-list", "dns-rebinding-protection"];
const EXPECTED_FAILURES_FILE = join(import.meta.dirname, "conformance-expected-failures.md");
/** The first run downloads Node 22 and the suite. */
const TIMEOUT_MS = 240_000;

interface Check {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
  errorMessage?: string;
  details?: Record<string, unknown>;
}

function conformance(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", [...NPX_ARGS, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS - 30_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** `- \`scenario\`: reason` lines of the expected-failures file. */
function expectedFailures(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync(EXPECTED_FAILURES_FILE, "utf8").split("\n")) {
    const match = /^- `([a-z0-9-]+)`: (.*)$/.exec(line);
    if (!match?.[1]) continue;
    if (entries.has(match[1])) throw new Error(`${match[1]} is listed twice in ${EXPECTED_FAILURES_FILE}`);
    entries.set(match[1], (match[2] ?? "").trim());
  }
  return entries;
}

/** The checks of each scenario the run saved, by scenario (directories `server-<name>-<time>`). */
function savedChecks(dir: string): Map<string, Check[]> {
  const results = new Map<string, Check[]>();
  for (const entry of readdirSync(dir)) {
    const name = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry)?.[1];
    if (name) results.set(name, JSON.parse(readFileSync(join(dir, entry, "checks.json"), "utf8")) as Check[]);
  }
  return results;
}

let bin: RunningBin;
let proxy: BearerProxy;
let scenarios: string[];

beforeAll(async () => {
  const listed = await conformance(["list", "--server"]).catch((error: Error) => ({
    code: null,
    output: error.message,
  }));
  if (listed.code !== 0) {
    throw new Error(
      `The MCP conformance suite could not be run: \`npx ${NPX_ARGS.join(" ")}\` failed (it fetches Node 22 and ${SUITE} from the npm registry on first use, and the suite crashes on an older Node). Output:\n${listed.output}`,
    );
  }
  scenarios = [...listed.output.matchAll(/^ {2}- ([a-z0-9-]+)/gm)].map((m) => m[1] ?? "");
  bin = await startBin(["http", "--sandbox", "--port", "0"]);
  const { client, oauth } = await connectThroughPages(bin.mcpUrl);
  await client.close();
  proxy = await startBearerProxy(bin.mcpUrl, () => oauth.saved?.access_token ?? "");
}, TIMEOUT_MS);

afterAll(async () => {
  await proxy?.close();
  await bin?.stop();
});

describe(`MCP conformance suite (${SUITE}) against asana-mcp http --sandbox`, () => {
  it("every scenario of the suite either passes here or is an expected failure with a reason", () => {
    const expected = expectedFailures();
    expect(scenarios.length).toBeGreaterThan(PASSING.length);
    for (const [name, reason] of expected) expect(reason, `reason for ${name}`).not.toBe("");
    expect(PASSING.filter((name) => expected.has(name))).toEqual([]);
    expect(
      scenarios.filter((name) => !PASSING.includes(name) && !expected.has(name)),
      `scenarios of the suite neither passing nor in ${EXPECTED_FAILURES_FILE}`,
    ).toEqual([]);
    expect(
      [...PASSING, ...expected.keys()].filter((name) => !scenarios.includes(name)),
      "scenarios that are no longer in the suite",
    ).toEqual([]);
  });

  it(
    "passes the scenarios a real server can pass, and fails exactly the expected ones",
    async () => {
      const work = mkdtempSync(join(tmpdir(), "asana-mcp-conformance-"));
      const baseline = join(work, "expected-failures.yml");
      writeFileSync(baseline, `server:\n${[...expectedFailures().keys()].map((n) => `  - ${n}\n`).join("")}`);
      const results = join(work, "results");
      const run = await conformance([
        "server",
        "--url",
        proxy.url.href,
        "--suite",
        "all",
        "--expected-failures",
        baseline,
        "--output-dir",
        results,
      ]);
      // Exit 0: no unexpected failure, and no expected failure that now passes (a stale entry).
      expect(run.code, run.output.slice(-4000)).toBe(0);
      const checks = savedChecks(results);
      expect([...checks.keys()].sort()).toEqual([...scenarios].sort());
      for (const name of PASSING) {
        const own = checks.get(name) ?? [];
        expect(
          own.filter((c) => c.status === "FAILURE" || c.status === "WARNING"),
          name,
        ).toEqual([]);
        expect(
          own.some((c) => c.status === "SUCCESS"),
          name,
        ).toBe(true);
      }
      // The foreign Host is refused by the server itself: the proxy passes it on as sent.
      const rebinding = checks.get("dns-rebinding-protection") ?? [];
      expect(rebinding.find((c) => c.id === "localhost-host-rebinding-rejected")?.details).toMatchObject({
        hostHeader: "evil.example.com",
        statusCode: 403,
      });
    },
    TIMEOUT_MS,
  );
});

// Attacks on the allow-lists and the local-file boundary of the newer tools, each one a hole that
// was open: kept so it stays shut.
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, parse } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_TASK_GID } from "../src/sandbox/demo-data.js";
import { errorOf, type Harness, startHarness } from "./helpers/harness.js";
import { PAT_AND_BOT, SIDE } from "./helpers/tools.js";

let h: Harness | undefined;
const startedIn = process.cwd();
const cleanUp: string[] = [];
afterEach(async () => {
  process.chdir(startedIn);
  for (const dir of cleanUp.splice(0)) rmSync(dir, { recursive: true, force: true });
  await h?.close();
  h = undefined;
});

const uploads = (harness: Harness) =>
  harness.fake.requests.filter((r) => r.method === "POST" && r.path === "/attachments");

describe("upload_attachment without the client's roots", () => {
  // A client that declares no roots and starts the server in "/" (or the home directory) would
  // otherwise make every file on the machine (~/.ssh, ~/.aws, the server's own .env) uploadable.
  for (const [where, dir] of [
    ["the filesystem root", () => tmpdir()],
    ["the home directory", () => homedir()],
  ] as const) {
    it(`reads no local file when the working directory is ${where}`, async () => {
      const secret = join(realpathSync(mkdtempSync(join(dir(), ".asana-mcp-secret-"))), "id_rsa");
      writeFileSync(secret, "PRIVATE KEY");
      cleanUp.push(dirname(secret));
      process.chdir(where === "the home directory" ? dir() : parse(tmpdir()).root);
      h = await startHarness({ env: PAT_AND_BOT });
      const error = errorOf(await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: secret }));
      expect(error.code).toBe("invalid_input");
      expect(error.message).toContain("declares no roots");
      expect(uploads(h)).toEqual([]);
    });
  }

  it("still takes the working directory as the root when it is a folder of its own", async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), "asana-mcp-cwd-")));
    writeFileSync(join(root, "a.txt"), "x");
    process.chdir(root);
    h = await startHarness({ env: PAT_AND_BOT });
    const r = await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: join(root, "a.txt") });
    expect(r.isError, r.text).toBe(false);
    expect(uploads(h)).toHaveLength(1);
  });
});

describe("list_goals of a team", () => {
  it("refuses a team outside ASANA_WORKSPACES before asking Asana for its goals", async () => {
    const marketing = "1203000000000002";
    h = await startHarness({ env: { ...PAT_AND_BOT, ASANA_WORKSPACES: SIDE } });
    const before = h.fake.requests.length;
    const error = errorOf(await h.call("list_goals", { team_gid: marketing }));
    expect(error.code).toBe("policy_denied");
    expect(h.fake.requests.slice(before).filter((q) => q.path === "/goals")).toEqual([]);
  });
});

// upload_attachment through the MCP client against the sandbox: local files only inside the
// client's roots (symlinks followed), only in stdio mode, at most 100 MB (refused before any
// request); https links only; never uploaded twice; the allow-lists hold for the parent.
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SANDBOX_TOKENS,
  SIDE_PROJECT_TASK_GID,
} from "../../src/sandbox/demo-data.js";
import { MAX_ATTACHMENT_BYTES } from "../../src/tools/upload-attachment.js";
import { errorOf, type Harness, type HarnessOptions, startHarness } from "../helpers/harness.js";
import { ADA_WRITES, expectRefused, PAT_AND_BOT } from "../helpers/tools.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const SIDE_PROJECT_GID = String(
  demoData().tasks?.find((t) => t.gid === SIDE_PROJECT_TASK_GID)?.projects?.[0],
);

/** A fresh directory the test client declares as its one root; a second one outside it. */
function dirs() {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "asana-mcp-root-")));
  const outside = realpathSync(mkdtempSync(join(tmpdir(), "asana-mcp-outside-")));
  return { root, outside };
}

function withRoots(roots: string[], options: HarnessOptions = {}): Promise<Harness> {
  return startHarness({
    env: PAT_AND_BOT,
    ...options,
    clientCapabilities: { capabilities: { roots: {} } },
    clientSetup: (client) =>
      client.setRequestHandler(ListRootsRequestSchema, async () => ({
        roots: roots.map((r) => ({ uri: pathToFileURL(r).href, name: "test root" })),
      })),
  });
}

/** This process's open descriptors on the file (Linux: /proc/self/fd). */
function descriptorsOf(file: string): string[] {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  });
}

const uploads = (harness: Harness) =>
  harness.fake.requests.filter((r) => r.method === "POST" && r.path === "/attachments");

describe("upload_attachment: local files", () => {
  it("uploads a file inside a root, as the write identity, and it reads back", async () => {
    const { root } = dirs();
    const file = join(root, "report.pdf");
    writeFileSync(file, Buffer.alloc(4096, 7));
    h = await withRoots([root]);
    const before = h.fake.attachmentsOf(DEMO_TASK_GID).length;
    const outcome = await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: file });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.body).toMatchObject({
      attachment: {
        name: "report.pdf",
        size: 4096,
        resource_subtype: "asana",
        parent: { gid: DEMO_TASK_GID },
      },
      acting_as: { name: "Acme Bot", kind: "bot" },
    });
    const gid = (outcome.body.attachment as { gid: string }).gid;
    expect(h.fake.attachmentsOf(DEMO_TASK_GID)).toHaveLength(before + 1);
    const [post] = uploads(h);
    expect(post?.body).toEqual({
      multipart: [
        { name: "parent", value: DEMO_TASK_GID },
        { name: "file", filename: "report.pdf", type: "application/pdf", size: 4096 },
      ],
    });
    const read = await h.call("get_attachment", { attachment_gid: gid });
    expect(read.body.attachment).toMatchObject({ name: "report.pdf", size: 4096 });
    // Asana takes no <img> in a comment; the link the answer offers is one a comment takes.
    const link = outcome.body.link_html as string;
    expect(link).toBe(`<a href="https://app.asana.com/app/asana/-/get_asset?asset_id=${gid}">report.pdf</a>`);
    const comment = await h.call("create_comment", {
      task_gid: DEMO_TASK_GID,
      html_text: `<body>See ${link}</body>`,
    });
    expect(comment.isError, comment.text).toBe(false);
    const inline = await h.call("create_comment", {
      task_gid: DEMO_TASK_GID,
      html_text: `<body><img data-asana-gid="${gid}"/></body>`,
    });
    expect(errorOf(inline).code).toBe("invalid_input");
  });

  it("sends a non-ASCII name URL-encoded, and Asana shows it decoded", async () => {
    const { root } = dirs();
    const file = join(root, "résumé.txt");
    writeFileSync(file, "hello");
    h = await withRoots([root]);
    const outcome = await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: file });
    expect(outcome.isError, outcome.text).toBe(false);
    expect((outcome.body.attachment as { name: string }).name).toBe("résumé.txt");
    const body = uploads(h)[0]?.body as { multipart: Array<{ filename?: string }> } | undefined;
    const part = body?.multipart[1];
    expect(part?.filename).toBe(encodeURIComponent("résumé.txt"));
  });

  it("refuses a path outside the roots, a symlink leading out, a directory and a missing file, before any request", async () => {
    const { root, outside } = dirs();
    writeFileSync(join(outside, "secret.txt"), "not yours");
    symlinkSync(join(outside, "secret.txt"), join(root, "innocent.txt"));
    symlinkSync(outside, join(root, "linked-dir"));
    mkdirSync(join(root, "folder"));
    h = await withRoots([root]);
    const before = h.fake.requests.length;
    const cases: Array<[string, string]> = [
      [join(outside, "secret.txt"), `outside the client's roots (${root})`],
      [join(root, "innocent.txt"), `resolves to ${join(outside, "secret.txt")}`],
      [join(root, "linked-dir", "secret.txt"), "outside the client's roots"],
      [join(root, "..", outside.split("/").at(-1) as string, "secret.txt"), "outside the client's roots"],
      [join(root, "folder"), "is a directory"],
      [join(root, "missing.txt"), "does not exist"],
      ["relative/file.txt", "not an absolute path"],
      ["/etc/passwd", "outside the client's roots"],
    ];
    for (const [path, message] of cases) {
      const error = errorOf(await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path }));
      expect(error.code, path).toBe("invalid_input");
      expect(error.message, path).toContain(message);
    }
    expect(h.fake.requests.slice(before)).toEqual([]);
  });

  it("refuses the files the server keeps its own credentials in, however they are named, before any request", async () => {
    // A project's .env, or the OAuth login's file, often sits inside the client's roots: uploading
    // it would hand the server's tokens to whoever reads the task.
    const { root } = dirs();
    const envFile = join(root, ".env");
    writeFileSync(envFile, "ASANA_LOG_LEVEL=error\n");
    const login = join(root, "oauth-login.json");
    writeFileSync(login, "{}");
    symlinkSync(envFile, join(root, "notes.txt"));
    linkSync(login, join(root, "hardlink.json"));
    // What a write of the login killed before its rename leaves.
    const leftover = `${login}.4242.0badcafe.tmp`;
    writeFileSync(leftover, "{}");
    h = await withRoots([root], {
      env: { ...PAT_AND_BOT, ASANA_ENV_FILE: envFile, ASANA_TOKEN_STORE: login },
    });
    const before = h.fake.requests.length;
    for (const path of [envFile, join(root, "notes.txt"), login, join(root, "hardlink.json"), leftover]) {
      const error = errorOf(await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path }));
      expect(error.code, path).toBe("invalid_input");
      expect(error.message, path).toContain("credentials");
    }
    expect(h.fake.requests.slice(before)).toEqual([]);
  });

  it("refuses a file that holds one of the server's tokens, whatever it is called, before any request", async () => {
    // Cursor's .cursor/mcp.json (and Claude Code's project .mcp.json) keep the tokens in the project
    // the client declares as its root: uploading it would hand them to whoever reads the task.
    const { root } = dirs();
    mkdirSync(join(root, ".cursor"));
    const config = join(root, ".cursor", "mcp.json");
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: { asana: { command: "node", env: { ASANA_BOT_PAT: SANDBOX_TOKENS.bot } } },
      }),
    );
    // A large log with the reader's token across the scan's chunks, JSON-escaped as some writers do.
    const log = join(root, "server.log");
    const pad = Buffer.alloc((1 << 20) - 7, 0x61);
    writeFileSync(log, Buffer.concat([pad, Buffer.from(JSON.stringify(SANDBOX_TOKENS.pat)), pad]));
    h = await withRoots([root]);
    const before = h.fake.requests.length;
    for (const path of [config, log]) {
      const error = errorOf(await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path }));
      expect(error.code, path).toBe("invalid_input");
      expect(error.message, path).toContain("holds a token of this server");
      expect(error.message, path).not.toContain(SANDBOX_TOKENS.bot);
    }
    expect(h.fake.requests.slice(before)).toEqual([]);
  });

  it.runIf(process.platform === "linux")(
    "refuses /proc, /sys and /dev even inside a root: the server's own environment is there",
    async () => {
      const { root } = dirs();
      symlinkSync("/proc/self/environ", join(root, "environ.txt"));
      h = await withRoots([root, "/proc", "/sys"]);
      const before = h.fake.requests.length;
      for (const path of [
        "/proc/self/environ",
        join(root, "environ.txt"),
        "/sys/kernel/mm/transparent_hugepage/enabled",
      ]) {
        const error = errorOf(await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path }));
        expect(error.code, path).toBe("invalid_input");
      }
      expect(h.fake.requests.slice(before)).toEqual([]);
    },
  );

  it("refuses a file whose own name would read otherwise, unless a name is given, before opening it", async () => {
    // A file named "invoice<RLO>fdp.exe" shows in Asana as "invoiceexe.pdf": its name is the
    // attachment's when none is given, so it is held to the rules a given name is.
    const { root } = dirs();
    const file = join(root, "invoice\u202efdp.exe");
    writeFileSync(file, "MZ");
    h = await withRoots([root]);
    const error = errorOf(await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: file }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("bidirectional");
    expect(error.hint).toContain("name");
    expect(uploads(h)).toEqual([]);
    const named = await h.call("upload_attachment", {
      task_gid: DEMO_TASK_GID,
      path: file,
      name: "invoice.exe",
    });
    expect(named.isError, named.text).toBe(false);
    expect((named.body.attachment as { name: string }).name).toBe("invoice.exe");
  });

  it.runIf(process.platform === "linux")(
    "refuses a name with an unpaired surrogate or a line separator before the file is opened, and holds nothing open",
    async () => {
      const { root } = dirs();
      const file = join(root, "plain.txt");
      writeFileSync(file, "plain");
      h = await withRoots([root]);
      const holding = () => descriptorsOf(file);
      for (const name of ["half \ud83d", "two\u2028lines", "two\u2029paragraphs"]) {
        const error = errorOf(
          await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: file, name }),
        );
        expect(error.code, JSON.stringify(name)).toBe("invalid_input");
        expect(error.message, JSON.stringify(name)).toContain("name");
      }
      expect(holding()).toEqual([]);
      expect(uploads(h)).toEqual([]);
    },
  );

  it("without the roots capability, only the server's working directory is a root", async () => {
    const { outside } = dirs();
    writeFileSync(join(outside, "a.txt"), "x");
    h = await startHarness({ env: PAT_AND_BOT });
    const error = errorOf(
      await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: join(outside, "a.txt") }),
    );
    expect(error.message).toContain(`outside the client's roots (${process.cwd()})`);
  });

  it("in http mode refuses every local path, saying why", async () => {
    const { root } = dirs();
    writeFileSync(join(root, "a.txt"), "x");
    h = await withRoots([root], { localFiles: false });
    const before = h.fake.requests.length;
    const error = errorOf(
      await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: join(root, "a.txt") }),
    );
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("http mode");
    expect(error.hint).toContain("url");
    expect(h.fake.requests.slice(before)).toEqual([]);
  });

  it("refuses a file over Asana's 100 MB before sending anything (a sparse file)", async () => {
    const { root } = dirs();
    const big = join(root, "big.bin");
    writeFileSync(big, "");
    truncateSync(big, MAX_ATTACHMENT_BYTES + 1);
    const exact = join(root, "exact.bin");
    writeFileSync(exact, "");
    truncateSync(exact, MAX_ATTACHMENT_BYTES);
    h = await withRoots([root]);
    const before = h.fake.requests.length;
    const error = errorOf(await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: big }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("100 MB");
    expect(error.message).toContain(`${MAX_ATTACHMENT_BYTES + 1} bytes`);
    expect(h.fake.requests.slice(before)).toEqual([]);
    const listed = await h.client.listTools();
    expect(listed.tools.find((t) => t.name === "upload_attachment")?.description).toContain("100 MB");
  });
});

describe("upload_attachment: links", () => {
  it("attaches an https link to a project; Asana stores the link", async () => {
    h = await startHarness({ env: PAT_AND_BOT });
    const outcome = await h.call("upload_attachment", {
      project_gid: `https://app.asana.com/0/${DEMO_PROJECT_GID}/list`,
      url: "https://example.com/specs/v2?tab=1",
      name: "Spec v2",
    });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.body.attachment).toMatchObject({
      name: "Spec v2",
      resource_subtype: "external",
      view_url: "https://example.com/specs/v2?tab=1",
      parent: { gid: DEMO_PROJECT_GID, resource_type: "project" },
    });
    expect(uploads(h)[0]?.body).toEqual({
      multipart: [
        { name: "parent", value: DEMO_PROJECT_GID },
        { name: "resource_subtype", value: "external" },
        { name: "url", value: "https://example.com/specs/v2?tab=1" },
        { name: "name", value: "Spec v2" },
      ],
    });
    expect(h.fake.attachmentsOf(DEMO_PROJECT_GID).map((a) => a.name)).toEqual(["Spec v2"]);
  });

  it("refuses links that are not https, or carry credentials, and bad combinations, before any request", async () => {
    h = await startHarness({ env: PAT_AND_BOT });
    const task = { task_gid: DEMO_TASK_GID };
    await expectRefused(h, "upload_attachment", [
      [{ ...task, url: "http://example.com/a" }, "must be an https:// link"],
      [{ ...task, url: "javascript:alert(1)" }, "must be an https:// link"],
      [{ ...task, url: "file:///etc/passwd" }, "must be an https:// link"],
      [{ ...task, url: "https://user:secret@example.com/a" }, "user name or password"],
      [{ ...task, url: "https://token@example.com/a" }, "user name or password"],
      [{ ...task, url: "example.com/a" }, "not an absolute URL"],
      [{ ...task, url: "https://example.com/a", path: "/tmp/a" }, "exactly one of path"],
      [{ ...task }, "exactly one of path"],
      [{ url: "https://example.com/a" }, "exactly one of task_gid or project_gid"],
      [{ ...task, project_gid: DEMO_PROJECT_GID, url: "https://example.com/a" }, "exactly one of task_gid"],
      [{ ...task, url: "https://example.com/a", name: "a\u0007b" }, "control or bidirectional characters"],
      [{ ...task, url: "https://example.com/a", name: "report\u202efdp.exe" }, "bidirectional characters"],
      [{ ...task, url: "https://example.com/\u202eexe.pdf" }, "bidirectional characters"],
      [{ ...task, url: "https://example.com/a\u0085b" }, "control or bidirectional characters"],
      [{ ...task, url: "https://example.com/a", name: "x".repeat(256) }, "at most 255"],
    ]);
  });
});

describe("upload_attachment: never twice", () => {
  const env = { ...PAT_AND_BOT, ASANA_TIMEOUT_MS: "10000" };

  it("an upload whose answer is lost is found by reading back, not sent again", async () => {
    const { root } = dirs();
    const file = join(root, "notes.txt");
    writeFileSync(file, "the notes");
    h = await withRoots([root], { env });
    h.fake.inject({ method: "POST", path: "/attachments", type: "reset-after" });
    const outcome = await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: file });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.body.verified_after_uncertain_failure).toBe(true);
    expect(uploads(h)).toHaveLength(1);
    const made = h.fake.attachmentsOf(DEMO_TASK_GID).filter((a) => a.name === "notes.txt");
    expect(made.map((a) => a.gid)).toEqual([(outcome.body.attachment as { gid: string }).gid]);
    // The settlement read the parent's attachments.
    expect(h.fake.requests.some((r) => r.method === "GET" && r.path === "/attachments")).toBe(true);
  });

  it.skipIf(process.platform !== "linux")(
    "holds the file open only while it uploads, whatever the outcome",
    async () => {
      const { root } = dirs();
      const file = join(root, "held.txt");
      writeFileSync(file, "held");
      h = await withRoots([root], { env });
      const holding = () => descriptorsOf(file);
      const ok = await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: file });
      expect(ok.isError, ok.text).toBe(false);
      h.fake.inject({ method: "POST", path: "/attachments", type: "reset-after" });
      const lost = await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: file, name: "held 2" });
      expect(lost.isError, lost.text).toBe(false);
      const refused = await h.call("upload_attachment", { task_gid: SIDE_PROJECT_TASK_GID, path: file });
      expect(refused.isError).toBe(true);
      expect(holding()).toEqual([]);
    },
  );

  it("an upload that failed uncertainly and did not land is reported not applied; an earlier identical one is not taken", async () => {
    const { root } = dirs();
    const file = join(root, "same.txt");
    writeFileSync(file, "same bytes");
    h = await withRoots([root], { env });
    const first = await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: file });
    expect(first.isError, first.text).toBe(false);
    h.fake.inject({ method: "POST", path: "/attachments", type: "status", status: 503 });
    const second = await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, path: file });
    expect(errorOf(second).code).toBe("write_not_applied");
    expect(uploads(h)).toHaveLength(2);
    expect(h.fake.attachmentsOf(DEMO_TASK_GID).filter((a) => a.name === "same.txt")).toHaveLength(1);
  });

  it("a link whose answer is lost is settled the same way", async () => {
    h = await startHarness({ env });
    h.fake.inject({ method: "POST", path: "/attachments", type: "cut-body" });
    const outcome = await h.call("upload_attachment", {
      task_gid: DEMO_TASK_GID,
      url: "https://example.com/x",
    });
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.body.verified_after_uncertain_failure).toBe(true);
    expect(uploads(h)).toHaveLength(1);
    expect(h.fake.attachmentsOf(DEMO_TASK_GID).filter((a) => a.url === "https://example.com/x")).toHaveLength(
      1,
    );
  });
});

describe("upload_attachment: the allow-lists", () => {
  it("refuses a parent outside ASANA_PROJECTS or ASANA_WORKSPACES, whatever form names it, before any upload", async () => {
    const link = { url: "https://example.com/a" };
    h = await startHarness({ env: { ...ADA_WRITES, ASANA_PROJECTS: DEMO_PROJECT_GID } });
    for (const args of [
      { task_gid: SIDE_PROJECT_TASK_GID, ...link },
      { task_gid: `https://app.asana.com/0/${DEMO_PROJECT_GID}/${SIDE_PROJECT_TASK_GID}`, ...link },
      { project_gid: SIDE_PROJECT_GID, ...link },
      { project_gid: `https://app.asana.com/0/${SIDE_PROJECT_GID}/list`, ...link },
    ]) {
      expect(errorOf(await h.call("upload_attachment", args)).code, JSON.stringify(args)).toBe(
        "policy_denied",
      );
    }
    expect(uploads(h)).toEqual([]);
    const inside = await h.call("upload_attachment", { task_gid: DEMO_TASK_GID, ...link });
    expect(inside.isError, inside.text).toBe(false);
    await h.close();

    const acme = demoData().workspaces[0]?.gid as string;
    h = await startHarness({ env: { ...ADA_WRITES, ASANA_WORKSPACES: acme } });
    for (const args of [
      { task_gid: SIDE_PROJECT_TASK_GID, ...link },
      { project_gid: SIDE_PROJECT_GID, ...link },
    ]) {
      expect(errorOf(await h.call("upload_attachment", args)).code, JSON.stringify(args)).toBe(
        "policy_denied",
      );
    }
    expect(uploads(h)).toEqual([]);
  });

  it("a parent the acting identity cannot see is Asana's 403, uploaded nowhere", async () => {
    h = await startHarness({ env: PAT_AND_BOT });
    const error = errorOf(
      await h.call("upload_attachment", { task_gid: SIDE_PROJECT_TASK_GID, url: "https://example.com/a" }),
    );
    expect(error.code).toBe("forbidden");
    expect(h.fake.attachmentsOf(SIDE_PROJECT_TASK_GID)).toEqual([]);
  });
});

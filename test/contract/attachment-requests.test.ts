// Uploads against Asana's spec: the multipart requests upload_attachment sends (and its read-backs)
// validate; the checker refuses the multipart bodies the spec does not allow; the sandbox refuses
// what Asana refuses on POST /attachments.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TASK_GID, SANDBOX_TOKENS, SIDE_PROJECT_TASK_GID } from "../../src/sandbox/demo-data.js";
import { type StartedFakeAsana, startFakeAsana } from "../fake-asana/index.js";
import { startHarness } from "../helpers/harness.js";
import { validateRequest } from "./spec.js";

describe("upload requests built by the server", () => {
  it("match Asana's OpenAPI spec, multipart form included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "asana-mcp-contract-"));
    writeFileSync(join(dir, "plan é.txt"), "plan");
    const h = await startHarness({
      env: { ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_BOT_PAT: SANDBOX_TOKENS.bot, ASANA_TIMEOUT_MS: "10000" },
      clientCapabilities: { capabilities: { roots: {} } },
      clientSetup: (client) =>
        client.setRequestHandler(ListRootsRequestSchema, async () => ({
          roots: [{ uri: pathToFileURL(dir).href }],
        })),
    });
    try {
      const file = await h.call("upload_attachment", {
        task_gid: DEMO_TASK_GID,
        path: join(dir, "plan é.txt"),
      });
      expect(file.isError, file.text).toBe(false);
      const link = await h.call("upload_attachment", {
        task_gid: DEMO_TASK_GID,
        url: "https://example.com/a",
      });
      expect(link.isError, link.text).toBe(false);
      h.fake.inject({ method: "POST", path: "/attachments", type: "reset-after" });
      const settled = await h.call("upload_attachment", {
        task_gid: DEMO_TASK_GID,
        url: "https://example.com/b",
      });
      expect(settled.isError, settled.text).toBe(false);
      const checked = h.fake.requests.filter((r) => r.path === "/attachments");
      expect(new Set(checked.map((r) => r.method))).toEqual(new Set(["POST", "GET"]));
      for (const r of checked) {
        const problems = validateRequest({
          method: r.method,
          path: r.path,
          query: r.query,
          body: r.body ?? undefined,
        });
        expect(problems, `${r.method} ${r.path}`).toEqual([]);
      }
    } finally {
      await h.close();
    }
  });
});

const post = (multipart: unknown[]) =>
  validateRequest({ method: "POST", path: "/attachments", query: {}, body: { multipart } });
const parent = { name: "parent", value: "1" };
const file = { name: "file", filename: "a.txt", type: "text/plain", size: 3 };

describe("the multipart checker", () => {
  it("accepts a file upload and an external link", () => {
    expect(post([parent, file])).toEqual([]);
    expect(
      post([
        parent,
        { name: "resource_subtype", value: "external" },
        { name: "url", value: "https://example.com" },
        { name: "name", value: "x" },
      ]),
    ).toEqual([]);
  });

  it.each([
    ["no parent", [file], 'missing required property "parent"'],
    ["a file sent as text", [parent, { name: "file", value: "abc" }], "must be a file part"],
    ["a field sent as a file", [{ ...file, name: "parent" }, file], "must be a text field"],
    [
      "an undeclared field",
      [parent, file, { name: "title", value: "x" }],
      'form field "title" is not declared',
    ],
    ["a field twice", [parent, parent, file], "sent more than once"],
    ["a raw non-ASCII file name", [parent, { ...file, filename: "résumé.pdf" }], "not URL-encoded ASCII"],
    [
      "an unknown subtype",
      [parent, file, { name: "resource_subtype", value: "dropbox" }],
      "not one of the allowed",
    ],
    ["a file upload without a file", [parent], 'needs the form field "file"'],
    [
      "an external link without its url",
      [parent, { name: "resource_subtype", value: "external" }, { name: "name", value: "x" }],
      'needs the form field "url"',
    ],
    ["a non-boolean connect_to_app", [parent, file, { name: "connect_to_app", value: "yes" }], "boolean"],
  ])("refuses %s", (_label, parts, message) => {
    expect(post(parts).join("\n")).toContain(message);
  });

  it("refuses a JSON body where the spec takes a form", () => {
    const problems = validateRequest({
      method: "POST",
      path: "/attachments",
      query: {},
      body: { data: { parent: "1" } },
    });
    expect(problems.join("\n")).toContain("multipart/form-data");
  });
});

describe("the sandbox's POST /attachments", () => {
  let started: StartedFakeAsana;
  beforeAll(async () => {
    started = await startFakeAsana();
  });
  afterAll(() => started.close());

  async function send(form: FormData | string, token: string = SANDBOX_TOKENS.pat) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (typeof form === "string") headers["content-type"] = "application/json";
    const response = await fetch(`${started.baseUrl}/attachments`, { method: "POST", headers, body: form });
    const body = (await response.json()) as {
      data?: Record<string, unknown>;
      errors?: Array<{ message: string }>;
    };
    return { status: response.status, body, message: body.errors?.[0]?.message ?? "" };
  }
  const form = (fields: Record<string, string>, withFile = true) => {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    if (withFile) f.append("file", new Blob(["abc"], { type: "text/plain" }), "a.txt");
    return f;
  };

  it("creates a file attachment readable at GET /attachments/:gid and in GET /attachments?parent=", async () => {
    const made = await send(form({ parent: DEMO_TASK_GID }));
    expect(made.status).toBe(200);
    expect(made.body.data).toMatchObject({ resource_type: "attachment", name: "a.txt" });
    const gid = made.body.data?.gid as string;
    const one = await fetch(`${started.baseUrl}/attachments/${gid}?opt_fields=size,parent`, {
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
    });
    expect(((await one.json()) as { data: unknown }).data).toMatchObject({
      size: 3,
      parent: { gid: DEMO_TASK_GID },
    });
    const listed = await fetch(`${started.baseUrl}/attachments?parent=${DEMO_TASK_GID}`, {
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
    });
    expect(((await listed.json()) as { data: Array<{ gid: string }> }).data.map((a) => a.gid)).toContain(gid);
  });

  it.each([
    ["no parent", () => form({}), 400, "parent: Missing input"],
    ["an unknown parent", () => form({ parent: "1299999999999999" }), 404, "Unknown object"],
    ["no file", () => form({ parent: DEMO_TASK_GID }, false), 400, "file: Missing input"],
    [
      "a file as text",
      () => form({ parent: DEMO_TASK_GID, file: "abc" }, false),
      400,
      "file: Must be a file",
    ],
    ["an unknown field", () => form({ parent: DEMO_TASK_GID, title: "x" }), 400, "title: Unknown property"],
    [
      "an external link without url",
      () => form({ parent: DEMO_TASK_GID, resource_subtype: "external", name: "x" }, false),
      400,
      "url: Missing input",
    ],
    [
      "an external link without name",
      () => form({ parent: DEMO_TASK_GID, resource_subtype: "external", url: "https://example.com" }, false),
      400,
      "name: Missing input",
    ],
    [
      "connect_to_app without OAuth",
      () => form({ parent: DEMO_TASK_GID, connect_to_app: "true" }),
      400,
      "OAuth",
    ],
  ])("refuses %s", async (_label, build, status, message) => {
    const answer = await send(build());
    expect(answer.status).toBe(status);
    expect(answer.message).toContain(message);
  });

  it("refuses a parent the token cannot see (403) and a JSON body (400)", async () => {
    const forbidden = await send(form({ parent: SIDE_PROJECT_TASK_GID }), SANDBOX_TOKENS.bot);
    expect(forbidden.status).toBe(403);
    const json = await send(JSON.stringify({ data: { parent: DEMO_TASK_GID } }));
    expect(json.status).toBe(400);
    expect(json.message).toContain("multipart/form-data");
    expect(started.fake.attachmentsOf(SIDE_PROJECT_TASK_GID)).toEqual([]);
  });
});

// How many Asana requests each tool sends (each one is latency and rate-limit budget), and that
// reading less never writes the wrong thing: field definitions read moments ago by get_project are
// not trusted for a write, since an option renamed in Asana keeps its gid.
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { DEMO_FIELD_GIDS, DEMO_PRIORITY_OPTIONS } from "../../src/sandbox/demo-world.js";
import { errorOf, type Harness, startHarness } from "../helpers/harness.js";
import { harnesses, PAT_AND_BOT, sent, writes } from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

/** One identity for reads and writes, so get_project's reads and the write share a cache if any. */
const PAT_ONLY = { ASANA_PAT: SANDBOX_TOKENS.pat };

interface OptionRec {
  gid: string;
  name: string;
  enabled: boolean;
}
/** The sandbox's Priority options, changed in place as someone in Asana's web app would. */
function priorityOptions(h: Harness): OptionRec[] {
  const store = (h.fake as unknown as { store: { world: { fields: Map<string, { options: OptionRec[] }> } } })
    .store;
  const field = store.world.fields.get(DEMO_FIELD_GIDS.priority);
  if (!field) throw new Error("no Priority field in the sandbox");
  return field.options;
}

const paths = (h: Harness) => sent(h).map((r) => `${r.method} ${r.path}`);

describe("requests per tool", () => {
  it("get_project: the project with its field settings, its sections, its status updates", async () => {
    const h = await hs.start();
    const out = await h.call("get_project", { project_gid: DEMO_PROJECT_GID });
    expect(out.isError, out.text).toBe(false);
    expect(paths(h).sort()).toEqual(
      [
        `GET /projects/${DEMO_PROJECT_GID}`,
        `GET /projects/${DEMO_PROJECT_GID}/sections`,
        "GET /status_updates",
      ].sort(),
    );
  });

  it("update_task with a custom field: one read (projects and field definitions), one PUT", async () => {
    const h = await hs.start();
    await h.call("get_project", { project_gid: DEMO_PROJECT_GID });
    const before = sent(h).length;
    const out = await h.call("update_task", {
      task_gid: DEMO_TASK_GID,
      due_on: "2027-01-15",
      custom_fields: { Priority: "Low" },
    });
    expect(out.isError, out.text).toBe(false);
    expect(paths(h).slice(before)).toEqual([`GET /tasks/${DEMO_TASK_GID}`, `PUT /tasks/${DEMO_TASK_GID}`]);
    expect(h.fake.task(DEMO_TASK_GID)?.customFields).toMatchObject({
      [DEMO_FIELD_GIDS.priority]: DEMO_PRIORITY_OPTIONS.low,
    });
  });

  it("get_task: the task and its attachments (Asana offers no attachments on the task)", async () => {
    const h = await hs.start();
    const out = await h.call("get_task", { task_gid: DEMO_TASK_GID });
    expect(out.isError, out.text).toBe(false);
    expect(paths(h).sort()).toEqual([`GET /tasks/${DEMO_TASK_GID}`, "GET /attachments"].sort());
  });

  it("start-up resolves each identity once; whoami and the first write resolve nothing again", async () => {
    const h = await hs.start();
    expect(h.fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /users/me", "GET /users/me"]);
    await h.call("whoami");
    await h.call("update_task", { task_gid: DEMO_TASK_GID, assignee: "me" });
    expect(paths(h)).toEqual([`PUT /tasks/${DEMO_TASK_GID}`]);
  });

  it("calls that arrive while start-up is still resolving share its GET /users/me", async () => {
    const h = await startHarness({ env: PAT_AND_BOT, resolve: false });
    try {
      const calls = [h.call("whoami"), h.call("update_task", { task_gid: DEMO_TASK_GID, assignee: "me" })];
      await Promise.all([h.resolveIdentities(), ...calls]);
      expect(h.fake.requests.filter((r) => r.path === "/users/me")).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});

describe("field definitions read moments ago never cause a wrong write", () => {
  it("update_task after get_project: options renamed in between resolve to their new names", async () => {
    const h = await hs.start(PAT_ONLY);
    await h.call("get_project", { project_gid: DEMO_PROJECT_GID });
    // Someone swaps the names of High and Low in Asana: "High" is now the option that was Low.
    const options = priorityOptions(h);
    const high = options.find((o) => o.gid === DEMO_PRIORITY_OPTIONS.high);
    const low = options.find((o) => o.gid === DEMO_PRIORITY_OPTIONS.low);
    if (!high || !low) throw new Error("no High/Low options");
    [high.name, low.name] = ["Low", "High"];
    const out = await h.call("update_task", { task_gid: DEMO_TASK_GID, custom_fields: { Priority: "High" } });
    expect(out.isError, out.text).toBe(false);
    expect(h.fake.task(DEMO_TASK_GID)?.customFields).toMatchObject({
      [DEMO_FIELD_GIDS.priority]: DEMO_PRIORITY_OPTIONS.low,
    });
  });

  it("create_task after get_project: a renamed option resolves to its new name", async () => {
    const h = await hs.start(PAT_ONLY);
    await h.call("get_project", { project_gid: DEMO_PROJECT_GID });
    const options = priorityOptions(h);
    const high = options.find((o) => o.gid === DEMO_PRIORITY_OPTIONS.high);
    const low = options.find((o) => o.gid === DEMO_PRIORITY_OPTIONS.low);
    if (!high || !low) throw new Error("no High/Low options");
    [high.name, low.name] = ["Low", "High"];
    const out = await h.call("create_task", {
      project_gid: DEMO_PROJECT_GID,
      name: "Check the renamed option",
      custom_fields: { Priority: "High" },
    });
    expect(out.isError, out.text).toBe(false);
    const [created] = h.fake.tasksNamed("Check the renamed option");
    expect(h.fake.task(created ?? "")?.customFields).toMatchObject({
      [DEMO_FIELD_GIDS.priority]: DEMO_PRIORITY_OPTIONS.low,
    });
  });

  it("an option disabled after get_project is refused before any write, naming the valid ones", async () => {
    const h = await hs.start(PAT_ONLY);
    await h.call("get_project", { project_gid: DEMO_PROJECT_GID });
    const medium = priorityOptions(h).find((o) => o.gid === DEMO_PRIORITY_OPTIONS.medium);
    if (!medium) throw new Error("no Medium option");
    medium.enabled = false;
    for (const [name, args] of [
      ["update_task", { task_gid: DEMO_TASK_GID }],
      ["create_task", { project_gid: DEMO_PROJECT_GID, name: "Medium task" }],
    ] as const) {
      const bad = errorOf(await h.call(name, { ...args, custom_fields: { Priority: "Medium" } }));
      expect(bad.code).toBe("invalid_input");
      expect(bad.message).toContain("options: High, Low");
    }
    expect(writes(h)).toEqual([]);
  });

  it("under ASANA_PROJECTS, update_task reads the allowed project's settings, not the task's fields", async () => {
    const h = await hs.start({ ASANA_PAT: SANDBOX_TOKENS.pat, ASANA_PROJECTS: DEMO_PROJECT_GID });
    const out = await h.call("update_task", { task_gid: DEMO_TASK_GID, custom_fields: { Priority: "Low" } });
    expect(out.isError, out.text).toBe(false);
    const reads = sent(h).filter((r) => r.method === "GET");
    expect(reads.some((r) => r.path === `/projects/${DEMO_PROJECT_GID}/custom_field_settings`)).toBe(true);
    expect(reads.every((r) => !(r.query.opt_fields ?? "").includes("custom_fields"))).toBe(true);
  });
});

// What Asana accepts, the sandbox accepts too, so other Asana clients can be measured against it:
// GET /projects/{gid}/tasks, POST /tasks/{gid}/subtasks, resource_subtype on create, a project's
// custom_field_settings, task records with custom_fields by default, unique custom field setting gids.
// Every request here is also checked against Asana's spec, so the sandbox is not taught a dialect.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, demoData, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { DEMO_FIELD_GIDS, DEMO_SUBTASK_GIDS } from "../../src/sandbox/demo-world.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import { validateRequest } from "../contract/spec.js";
import { type StartedFakeAsana, startFakeAsana } from "./index.js";

type Rec = Record<string, unknown> & { gid: string };
interface Answer {
  status: number;
  body: { data?: unknown; next_page?: { offset: string } | null; errors?: Array<{ message: string }> };
}

let s: StartedFakeAsana;
beforeAll(async () => {
  s = await startFakeAsana();
});
afterAll(() => s.close());

/** `valid: false` for requests meant to break a rule (the spec's schema may refuse them too). */
async function call(
  path: string,
  method = "GET",
  data?: unknown,
  on: StartedFakeAsana = s,
  valid = true,
): Promise<Answer> {
  const url = new URL(`${on.baseUrl}${path}`);
  const body = data === undefined ? undefined : { data };
  if (valid)
    expect(
      validateRequest({
        method,
        path: url.pathname.slice("/api/1.0".length),
        query: Object.fromEntries(url.searchParams),
        body,
      }),
      `${method} ${path} is a request Asana's spec allows`,
    ).toEqual([]);
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}
const records = (a: Answer) => a.body.data as Rec[];
const gids = (a: Answer) => records(a).map((r) => r.gid);

describe("GET /projects/{project_gid}/tasks", () => {
  it("lists the project's tasks like GET /tasks?project=, compact, paged", async () => {
    const byQuery = await call(`/tasks?project=${DEMO_PROJECT_GID}`);
    const byPath = await call(`/projects/${DEMO_PROJECT_GID}/tasks`);
    expect(byPath.status).toBe(200);
    expect(gids(byPath)).toEqual(gids(byQuery));
    expect(gids(byPath)).toContain(DEMO_TASK_GID);
    expect(Object.keys(records(byPath)[0] ?? {}).sort()).toEqual([
      "gid",
      "name",
      "resource_subtype",
      "resource_type",
    ]);
    const first = await call(`/projects/${DEMO_PROJECT_GID}/tasks?limit=1&opt_fields=name,completed`);
    expect(records(first)).toHaveLength(1);
    expect(records(first)[0]).toHaveProperty("completed");
    expect(first.body.next_page?.offset).toEqual(expect.any(String));
    const second = await call(
      `/projects/${DEMO_PROJECT_GID}/tasks?limit=1&offset=${first.body.next_page?.offset ?? ""}`,
    );
    expect(gids(second)).toEqual(gids(byQuery).slice(1, 2));
  });

  it("honours completed_since and answers 404 for an unknown project", async () => {
    const now = await call(`/projects/${DEMO_PROJECT_GID}/tasks?completed_since=now&opt_fields=completed`);
    expect(records(now).every((t) => t.completed === false)).toBe(true);
    expect((await call("/projects/999999/tasks")).status).toBe(404);
  });
});

describe("POST /tasks/{task_gid}/subtasks", () => {
  it("creates a subtask of the path's task in its workspace and answers the full record", async () => {
    const made = await call(`/tasks/${DEMO_TASK_GID}/subtasks`, "POST", {
      name: "Check the press kit",
      due_on: "2026-03-01",
    });
    expect(made.status).toBe(201);
    const sub = made.body.data as Rec;
    expect(sub).toMatchObject({
      name: "Check the press kit",
      due_on: "2026-03-01",
      parent: { gid: DEMO_TASK_GID, resource_type: "task" },
      resource_subtype: "default_task",
    });
    expect(s.fake.task(sub.gid)).toMatchObject({
      parent: DEMO_TASK_GID,
      workspace: s.fake.task(DEMO_TASK_GID)?.workspace,
    });
    expect(gids(await call(`/tasks/${DEMO_TASK_GID}/subtasks`))).toEqual([...DEMO_SUBTASK_GIDS, sub.gid]);
  });

  it("refuses a bad body like POST /tasks does and creates nothing", async () => {
    const bad = await call(
      `/tasks/${DEMO_TASK_GID}/subtasks`,
      "POST",
      { name: "No", due_on: "2026-02-30" },
      s,
      false,
    );
    expect(bad.status).toBe(400);
    expect(s.fake.tasksNamed("No")).toEqual([]);
    expect((await call("/tasks/999999/subtasks", "POST", { name: "Orphan" })).status).toBe(404);
  });
});

describe("resource_subtype on task creation", () => {
  for (const subtype of ["default_task", "milestone", "approval"]) {
    it(`creates a ${subtype} and shows it in the record`, async () => {
      const made = await call("/tasks", "POST", {
        name: `A ${subtype}`,
        projects: [DEMO_PROJECT_GID],
        resource_subtype: subtype,
      });
      expect(made.status).toBe(201);
      const gid = (made.body.data as Rec).gid;
      expect((made.body.data as Rec).resource_subtype).toBe(subtype);
      expect(
        records(await call(`/projects/${DEMO_PROJECT_GID}/tasks`)).find((t) => t.gid === gid),
      ).toMatchObject({
        resource_subtype: subtype,
      });
    });
  }

  it("refuses a subtype outside the spec's enum", async () => {
    const response = await fetch(`${s.baseUrl}/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}`, "content-type": "application/json" },
      body: JSON.stringify({
        data: { name: "Epic", projects: [DEMO_PROJECT_GID], resource_subtype: "epic" },
      }),
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain("resource_subtype: Not a valid enum value: epic");
    expect(s.fake.tasksNamed("Epic")).toEqual([]);
  });
});

describe("custom fields on projects and tasks", () => {
  it("a task record carries custom_fields by default", async () => {
    const task = (await call(`/tasks/${DEMO_TASK_GID}`)).body.data as Rec;
    const fields = task.custom_fields as Rec[];
    expect(fields.map((f) => f.gid).sort()).toEqual(Object.values(DEMO_FIELD_GIDS).sort());
  });

  it("a project has custom_field_settings, by default and through opt_fields", async () => {
    const project = (await call(`/projects/${DEMO_PROJECT_GID}`)).body.data as Rec;
    const settings = project.custom_field_settings as Rec[];
    expect(settings.map((x) => x.resource_type)).toEqual([
      "custom_field_setting",
      "custom_field_setting",
      "custom_field_setting",
    ]);
    const asked = (
      await call(
        `/projects/${DEMO_PROJECT_GID}?opt_fields=custom_field_settings.custom_field.name,custom_field_settings.is_important`,
      )
    ).body.data as Rec;
    expect(asked.custom_field_settings).toEqual(
      settings.map((x) => ({
        gid: x.gid,
        resource_type: "custom_field_setting",
        is_important: true,
        custom_field: { gid: expect.any(String), resource_type: "custom_field", name: expect.any(String) },
      })),
    );
    const listed = await call(`/projects/${DEMO_PROJECT_GID}/custom_field_settings`);
    expect(gids(listed)).toEqual(settings.map((x) => x.gid));
  });

  it("custom field setting gids are unique, also for long gids that share a prefix", async () => {
    const data: FakeData = demoData();
    const world = data.world ?? {};
    // Two projects whose gids share 30 leading digits with the fields appended would collide if cut.
    const fields = Object.values(DEMO_FIELD_GIDS);
    const other = { ...(data.projects ?? [])[0], gid: "12040000000000019", name: "Prefix twin" };
    data.projects = [...(data.projects ?? []), other as NonNullable<FakeData["projects"]>[number]];
    world.projectFields = [
      ...(world.projectFields ?? []),
      ...fields.map((field) => ({ project: other.gid, field })),
    ];
    data.world = world;
    const own = await startFakeAsana(data);
    try {
      const all = [DEMO_PROJECT_GID, other.gid].flatMap((p) => [p]);
      const settingGids: string[] = [];
      for (const p of all)
        settingGids.push(...gids(await call(`/projects/${p}/custom_field_settings`, "GET", undefined, own)));
      expect(settingGids).toHaveLength(6);
      expect(new Set(settingGids).size).toBe(6);
      // Not the gid of anything else either.
      const taken = new Set(
        [...(data.tasks ?? []), ...(data.projects ?? []), ...(data.users ?? [])].map((x) => x.gid),
      );
      for (const g of settingGids) expect(taken.has(g), g).toBe(false);
    } finally {
      await own.close();
    }
  });
});

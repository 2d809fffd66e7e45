// The sandbox's eventual consistency (setReadLag) and its clock (setClockOffset), over real HTTP.
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { DEMO_SECTION_GIDS } from "../../src/sandbox/demo-world.js";
import { type StartedFakeAsana, startFakeAsana } from "./index.js";

type Data = Record<string, unknown> & { gid: string };
interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: Array<{ message: string }> };
}

let s: StartedFakeAsana | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function start(): Promise<StartedFakeAsana> {
  s = await startFakeAsana();
  return s;
}

async function call(
  started: StartedFakeAsana,
  path: string,
  method = "GET",
  data?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${SANDBOX_TOKENS.pat}` };
  if (data !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${started.baseUrl}${path}`, {
    method,
    headers,
    body: data === undefined ? undefined : JSON.stringify({ data }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer["body"],
  };
}

const gidsOf = (a: Answer): string[] => (a.body.data as Data[]).map((d) => d.gid);

/** What a client would list or get right after creating things; each entry: [path, gid it should show]. */
async function createEverything(f: StartedFakeAsana) {
  const task = await call(f, "/tasks", "POST", { name: "Lagging task", projects: [DEMO_PROJECT_GID] });
  const sub = await call(f, "/tasks", "POST", { name: "Lagging subtask", parent: DEMO_TASK_GID });
  const story = await call(f, `/tasks/${DEMO_TASK_GID}/stories`, "POST", { text: "lagging comment" });
  const section = await call(f, `/projects/${DEMO_PROJECT_GID}/sections`, "POST", { name: "Lagging" });
  const status = await call(f, "/status_updates", "POST", {
    parent: DEMO_PROJECT_GID,
    status_type: "on_track",
    text: "lagging status",
  });
  const created = { task, sub, story, section, status };
  for (const a of Object.values(created)) expect(a.status).toBe(201);
  const gid = (a: Answer) => (a.body.data as Data).gid;
  return {
    created,
    listings: [
      [`/tasks?project=${DEMO_PROJECT_GID}`, gid(task)],
      [`/tasks/${DEMO_TASK_GID}/subtasks`, gid(sub)],
      [`/tasks/${DEMO_TASK_GID}/stories`, gid(story)],
      [`/projects/${DEMO_PROJECT_GID}/sections`, gid(section)],
      [`/status_updates?parent=${DEMO_PROJECT_GID}`, gid(status)],
    ] as const,
    gets: [
      `/tasks/${gid(task)}`,
      `/tasks/${gid(sub)}`,
      `/stories/${gid(story)}`,
      `/sections/${gid(section)}`,
    ],
  };
}

describe("setReadLag", () => {
  it("hides what the API just created from every listing and GET, while the POST answers whole", async () => {
    const f = await start();
    f.fake.setReadLag(60_000);
    const { created, listings, gets } = await createEverything(f);
    expect(created.task.body.data).toMatchObject({ name: "Lagging task", resource_type: "task" });
    expect(created.story.body.data).toMatchObject({ text: "lagging comment", resource_type: "story" });
    expect(created.section.body.data).toMatchObject({ name: "Lagging" });
    expect(created.status.body.data).toMatchObject({ text: "lagging status" });
    for (const [path, gid] of listings) {
      const answer = await call(f, path);
      expect(answer.status, path).toBe(200);
      expect(gidsOf(answer), path).not.toContain(gid);
      // What existed before is still listed.
      expect(gidsOf(answer).length, path).toBeGreaterThan(0);
    }
    for (const path of gets) {
      const answer = await call(f, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.errors?.[0]?.message).toMatch(/Unknown object/);
    }
    // A listing of a just-created section and the stories of a just-created task 404 like the GET.
    const sectionGid = (created.section.body.data as Data).gid;
    expect((await call(f, `/tasks?section=${sectionGid}`)).status).toBe(404);
    expect((await call(f, `/tasks/${(created.task.body.data as Data).gid}/stories`)).status).toBe(404);
    // Seeded objects are not affected.
    expect((await call(f, `/tasks/${DEMO_TASK_GID}`)).status).toBe(200);
    expect((await call(f, `/sections/${DEMO_SECTION_GIDS.todo}`)).status).toBe(200);
  });

  it("shows everything once the lag has passed", async () => {
    const f = await start();
    f.fake.setReadLag(1_500);
    const { listings, gets } = await createEverything(f);
    expect((await call(f, gets[0] ?? "")).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    for (const [path, gid] of listings) expect(gidsOf(await call(f, path)), path).toContain(gid);
    for (const path of gets) expect((await call(f, path)).status, path).toBe(200);
  });

  it("is off by default and when set back to 0", async () => {
    const f = await start();
    const before = await createEverything(f);
    for (const [path, gid] of before.listings) expect(gidsOf(await call(f, path)), path).toContain(gid);
    f.fake.setReadLag(60_000);
    const during = await createEverything(f);
    expect((await call(f, during.gets[0] ?? "")).status).toBe(404);
    f.fake.setReadLag(0);
    for (const [path, gid] of during.listings) expect(gidsOf(await call(f, path)), path).toContain(gid);
    for (const path of during.gets) expect((await call(f, path)).status, path).toBe(200);
  });

  it("does not hide a just-created task from writes", async () => {
    const f = await start();
    f.fake.setReadLag(60_000);
    const task = await call(f, "/tasks", "POST", { name: "x", projects: [DEMO_PROJECT_GID] });
    const gid = (task.body.data as Data).gid;
    const put = await call(f, `/tasks/${gid}`, "PUT", { name: "y" });
    expect(put.status).toBe(200);
    expect(f.fake.task(gid)?.name).toBe("y");
  });

  it("refuses a negative or non-finite lag", async () => {
    const f = await start();
    expect(() => f.fake.setReadLag(-1)).toThrow(RangeError);
    expect(() => f.fake.setReadLag(Number.NaN)).toThrow(RangeError);
  });
});

const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

describe("setClockOffset", () => {
  it("every answer carries a Date header in HTTP-date form, errors and faults included", async () => {
    const f = await start();
    f.fake.inject({ type: "status", status: 503, path: "/workspaces" });
    const answers = [
      await call(f, "/users/me"),
      await call(f, "/nope"),
      await call(f, "/workspaces"),
      {
        headers: (await fetch(`${f.baseUrl}/users/me`)).headers,
      },
    ];
    for (const a of answers) {
      const date = a.headers.get("date") ?? "";
      expect(date).toMatch(HTTP_DATE);
      expect(Math.abs(Date.parse(date) - Date.now())).toBeLessThan(5_000);
    }
  });

  for (const offset of [3_600_000, -7_200_000]) {
    it(`stamps created_at/modified_at and the Date header with the sandbox's clock (${offset} ms)`, async () => {
      const f = await start();
      f.fake.setClockOffset(offset);
      const expected = Date.now() + offset;
      const near = (iso: unknown) => Math.abs(Date.parse(String(iso)) - expected);
      const { created } = await createEverything(f);
      const task = created.task.body.data as Data;
      expect(near(task.created_at)).toBeLessThan(5_000);
      expect(near(task.modified_at)).toBeLessThan(5_000);
      expect(near((created.story.body.data as Data).created_at)).toBeLessThan(5_000);
      expect(near((created.section.body.data as Data).created_at)).toBeLessThan(5_000);
      expect(near((created.status.body.data as Data).created_at)).toBeLessThan(5_000);
      const put = await call(f, `/tasks/${DEMO_TASK_GID}`, "PUT", { completed: true });
      expect(near((put.body.data as Data).modified_at)).toBeLessThan(5_000);
      expect(near((put.body.data as Data).completed_at)).toBeLessThan(5_000);
      const date = put.headers.get("date") ?? "";
      expect(date).toMatch(HTTP_DATE);
      expect(near(date)).toBeLessThan(5_000);
      // Unknown routes and faults read the same clock.
      f.fake.inject({ type: "status", status: 500 });
      expect(near((await call(f, "/users/me")).headers.get("date"))).toBeLessThan(5_000);
      expect(near((await call(f, "/nope")).headers.get("date"))).toBeLessThan(5_000);
    });
  }
});

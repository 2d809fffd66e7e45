// Reads the sandbox answers as Asana does: GET /tags/{gid}, nested custom field values under opt_fields,
// one-request project and task reads, and task search filters. Every request meant to be valid is also
// checked against Asana's spec, so the sandbox is not taught a dialect.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SANDBOX_TOKENS,
  SANDBOX_WORKSPACE_GIDS,
} from "../../src/sandbox/demo-data.js";
import { DEMO_FIELD_GIDS, DEMO_PRIORITY_OPTIONS, DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import { validateRequest } from "../contract/spec.js";
import { type StartedFakeAsana, startFakeAsana } from "./index.js";

type Rec = Record<string, unknown> & { gid: string };
interface Answer {
  status: number;
  body: { data?: unknown; next_page?: unknown; errors?: Array<{ message: string }> };
}

const SIDE_TAG_GID = "1208000000000099";

let s: StartedFakeAsana;
beforeAll(async () => {
  const data: FakeData = demoData();
  data.world?.tags?.push({
    gid: SIDE_TAG_GID,
    name: "side",
    workspace: SANDBOX_WORKSPACE_GIDS.side,
    color: null,
  });
  s = await startFakeAsana(data);
});
afterAll(() => s.close());

async function call(
  path: string,
  { token = SANDBOX_TOKENS.pat, valid = true }: { token?: string; valid?: boolean } = {},
): Promise<Answer> {
  const url = new URL(`${s.baseUrl}${path}`);
  if (valid)
    expect(
      validateRequest({
        method: "GET",
        path: url.pathname.slice("/api/1.0".length),
        query: Object.fromEntries(url.searchParams),
      }),
      `GET ${path} is a request Asana's spec allows`,
    ).toEqual([]);
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}
const record = (a: Answer) => a.body.data as Rec;

describe("GET /tags/{tag_gid}", () => {
  it("answers the tag record, and opt_fields selects its fields", async () => {
    const full = await call(`/tags/${DEMO_TAG_GIDS.launch}`);
    expect(full.status).toBe(200);
    expect(record(full)).toMatchObject({
      gid: DEMO_TAG_GIDS.launch,
      resource_type: "tag",
      name: "launch",
      color: "dark-green",
      workspace: { gid: SANDBOX_WORKSPACE_GIDS.acme, resource_type: "workspace" },
    });
    const some = await call(`/tags/${DEMO_TAG_GIDS.launch}?opt_fields=workspace,workspace.name,color`);
    expect(record(some)).toEqual({
      gid: DEMO_TAG_GIDS.launch,
      resource_type: "tag",
      color: "dark-green",
      workspace: { gid: SANDBOX_WORKSPACE_GIDS.acme, resource_type: "workspace", name: expect.any(String) },
    });
  });

  it("answers 404 for an unknown tag, 400 for a malformed gid, 403 for a workspace the caller is not in", async () => {
    expect((await call("/tags/1208000000000777")).status).toBe(404);
    expect((await call("/tags/not-a-gid", { valid: false })).status).toBe(400);
    // The bot belongs to Acme only; the tag lives in Side Projects.
    expect((await call(`/tags/${SIDE_TAG_GID}`, { token: SANDBOX_TOKENS.bot })).status).toBe(403);
    expect((await call(`/tags/${SIDE_TAG_GID}`)).status).toBe(200);
  });

  it("lists the tasks a tag is on (GET /tags/{tag_gid}/tasks), a tag of another workspace refused", async () => {
    const tagged = await call(`/tags/${DEMO_TAG_GIDS.launch}/tasks?opt_fields=name,completed&limit=5`);
    expect(tagged.status).toBe(200);
    expect((tagged.body.data as Rec[]).map((t) => t.gid)).toEqual([DEMO_TASK_GID]);
    expect((await call(`/tags/${SIDE_TAG_GID}/tasks`, { token: SANDBOX_TOKENS.bot })).status).toBe(403);
    expect((await call("/tags/1208000000000777/tasks")).status).toBe(404);
  });
});

describe("a task's custom_fields under opt_fields", () => {
  const ACME = SANDBOX_WORKSPACE_GIDS.acme;
  /** Every custom field entry of every task in the answer, single record or list. */
  const entries = (a: Answer): Rec[] => {
    const tasks = Array.isArray(a.body.data) ? (a.body.data as Rec[]) : [record(a)];
    return tasks.flatMap((t) => (t.custom_fields as Rec[] | undefined) ?? []);
  };

  it.each([
    "custom_fields.name,custom_fields.display_value",
    "custom_fields.display_value",
    "name,custom_fields.number_value",
    "custom_fields.enum_value.name",
  ])("keeps each entry's gid and resource_type with opt_fields=%s", async (fields) => {
    for (const path of [
      `/tasks/${DEMO_TASK_GID}?opt_fields=${fields}`,
      `/tasks?project=${DEMO_PROJECT_GID}&limit=5&opt_fields=${fields}`,
      `/projects/${DEMO_PROJECT_GID}/tasks?limit=5&opt_fields=${fields}`,
      `/workspaces/${ACME}/tasks/search?projects.any=${DEMO_PROJECT_GID}&opt_fields=${fields}`,
    ]) {
      const answer = await call(path);
      expect(answer.status, path).toBe(200);
      const got = entries(answer);
      expect(got.length, path).toBeGreaterThan(0);
      for (const entry of got) {
        expect(entry.gid, path).toMatch(/^\d+$/);
        expect(entry.resource_type, path).toBe("custom_field");
      }
    }
  });

  it("selects only the sub-fields asked for, and keeps nested enum options' gids too", async () => {
    const named = entries(
      await call(`/tasks/${DEMO_TASK_GID}?opt_fields=custom_fields.name,custom_fields.display_value`),
    );
    expect(named).toContainEqual({
      gid: DEMO_FIELD_GIDS.priority,
      resource_type: "custom_field",
      name: "Priority",
      display_value: "High",
    });
    const nested = entries(await call(`/tasks/${DEMO_TASK_GID}?opt_fields=custom_fields.enum_value.name`));
    expect(nested).toContainEqual({
      gid: DEMO_FIELD_GIDS.priority,
      resource_type: "custom_field",
      enum_value: { gid: DEMO_PRIORITY_OPTIONS.high, resource_type: "enum_option", name: "High" },
    });
  });
});

describe("GET /workspaces/{workspace_gid}/tasks/search", () => {
  const SEARCH = `/workspaces/${SANDBOX_WORKSPACE_GIDS.acme}/tasks/search`;
  const found = async (query: string) => {
    const answer = await call(`${SEARCH}?${query}`);
    expect(answer.status, query).toBe(200);
    expect(answer.body, "search never pages with an offset").not.toHaveProperty("next_page");
    return answer.body.data as Rec[];
  };

  it("filters on created_at.before and created_at.after, and sorts by created_at both ways", async () => {
    const all = await found("sort_by=created_at&sort_ascending=false&opt_fields=created_at");
    const stamps = all.map((t) => t.created_at as string);
    expect(stamps.length).toBeGreaterThan(10);
    expect(stamps).toEqual([...stamps].sort().reverse());
    const ascending = await found("sort_by=created_at&sort_ascending=true&opt_fields=created_at");
    expect(ascending.map((t) => t.created_at)).toEqual([...stamps].sort());

    const bound = stamps[5] as string;
    const before = await found(`created_at.before=${bound}&sort_by=created_at&opt_fields=created_at`);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((t) => (t.created_at as string) < bound)).toBe(true);
    expect(before.map((t) => t.gid)).toEqual(
      all.filter((t) => (t.created_at as string) < bound).map((t) => t.gid),
    );
    const after = await found(`created_at.after=${bound}&opt_fields=created_at`);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((t) => (t.created_at as string) > bound)).toBe(true);
    expect(before.length + after.length).toBeLessThan(all.length + 1);
    expect(await found("created_at.before=2000-01-01T00:00:00.000Z")).toEqual([]);
  });

  it("answers at most limit tasks (1 to 100) without a next_page, and refuses other limits", async () => {
    expect(await found("limit=3&sort_by=created_at")).toHaveLength(3);
    const first = await found("limit=3&sort_by=created_at");
    const more = await found("limit=6&sort_by=created_at");
    expect(more.slice(0, 3)).toEqual(first);
    for (const limit of ["0", "101", "ten"]) {
      expect((await call(`${SEARCH}?limit=${limit}`, { valid: false })).status, limit).toBe(400);
    }
  });

  it("filters on due_on ranges and on a due date that is unset", async () => {
    const withDue = await found("due_on.after=1900-01-01&opt_fields=due_on");
    expect(withDue.length).toBeGreaterThan(0);
    const bound = [...withDue.map((t) => t.due_on as string)].sort()[
      Math.floor(withDue.length / 2)
    ] as string;
    const early = await found(`due_on.before=${bound}&opt_fields=due_on`);
    expect(early.every((t) => (t.due_on as string) < bound)).toBe(true);
    expect(early.length).toBe(withDue.filter((t) => (t.due_on as string) < bound).length);
    const unset = await found("due_on=null&opt_fields=due_on");
    expect(unset.length).toBeGreaterThan(0);
    expect(unset.every((t) => t.due_on === null)).toBe(true);
  });

  it("filters with .not and .all as well as .any", async () => {
    const tagged = await found(`tags.any=${DEMO_TAG_GIDS.launch}`);
    expect(tagged.map((t) => t.gid)).toEqual([DEMO_TASK_GID]);
    const notTagged = await found(`tags.not=${DEMO_TAG_GIDS.launch}&projects.any=${DEMO_PROJECT_GID}`);
    expect(notTagged.length).toBeGreaterThan(0);
    expect(notTagged.map((t) => t.gid)).not.toContain(DEMO_TASK_GID);
    expect(await found(`tags.all=${DEMO_TAG_GIDS.launch},${DEMO_TAG_GIDS.blocked}`)).toEqual([]);
  });

  it("refuses a malformed date, an unknown sort and a non-boolean flag", async () => {
    for (const query of [
      "created_at.before=yesterday",
      "due_on.before=2025-13",
      "sort_by=name",
      "sort_ascending=yes",
      "completed=maybe",
    ]) {
      const answer = await call(`${SEARCH}?${query}`, { valid: false });
      expect(answer.status, query).toBe(400);
    }
  });
});

describe("one-request project and task reads: opt_fields the spec allows", () => {
  it("a project answers its current status, members, followers and access levels", async () => {
    const fields = [
      "current_status_update",
      "current_status_update.title",
      "current_status_update.resource_subtype",
      "current_status.title",
      "current_status.color",
      "members.name",
      "followers",
      "icon",
      "default_access_level",
      "minimum_access_level_for_sharing",
      "custom_fields",
      "due_date",
      "custom_field_settings.custom_field.enum_options.name",
      "custom_field_settings.custom_field.enabled",
      "custom_field_settings.custom_field.description",
    ].join(",");
    const project = record(await call(`/projects/${DEMO_PROJECT_GID}?opt_fields=${fields}`));
    for (const name of fields.split(",").map((f) => f.split(".")[0] as string))
      expect(project, name).toHaveProperty(name);
    const settings = project.custom_field_settings as Array<{ custom_field: Rec }>;
    const priority = settings.find((s) => s.custom_field.gid === DEMO_FIELD_GIDS.priority)?.custom_field;
    expect(priority).toMatchObject({ enabled: true, description: "" });
    expect((priority?.enum_options as Rec[] | undefined)?.map((o) => o.name)).toEqual([
      "High",
      "Medium",
      "Low",
    ]);
    expect(project.members).toEqual([
      expect.objectContaining({ resource_type: "user", name: expect.any(String) }),
    ]);
  });

  it("current_status_update follows the latest status update posted on the project", async () => {
    const before = record(await call(`/projects/${DEMO_PROJECT_GID}?opt_fields=current_status_update.title`));
    const posted = await fetch(`${s.baseUrl}/status_updates`, {
      method: "POST",
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}`, "content-type": "application/json" },
      body: JSON.stringify({
        data: {
          parent: DEMO_PROJECT_GID,
          title: "Slipping a week",
          text: "Vendor late.",
          status_type: "at_risk",
        },
      }),
    });
    expect(posted.status).toBe(201);
    const gid = ((await posted.json()) as { data: Rec }).data.gid;
    const after = record(
      await call(`/projects/${DEMO_PROJECT_GID}?opt_fields=current_status_update.title,current_status.color`),
    );
    expect(after.current_status_update).toEqual({
      gid,
      resource_type: "status_update",
      title: "Slipping a week",
    });
    expect(after.current_status).toMatchObject({ gid, resource_type: "project_status", color: "yellow" });
    expect(before.current_status_update).not.toEqual(after.current_status_update);
  });

  it("a task answers its memberships' and tags' names and the fields it never had", async () => {
    const fields = [
      // The spec lists `dependencies` but not `dependencies.name`: a dependency comes as gid only.
      "dependencies",
      "memberships.section.name",
      "memberships.project.name",
      "parent.name",
      "tags.name",
      "custom_fields.enabled",
      "assigned_by",
      "completed_by",
      "approval_status",
      "actual_time_minutes",
      "external",
      "is_rendered_as_separator",
    ].join(",");
    const task = record(await call(`/tasks/${DEMO_TASK_GID}?opt_fields=${fields}`));
    for (const name of fields.split(",").map((f) => f.split(".")[0] as string))
      expect(task, name).toHaveProperty(name);
    expect((task.dependencies as Rec[])[0]).toEqual({ gid: expect.any(String), resource_type: "task" });
    const memberships = task.memberships as Array<{ project: Rec; section: Rec | null }>;
    expect(memberships[0]?.section).toEqual(
      expect.objectContaining({ resource_type: "section", name: expect.any(String) }),
    );
    expect(task.tags).toEqual([{ gid: DEMO_TAG_GIDS.launch, resource_type: "tag", name: "launch" }]);
    expect((task.custom_fields as Rec[]).every((c) => c.enabled === true && typeof c.gid === "string")).toBe(
      true,
    );
    expect(task.is_rendered_as_separator).toBe(false);
  });
});

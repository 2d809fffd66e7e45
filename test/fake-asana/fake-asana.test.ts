// Tests of the fake Asana itself, over real HTTP with plain fetch: auth, users, workspaces, projects, tasks.
import { describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SANDBOX_TOKENS,
  SANDBOX_USER_GIDS,
  SANDBOX_WORKSPACE_GIDS,
  SIDE_PROJECT_TASK_GID,
} from "../../src/sandbox/demo-data.js";
import {
  type Body,
  data,
  fakePerFile,
  message,
  type NextPage,
  type Project,
  twoWorkspaceData,
} from "./http.js";
import { startFakeAsana } from "./index.js";

const ACME = SANDBOX_WORKSPACE_GIDS.acme;
const SIDE = SANDBOX_WORKSPACE_GIDS.side;

const file = fakePerFile();
const { call } = file;

describe("auth and envelope", () => {
  it("answers 401 Not Authorized without a token, with an unknown one and with a revoked one", async () => {
    for (const token of [null, "not-a-token"]) {
      const answer = await call("/users/me", { token });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ errors: [{ message: "Not Authorized", help: expect.any(String) }] });
      expect(answer.headers.get("content-type")).toContain("application/json");
    }
    const temp = await startFakeAsana();
    try {
      expect((await call("/users/me", { token: SANDBOX_TOKENS.bot }, temp)).status).toBe(200);
      temp.fake.revokeToken(SANDBOX_TOKENS.bot);
      expect((await call("/users/me", { token: SANDBOX_TOKENS.bot }, temp)).status).toBe(401);
    } finally {
      await temp.close();
    }
  });

  it("rejects an expired OAuth token with Asana's expiry message", async () => {
    file.s.fake.addToken({
      token: "expired-token",
      userGid: SANDBOX_USER_GIDS.oauth,
      expiresAt: Date.now() - 1,
    });
    const answer = await call("/users/me", { token: "expired-token" });
    expect(answer.status).toBe(401);
    expect(message(answer)).toContain("expired");
  });

  it("gives every response a unique X-Request-Id that matches the recorded request", async () => {
    const a = await call("/users/me");
    const b = await call("/nowhere");
    const ids = [a.headers.get("x-request-id"), b.headers.get("x-request-id")];
    expect(ids[0]).toBeTruthy();
    expect(ids[0]).not.toBe(ids[1]);
    expect(file.s.fake.requests.map((r) => r.id)).toEqual(expect.arrayContaining(ids));
  });

  it("answers unknown routes with a well-formed 404", async () => {
    for (const path of ["/nowhere", "/teams", "/tasks/1/stories/2"]) {
      const answer = await call(path);
      expect(answer.status).toBe(404);
      expect(message(answer)).toBe("Unknown route");
    }
    const outside = await fetch(`${file.s.origin}/elsewhere`);
    expect(outside.status).toBe(404);
    expect(((await outside.json()) as Body).errors?.[0]?.message).toBe("Unknown route");
  });
});

describe("GET /users/{user_gid}", () => {
  it("answers /users/me as the token's user, with only shared workspaces", async () => {
    const expected = {
      pat: ["Ada Lovelace", "ada@sandbox.example", 2],
      bot: ["Acme Bot", "acme-bot@sandbox.example", 1],
      service_account: ["Acme Service Account", "service-account@sandbox.example", 1],
      oauth: ["Grace Hopper", "grace@sandbox.example", 2],
    } as const;
    for (const [kind, [name, email, workspaces]] of Object.entries(expected)) {
      const token = SANDBOX_TOKENS[kind as keyof typeof SANDBOX_TOKENS];
      const user = data<{
        gid: string;
        resource_type: string;
        name: string;
        email: string;
        workspaces: unknown[];
      }>(await call("/users/me", { token }));
      expect(user).toMatchObject({
        gid: SANDBOX_USER_GIDS[kind as keyof typeof SANDBOX_USER_GIDS],
        name,
        email,
      });
      expect(user.resource_type).toBe("user");
      expect(user.workspaces).toHaveLength(workspaces);
    }
    // Ada is in both workspaces, but the bot only shares Acme with her.
    const adaSeenByBot = data<{ workspaces: Array<{ gid: string; name: string }> }>(
      await call(`/users/${SANDBOX_USER_GIDS.pat}`, { token: SANDBOX_TOKENS.bot }),
    );
    expect(adaSeenByBot.workspaces).toEqual([
      { gid: ACME, resource_type: "workspace", name: "Acme Corp (sandbox)" },
    ]);
  });

  it("finds users by email, returns photo null or sizes, and honours opt_fields", async () => {
    const bot = data<{ gid: string; photo: unknown }>(await call("/users/acme-bot@sandbox.example"));
    expect(bot).toMatchObject({ gid: SANDBOX_USER_GIDS.bot, photo: null });
    const ada = data<Record<string, unknown>>(
      await call("/users/me?opt_fields=name,photo.image_60x60,workspaces.name"),
    );
    expect(ada).toEqual({
      gid: SANDBOX_USER_GIDS.pat,
      resource_type: "user",
      name: "Ada Lovelace",
      photo: { image_60x60: expect.stringMatching(/^https:\/\//) },
      workspaces: [
        { gid: ACME, resource_type: "workspace", name: "Acme Corp (sandbox)" },
        { gid: SIDE, resource_type: "workspace", name: "Side Projects (sandbox)" },
      ],
    });
  });

  it("answers 404 for unknown users, 400 for malformed ids and 403 when no workspace is shared", async () => {
    expect((await call("/users/999")).status).toBe(404);
    expect(message(await call("/users/999"))).toBe("user: Unknown object: 999");
    expect((await call("/users/nobody")).status).toBe(400);
    const small = await startFakeAsana(twoWorkspaceData());
    try {
      expect((await call("/users/2", { token: "t1" }, small)).status).toBe(403);
      expect((await call("/users/1", { token: "t1" }, small)).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe("GET /workspaces", () => {
  it("lists the token user's workspaces with optional fields, paginated", async () => {
    const all = await call("/workspaces?opt_fields=name,is_organization,email_domains");
    expect(data(all)).toEqual([
      {
        gid: ACME,
        resource_type: "workspace",
        name: "Acme Corp (sandbox)",
        is_organization: true,
        email_domains: ["sandbox.example"],
      },
      {
        gid: SIDE,
        resource_type: "workspace",
        name: "Side Projects (sandbox)",
        is_organization: false,
        email_domains: [],
      },
    ]);
    expect(all.body).not.toHaveProperty("next_page");
    const first = await call("/workspaces?limit=1");
    expect(data<unknown[]>(first)).toHaveLength(1);
    const next = first.body.next_page as NextPage;
    const second = await call(next.path);
    expect(data<Array<{ gid: string }>>(second)[0]?.gid).toBe(SIDE);
    expect(second.body.next_page).toBeNull();
    expect(data(await call("/workspaces", { token: SANDBOX_TOKENS.bot }))).toEqual([
      { gid: ACME, resource_type: "workspace", name: "Acme Corp (sandbox)" },
    ]);
  });
});

describe("projects and pagination", () => {
  it("walks all Acme projects 100 at a time and ends with next_page: null", async () => {
    const seen = new Set<string>();
    let path: string | null = `/projects?limit=100&workspace=${ACME}`;
    let pages = 0;
    while (path !== null) {
      const answer = await call(path, { token: SANDBOX_TOKENS.bot });
      expect(answer.status).toBe(200);
      const page = data<Project[]>(answer);
      for (const p of page) {
        expect(Object.keys(p).sort()).toEqual(["gid", "name", "resource_type"]);
        seen.add(p.gid);
      }
      const next = answer.body.next_page as NextPage | null;
      expect(answer.body).toHaveProperty("next_page");
      if (next !== null) {
        expect(page).toHaveLength(100);
        expect(next.path).toBe(`/projects?limit=100&workspace=${ACME}&offset=${next.offset}`);
        expect(next.uri).toBe(`${file.s.baseUrl}${next.path}`);
        expect(next.offset).toMatch(/^[A-Za-z0-9_-]+$/);
      }
      path = next?.path ?? null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.size).toBeGreaterThanOrEqual(250);
    expect(seen.size).toBeLessThanOrEqual(270);

    const unpaginated = await call(`/projects?workspace=${ACME}`);
    expect(data<Project[]>(unpaginated)).toHaveLength(seen.size);
    expect(unpaginated.body).not.toHaveProperty("next_page");
  });

  it("filters by archived and agrees across /projects, /workspaces/{gid}/projects and /teams/{gid}/projects", async () => {
    const all = data<Project[]>(await call(`/projects?workspace=${ACME}&opt_fields=archived,team,name`));
    const archived = data<Project[]>(
      await call(`/projects?workspace=${ACME}&archived=true&opt_fields=archived`),
    );
    const active = data<Project[]>(
      await call(`/workspaces/${ACME}/projects?archived=false&opt_fields=archived`),
    );
    expect(archived.length).toBeGreaterThan(0);
    expect(active.length).toBeGreaterThan(200);
    expect(archived.every((p) => p.archived === true)).toBe(true);
    expect(active.every((p) => p.archived === false)).toBe(true);
    expect(archived.length + active.length).toBe(all.length);

    const team = all[0]?.team?.gid ?? "";
    const byTeam = data<Project[]>(await call(`/teams/${team}/projects`));
    expect(byTeam.map((p) => p.gid)).toEqual(all.filter((p) => p.team?.gid === team).map((p) => p.gid));

    const side = data<Project[]>(await call(`/projects?workspace=${SIDE}&opt_fields=team,workspace.name`));
    expect(side.length).toBe(40);
    expect(side[0]).toMatchObject({ team: null, workspace: { gid: SIDE, name: "Side Projects (sandbox)" } });
  });

  it("returns the requested fields, including one level of sub-fields", async () => {
    const [project] = data<Array<Record<string, unknown>>>(
      await call(
        `/projects?workspace=${ACME}&limit=1&opt_fields=name,archived,color,permalink_url,team.name,workspace,owner.name,created_at,modified_at,notes`,
      ),
    );
    expect(project).toEqual({
      gid: DEMO_PROJECT_GID,
      resource_type: "project",
      name: "Q3 Product Launch",
      archived: false,
      color: expect.any(String),
      permalink_url: `https://app.asana.com/1/${ACME}/project/${DEMO_PROJECT_GID}`,
      team: { gid: expect.any(String), resource_type: "team", name: "Marketing" },
      workspace: { gid: ACME, resource_type: "workspace" },
      owner: { gid: expect.any(String), resource_type: "user", name: expect.any(String) },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      modified_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      notes: expect.stringContaining("Sandbox"),
    });
  });

  it("rejects bad limits and offsets it did not issue for this listing", async () => {
    for (const limit of ["0", "101", "abc", "2.5", "-1"]) {
      const answer = await call(`/projects?workspace=${ACME}&limit=${limit}`);
      expect(answer.status).toBe(400);
      expect(message(answer)).toBe("limit: Must be between 1 and 100");
    }
    const next = (await call(`/projects?workspace=${ACME}&limit=5`)).body.next_page as NextPage;
    const forged = Buffer.from(JSON.stringify({ o: 5, s: "nope" })).toString("base64url");
    for (const offset of ["garbage!", forged, "eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9"]) {
      const answer = await call(`/projects?workspace=${ACME}&limit=5&offset=${encodeURIComponent(offset)}`);
      expect(answer.status).toBe(400);
      expect(message(answer)).toBe("offset: Invalid offset");
    }
    // An offset belongs to its listing and its user.
    expect(
      (await call(`/projects?workspace=${ACME}&archived=true&limit=5&offset=${next.offset}`)).status,
    ).toBe(400);
    expect((await call(next.path, { token: SANDBOX_TOKENS.bot })).status).toBe(400);
    expect((await call(`/projects?workspace=${ACME}&limit=50&offset=${next.offset}`)).status).toBe(200);
  });

  it("refuses workspaces the user is not in and unknown ones", async () => {
    const answer = await call(`/projects?workspace=${SIDE}`, { token: SANDBOX_TOKENS.bot });
    expect(answer.status).toBe(403);
    expect(
      (await call(`/workspaces/${SIDE}/projects`, { token: SANDBOX_TOKENS.service_account })).status,
    ).toBe(403);
    expect((await call("/projects?workspace=42")).status).toBe(404);
    expect((await call("/teams/42/projects")).status).toBe(404);
    const botProjects = data<Project[]>(await call("/projects", { token: SANDBOX_TOKENS.bot }));
    const adaProjects = data<Project[]>(await call("/projects"));
    expect(adaProjects.length - botProjects.length).toBe(40);
  });
});

describe("tasks", () => {
  it("returns the demo task with its project, workspace and permalink", async () => {
    const task = data<Record<string, unknown>>(await call(`/tasks/${DEMO_TASK_GID}`));
    expect(task).toMatchObject({
      gid: DEMO_TASK_GID,
      resource_type: "task",
      name: "Prepare the Q3 launch checklist",
      completed: false,
      assignee: { gid: SANDBOX_USER_GIDS.pat, resource_type: "user", name: "Ada Lovelace" },
      projects: [{ gid: DEMO_PROJECT_GID, resource_type: "project", name: "Q3 Product Launch" }],
      memberships: [
        { project: { gid: DEMO_PROJECT_GID, resource_type: "project", name: "Q3 Product Launch" } },
      ],
      workspace: { gid: ACME, resource_type: "workspace", name: "Acme Corp (sandbox)" },
      permalink_url: `https://app.asana.com/1/${ACME}/task/${DEMO_TASK_GID}`,
    });
    const slim = data(await call(`/tasks/${DEMO_TASK_GID}?opt_fields=name,assignee`));
    expect(slim).toEqual({
      gid: DEMO_TASK_GID,
      resource_type: "task",
      name: "Prepare the Q3 launch checklist",
      assignee: { gid: SANDBOX_USER_GIDS.pat, resource_type: "user" },
    });
  });

  it("answers 404 for unknown tasks, 400 for malformed gids and 403 across workspaces", async () => {
    const unknown = await call("/tasks/123");
    expect(unknown.status).toBe(404);
    expect(message(unknown)).toBe("task: Unknown object: 123");
    expect((await call("/tasks/12a")).status).toBe(400);
    expect((await call(`/tasks/${SIDE_PROJECT_TASK_GID}`)).status).toBe(200);
    expect((await call(`/tasks/${SIDE_PROJECT_TASK_GID}`, { token: SANDBOX_TOKENS.bot })).status).toBe(403);
    expect(
      (await call(`/tasks/${SIDE_PROJECT_TASK_GID}/stories`, { token: SANDBOX_TOKENS.bot })).status,
    ).toBe(403);
  });
});

describe("demo data", () => {
  it("is deterministic and internally consistent", () => {
    const a = demoData();
    expect(demoData()).toEqual(a);
    expect(a.workspaces.map((w) => w.name)).toEqual(["Acme Corp (sandbox)", "Side Projects (sandbox)"]);
    const acme = a.projects?.filter((p) => p.workspace === ACME) ?? [];
    expect(acme.length).toBeGreaterThanOrEqual(250);
    expect(new Set(acme.map((p) => p.team)).size).toBeGreaterThanOrEqual(3);
    expect(acme.some((p) => p.archived)).toBe(true);
    expect(new Set(a.projects?.map((p) => p.name)).size).toBe(a.projects?.length);
    expect(a.tasks?.find((t) => t.gid === DEMO_TASK_GID)?.name).toBe("Prepare the Q3 launch checklist");
    expect(a.tokens.map((t) => t.token).sort()).toEqual(Object.values(SANDBOX_TOKENS).sort());
  });
});

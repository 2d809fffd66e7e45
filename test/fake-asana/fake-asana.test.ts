// Tests of the fake Asana itself, over real HTTP with plain fetch.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SANDBOX_TOKENS,
  SANDBOX_USER_GIDS,
  SANDBOX_WORKSPACE_GIDS,
  SIDE_PROJECT_TASK_GID,
} from "../../src/sandbox/demo-data.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import { type StartedFakeAsana, startFakeAsana } from "./index.js";

type Body = Record<string, unknown> & {
  data?: unknown;
  errors?: Array<{ message: string; help?: string; phrase?: string }>;
};
interface Answer {
  status: number;
  headers: Headers;
  body: Body;
}

const ACME = SANDBOX_WORKSPACE_GIDS.acme;
const SIDE = SANDBOX_WORKSPACE_GIDS.side;

let s: StartedFakeAsana;
beforeAll(async () => {
  s = await startFakeAsana();
});
afterAll(async () => {
  await s.close();
});
afterEach(() => {
  s.fake.clearFaults();
});

async function call(
  path: string,
  options: { token?: string | null; method?: string; body?: unknown; raw?: string } = {},
  started: StartedFakeAsana = s,
): Promise<Answer> {
  const token = options.token === undefined ? SANDBOX_TOKENS.pat : options.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (options.raw !== undefined || options.body !== undefined) {
    headers["content-type"] = "application/json";
    payload = options.raw ?? JSON.stringify(options.body);
  }
  const response = await fetch(`${started.baseUrl}${path}`, {
    method: options.method ?? "GET",
    headers,
    body: payload,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as Body };
}

const data = <T>(answer: Answer): T => answer.body.data as T;
const message = (answer: Answer): string => answer.body.errors?.[0]?.message ?? "";
const comment = (text: string, token: string = SANDBOX_TOKENS.bot) =>
  call(`/tasks/${DEMO_TASK_GID}/stories`, { token, method: "POST", body: { data: { text } } });

interface Project {
  gid: string;
  name: string;
  archived?: boolean;
  team?: { gid: string; name?: string };
}
interface NextPage {
  offset: string;
  path: string;
  uri: string;
}

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
    s.fake.addToken({ token: "expired-token", userGid: SANDBOX_USER_GIDS.oauth, expiresAt: Date.now() - 1 });
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
    expect(s.fake.requests.map((r) => r.id)).toEqual(expect.arrayContaining(ids));
  });

  it("answers unknown routes with a well-formed 404", async () => {
    for (const path of ["/nowhere", "/teams", "/tasks/1/stories/2"]) {
      const answer = await call(path);
      expect(answer.status).toBe(404);
      expect(message(answer)).toBe("Unknown route");
    }
    const outside = await fetch(`${s.origin}/elsewhere`);
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
        expect(next.uri).toBe(`${s.baseUrl}${next.path}`);
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

describe("stories", () => {
  it("lists stories oldest first, compact by default, and paginates", async () => {
    const answer = await call(`/tasks/${DEMO_TASK_GID}/stories`);
    const stories = data<Array<Record<string, unknown>>>(answer);
    expect(stories.length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(stories[0] ?? {}).sort()).toEqual(
      ["created_at", "created_by", "gid", "resource_subtype", "resource_type", "text"].sort(),
    );
    const times = stories.map((st) => String(st.created_at));
    expect([...times].sort()).toEqual(times);
    expect(stories.filter((st) => st.resource_subtype === "comment_added").length).toBeGreaterThanOrEqual(2);
    const page = await call(`/tasks/${DEMO_TASK_GID}/stories?limit=1`);
    expect(data<unknown[]>(page)).toHaveLength(1);
    expect((page.body.next_page as NextPage).path).toMatch(
      new RegExp(`^/tasks/${DEMO_TASK_GID}/stories\\?limit=1&`),
    );
  });

  it("posts a comment as the token's user and reads it back", async () => {
    const text = `Checked the list ${Date.now()}`;
    const before = Date.now();
    const answer = await comment(text);
    expect(answer.status).toBe(201);
    const story = data<Record<string, unknown> & { gid: string }>(answer);
    expect(story).toMatchObject({
      resource_type: "story",
      type: "comment",
      resource_subtype: "comment_added",
      source: "api",
      text,
      is_pinned: false,
      created_by: { gid: SANDBOX_USER_GIDS.bot, resource_type: "user", name: "Acme Bot" },
      target: { gid: DEMO_TASK_GID, resource_type: "task", name: "Prepare the Q3 launch checklist" },
    });
    expect(Date.parse(String(story.created_at))).toBeGreaterThanOrEqual(before - 1000);
    expect(answer.headers.get("location")).toBe(`${s.baseUrl}/stories/${story.gid}`);

    const listed = data<Array<Record<string, unknown>>>(
      await call(
        `/tasks/${DEMO_TASK_GID}/stories?opt_fields=created_by.name,text,html_text,type,source,is_pinned`,
      ),
    );
    expect(listed.at(-1)).toEqual({
      gid: story.gid,
      resource_type: "story",
      created_by: { gid: SANDBOX_USER_GIDS.bot, resource_type: "user", name: "Acme Bot" },
      text,
      html_text: `<body>${text}</body>`,
      type: "comment",
      source: "api",
      is_pinned: false,
    });
    const stored = s.fake.storiesOf(DEMO_TASK_GID).filter((st) => st.text === text);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.created_by.name).toBe("Acme Bot");
    expect(data(await call(`/stories/${story.gid}?opt_fields=text`))).toMatchObject({ text });
  });

  it("accepts valid rich text, expands mentions and derives the plain text", async () => {
    const html = `<body>Ready: <strong>yes</strong> &amp; <em>done</em>, thanks <a data-asana-gid="${SANDBOX_USER_GIDS.pat}"/><ul><li>one</li><li>two</li></ul></body>`;
    const answer = await call(`/tasks/${DEMO_TASK_GID}/stories?opt_fields=text,html_text,is_pinned`, {
      token: SANDBOX_TOKENS.oauth,
      method: "POST",
      body: { data: { html_text: html, is_pinned: true } },
    });
    expect(answer.status).toBe(201);
    const story = data<{ text: string; html_text: string; is_pinned: boolean }>(answer);
    expect(story.is_pinned).toBe(true);
    expect(story.text).toBe("Ready: yes & done, thanks @Ada Lovelace\none\ntwo");
    expect(story.html_text).toContain(`data-asana-gid="${SANDBOX_USER_GIDS.pat}"`);
    expect(story.html_text).toContain(">@Ada Lovelace</a>");

    const plain = "<body>Ready: <strong>yes</strong></body>";
    const kept = await call(`/tasks/${DEMO_TASK_GID}/stories?opt_fields=html_text`, {
      method: "POST",
      body: { data: { html_text: plain } },
    });
    expect(data(kept)).toMatchObject({ html_text: plain });
  });

  it("rejects text with html_text, neither, unknown and read-only fields, and bad bodies", async () => {
    const post = (body: unknown, raw?: string) =>
      call(`/tasks/${DEMO_TASK_GID}/stories`, { method: "POST", body, raw, token: SANDBOX_TOKENS.bot });
    const count = s.fake.storiesOf(DEMO_TASK_GID).length;
    const cases: Array<[Answer, string]> = [
      [
        await post({ data: { text: "a", html_text: "<body>a</body>" } }),
        "You may not specify both text and html_text",
      ],
      [await post({ data: { is_pinned: true } }), "You must specify either text or html_text"],
      [await post({ data: { text: "a", author: "x" } }), "author: Unknown property"],
      [await post({ data: { text: "a", created_by: "1" } }), "created_by: Cannot write this property"],
      [await post({ data: { text: "a", is_pinned: "yes" } }), "is_pinned: Not a boolean"],
      [await post({ data: { text: "a", sticker_name: "cat" } }), "sticker_name: Not a valid enum value: cat"],
      [await post({ data: { text: "   " } }), "text: Cannot be empty"],
      [await post({ text: "a" }), "data: Missing input"],
      [await post(undefined, "{not json"), "Could not parse request data, invalid JSON"],
    ];
    for (const [answer, expected] of cases) {
      expect(answer.status).toBe(400);
      expect(message(answer)).toBe(expected);
    }
    expect(s.fake.storiesOf(DEMO_TASK_GID)).toHaveLength(count);
  });

  it("rejects html_text that is not valid Asana rich text", async () => {
    const cases: Array<[string, string]> = [
      ["<body><h1>x</h1></body>", "html_text: Unsupported tag <h1>"],
      ["<body><strong>x</body>", "html_text: XML is invalid"],
      ["<body>a & b</body>", "html_text: XML is invalid"],
      ["no body", "html_text: XML is invalid"],
      ["<p>x</p>", "html_text: The root element must be <body>"],
      ["<body>a</body><body>b</body>", "html_text: XML is invalid"],
      ['<body><strong class="x">x</strong></body>', "html_text: Unsupported attribute class on <strong>"],
      ['<body><a onclick="x">x</a></body>', "html_text: Unsupported attribute onclick on <a>"],
      ["<body><a href=x>x</a></body>", "html_text: XML is invalid"],
      ["<body><B>x</B></body>", "html_text: Unsupported tag <B>"],
      ["<body><body>x</body></body>", "html_text: Unsupported tag <body>"],
      ['<body><a data-asana-gid="424242"/></body>', "html_text: Unknown object: 424242"],
    ];
    for (const [html, expected] of cases) {
      const answer = await call(`/tasks/${DEMO_TASK_GID}/stories`, {
        method: "POST",
        body: { data: { html_text: html } },
      });
      expect(answer.status, html).toBe(400);
      expect(message(answer), html).toContain(expected);
    }
  });
});

describe("faults", () => {
  it("status 429 carries Retry-After, is recorded and changes nothing", async () => {
    const count = s.fake.storiesOf(DEMO_TASK_GID).length;
    s.fake.inject({
      method: "POST",
      path: `/tasks/${DEMO_TASK_GID}/stories`,
      type: "status",
      status: 429,
      headers: { "Retry-After": "1" },
    });
    const limited = await comment("rate limited");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(message(limited)).toContain("rate limit");
    expect(s.fake.storiesOf(DEMO_TASK_GID)).toHaveLength(count);
    const last = s.fake.requests.at(-1);
    expect(last).toMatchObject({
      method: "POST",
      status: 429,
      userGid: SANDBOX_USER_GIDS.bot,
      body: { data: { text: "rate limited" } },
    });
    // Consumed: the next identical request goes through.
    expect((await comment("rate limited")).status).toBe(201);
  });

  it("status 500 gets an Asana error body with a phrase; a custom body is sent as given", async () => {
    s.fake.inject({ path: "/users/me", type: "status", status: 500 });
    const failed = await call("/users/me");
    expect(failed.status).toBe(500);
    expect(failed.body.errors?.[0]).toMatchObject({
      message: expect.any(String),
      phrase: expect.stringMatching(/^\d+ \w+ \w+ \w+ \w+$/),
    });
    s.fake.inject({
      path: /^\/users\//,
      type: "status",
      status: 503,
      body: { errors: [{ message: "custom" }] },
    });
    const custom = await call("/users/me");
    expect(custom.status).toBe(503);
    expect(custom.body).toEqual({ errors: [{ message: "custom" }] });
  });

  it("matches on method and path, applies `times` times, in injection order, and can be cleared", async () => {
    s.fake.inject({ method: "POST", type: "status", status: 502 });
    s.fake.inject({ path: "/workspaces", type: "status", status: 503, times: 2 });
    s.fake.inject({ path: "/workspaces", type: "status", status: 504 });
    expect((await call("/users/me")).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call("/workspaces")).status);
    expect(statuses).toEqual([503, 503, 504, 200]);
    s.fake.clearFaults();
    expect((await comment("after clear")).status).toBe(201);
  });

  it("reset-before: the client sees a socket error and nothing is processed", async () => {
    const count = s.fake.storiesOf(DEMO_TASK_GID).length;
    s.fake.inject({ method: "POST", type: "reset-before" });
    await expect(comment("never stored")).rejects.toThrow();
    expect(s.fake.storiesOf(DEMO_TASK_GID)).toHaveLength(count);
    expect(s.fake.requests.filter((r) => r.method === "POST").at(-1)?.status).toBe(0);
  });

  it("reset-after: the state changes but the client sees a socket error", async () => {
    const text = `lost answer ${Date.now()}`;
    s.fake.inject({ method: "POST", type: "reset-after" });
    await expect(comment(text)).rejects.toThrow();
    expect(s.fake.storiesOf(DEMO_TASK_GID).filter((st) => st.text === text)).toHaveLength(1);
    expect(s.fake.requests.filter((r) => r.method === "POST").at(-1)).toMatchObject({
      status: 0,
      body: { data: { text } },
    });
  });

  it("cut-body: the state changes, the headers arrive, and the body stops halfway", async () => {
    const text = `cut answer ${Date.now()}`;
    s.fake.inject({ method: "POST", type: "cut-body" });
    const response = await fetch(`${s.baseUrl}/tasks/${DEMO_TASK_GID}/stories`, {
      method: "POST",
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.bot}`, "content-type": "application/json" },
      body: JSON.stringify({ data: { text } }),
    });
    expect(response.status).toBe(201);
    await expect(response.text()).rejects.toThrow();
    expect(s.fake.storiesOf(DEMO_TASK_GID).filter((st) => st.text === text)).toHaveLength(1);
    expect(s.fake.requests.filter((r) => r.method === "POST").at(-1)?.status).toBe(0);
  });

  it("delay: the state is committed first, the answer comes after the delay", async () => {
    const text = `slow answer ${Date.now()}`;
    s.fake.inject({ method: "POST", type: "delay", ms: 200 });
    const started = Date.now();
    const pending = comment(text);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(s.fake.storiesOf(DEMO_TASK_GID).filter((st) => st.text === text)).toHaveLength(1);
    expect(s.fake.inFlight().write).toBe(1);
    const answer = await pending;
    expect(answer.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(s.fake.inFlight()).toEqual({ read: 0, write: 0 });
  });

  it("bad-json and html answer without processing", async () => {
    const count = s.fake.storiesOf(DEMO_TASK_GID).length;
    s.fake.inject({ method: "POST", type: "bad-json" });
    const bad = await fetch(`${s.baseUrl}/tasks/${DEMO_TASK_GID}/stories`, {
      method: "POST",
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.bot}`, "content-type": "application/json" },
      body: JSON.stringify({ data: { text: "bad json" } }),
    });
    expect(bad.status).toBe(200);
    expect(bad.headers.get("content-type")).toContain("application/json");
    await expect(bad.json()).rejects.toThrow();

    s.fake.inject({ path: "/users/me", type: "html", status: 502 });
    const html = await fetch(`${s.baseUrl}/users/me`, {
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
    });
    expect(html.status).toBe(502);
    expect(html.headers.get("content-type")).toContain("text/html");
    expect(html.headers.get("x-request-id")).toBeTruthy();
    expect(await html.text()).toContain("502 Bad Gateway");
    expect(s.fake.storiesOf(DEMO_TASK_GID)).toHaveLength(count);
  });
});

describe("scopes and OpenID Connect userinfo", () => {
  it("enforces granular scopes for tokens without `default`", async () => {
    s.fake.addToken({
      token: "granular",
      userGid: SANDBOX_USER_GIDS.oauth,
      oauthScopes: ["stories:read", "tasks:read"],
    });
    expect((await call(`/tasks/${DEMO_TASK_GID}/stories`, { token: "granular" })).status).toBe(200);
    expect((await call(`/tasks/${DEMO_TASK_GID}`, { token: "granular" })).status).toBe(200);
    const post = await comment("scoped", "granular");
    expect(post.status).toBe(403);
    expect(message(post)).toContain("requires scope stories:write");
    const me = await call("/users/me", { token: "granular" });
    expect(me.status).toBe(403);
    expect(message(me)).toContain("requires scope users:read");
    expect(message(await call(`/projects?workspace=${ACME}`, { token: "granular" }))).toContain(
      "projects:read",
    );
    expect(message(await call("/workspaces", { token: "granular" }))).toContain("workspaces:read");
  });

  it("answers userinfo with claims that follow the openid, profile and email scopes", async () => {
    const full = await call("/openid_connect/userinfo", { token: SANDBOX_TOKENS.oauth });
    expect(full.status).toBe(200);
    expect(full.body).toEqual({
      sub: SANDBOX_USER_GIDS.oauth,
      name: "Grace Hopper",
      picture: expect.stringMatching(/^https:\/\//),
      email: "grace@sandbox.example",
      email_verified: true,
    });
    s.fake.addToken({ token: "openid-only", userGid: SANDBOX_USER_GIDS.oauth, oauthScopes: ["openid"] });
    expect((await call("/openid_connect/userinfo", { token: "openid-only" })).body).toEqual({
      sub: SANDBOX_USER_GIDS.oauth,
    });
    s.fake.addToken({ token: "no-openid", userGid: SANDBOX_USER_GIDS.oauth, oauthScopes: ["default"] });
    for (const token of [
      SANDBOX_TOKENS.pat,
      SANDBOX_TOKENS.bot,
      SANDBOX_TOKENS.service_account,
      "no-openid",
    ]) {
      const refused = await call("/openid_connect/userinfo", { token });
      expect(refused.status).toBe(403);
      expect(message(refused)).toContain("openid scope");
    }
    expect((await call("/openid_connect/userinfo", { token: null })).status).toBe(401);
  });
});

describe("recording and counters", () => {
  it("records every request with path, query, body, user and status", async () => {
    const from = s.fake.requests.length;
    await call(`/projects?workspace=${ACME}&limit=2`, { token: SANDBOX_TOKENS.bot });
    await call("/users/me", { token: "who?" });
    await comment("recorded");
    const recorded = s.fake.requests.slice(from);
    expect(recorded.map((r) => [r.method, r.path, r.status, r.userGid])).toEqual([
      ["GET", "/projects", 200, SANDBOX_USER_GIDS.bot],
      ["GET", "/users/me", 401, null],
      ["POST", `/tasks/${DEMO_TASK_GID}/stories`, 201, SANDBOX_USER_GIDS.bot],
    ]);
    expect(recorded[0]?.query).toEqual({ workspace: ACME, limit: "2" });
    expect(recorded[0]?.body).toBeNull();
    expect(recorded[2]?.body).toEqual({ data: { text: "recorded" } });
    expect(recorded.every((r) => typeof r.receivedAt === "number" && r.id.length > 0)).toBe(true);
  });

  it("tracks peak concurrent reads and writes per user", async () => {
    s.fake.resetCounters();
    s.fake.inject({ type: "delay", ms: 100, times: 8 });
    await Promise.all([
      ...Array.from({ length: 5 }, () => call("/users/me", { token: SANDBOX_TOKENS.service_account })),
      ...Array.from({ length: 2 }, (_, i) => comment(`parallel ${i}`, SANDBOX_TOKENS.service_account)),
      call("/users/me", { token: SANDBOX_TOKENS.oauth }),
    ]);
    const peaks = s.fake.maxInFlightByUser();
    expect(peaks.get(SANDBOX_USER_GIDS.service_account)).toEqual({ read: 5, write: 2 });
    expect(peaks.get(SANDBOX_USER_GIDS.oauth)).toEqual({ read: 1, write: 0 });
    expect(s.fake.inFlight()).toEqual({ read: 0, write: 0 });
    s.fake.resetCounters();
    expect(s.fake.maxInFlightByUser().size).toBe(0);
  });

  it("closes promptly with keep-alive connections and a pending delayed answer", async () => {
    const temp = await startFakeAsana(twoWorkspaceData());
    await call("/users/me", { token: "t1" }, temp);
    temp.fake.inject({ type: "delay", ms: 5_000 });
    const pending = call("/users/me", { token: "t1" }, temp).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await temp.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
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

/** Two users in two workspaces that share nothing. */
function twoWorkspaceData(): FakeData {
  return {
    users: [
      { gid: "1", name: "One", email: "one@example.test", workspaces: ["10"] },
      { gid: "2", name: "Two", email: "two@example.test", workspaces: ["20"] },
    ],
    workspaces: [
      { gid: "10", name: "W10" },
      { gid: "20", name: "W20" },
    ],
    tokens: [
      { token: "t1", userGid: "1" },
      { token: "t2", userGid: "2" },
    ],
  };
}

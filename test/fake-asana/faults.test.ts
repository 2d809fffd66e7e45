// The fake Asana's injected faults, its scopes and OpenID Connect userinfo, and what it records, over real HTTP.
import { describe, expect, it } from "vitest";
import {
  DEMO_TASK_GID,
  SANDBOX_TOKENS,
  SANDBOX_USER_GIDS,
  SANDBOX_WORKSPACE_GIDS,
} from "../../src/sandbox/demo-data.js";
import { fakePerFile, message, twoWorkspaceData } from "./http.js";
import { startFakeAsana } from "./index.js";

const ACME = SANDBOX_WORKSPACE_GIDS.acme;

const file = fakePerFile();
const { call, comment } = file;

describe("faults", () => {
  it("status 429 carries Retry-After, is recorded and changes nothing", async () => {
    const count = file.s.fake.storiesOf(DEMO_TASK_GID).length;
    file.s.fake.inject({
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
    expect(file.s.fake.storiesOf(DEMO_TASK_GID)).toHaveLength(count);
    const last = file.s.fake.requests.at(-1);
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
    file.s.fake.inject({ path: "/users/me", type: "status", status: 500 });
    const failed = await call("/users/me");
    expect(failed.status).toBe(500);
    expect(failed.body.errors?.[0]).toMatchObject({
      message: expect.any(String),
      phrase: expect.stringMatching(/^\d+ \w+ \w+ \w+ \w+$/),
    });
    file.s.fake.inject({
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
    file.s.fake.inject({ method: "POST", type: "status", status: 502 });
    file.s.fake.inject({ path: "/workspaces", type: "status", status: 503, times: 2 });
    file.s.fake.inject({ path: "/workspaces", type: "status", status: 504 });
    expect((await call("/users/me")).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call("/workspaces")).status);
    expect(statuses).toEqual([503, 503, 504, 200]);
    file.s.fake.clearFaults();
    expect((await comment("after clear")).status).toBe(201);
  });

  it("reset-before: the client sees a socket error and nothing is processed", async () => {
    const count = file.s.fake.storiesOf(DEMO_TASK_GID).length;
    file.s.fake.inject({ method: "POST", type: "reset-before" });
    await expect(comment("never stored")).rejects.toThrow();
    expect(file.s.fake.storiesOf(DEMO_TASK_GID)).toHaveLength(count);
    expect(file.s.fake.requests.filter((r) => r.method === "POST").at(-1)?.status).toBe(0);
  });

  it("reset-after: the state changes but the client sees a socket error", async () => {
    const text = `lost answer ${Date.now()}`;
    file.s.fake.inject({ method: "POST", type: "reset-after" });
    await expect(comment(text)).rejects.toThrow();
    expect(file.s.fake.storiesOf(DEMO_TASK_GID).filter((st) => st.text === text)).toHaveLength(1);
    expect(file.s.fake.requests.filter((r) => r.method === "POST").at(-1)).toMatchObject({
      status: 0,
      body: { data: { text } },
    });
  });

  it("cut-body: the state changes, the headers arrive, and the body stops halfway", async () => {
    const text = `cut answer ${Date.now()}`;
    file.s.fake.inject({ method: "POST", type: "cut-body" });
    const response = await fetch(`${file.s.baseUrl}/tasks/${DEMO_TASK_GID}/stories`, {
      method: "POST",
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.bot}`, "content-type": "application/json" },
      body: JSON.stringify({ data: { text } }),
    });
    expect(response.status).toBe(201);
    await expect(response.text()).rejects.toThrow();
    expect(file.s.fake.storiesOf(DEMO_TASK_GID).filter((st) => st.text === text)).toHaveLength(1);
    expect(file.s.fake.requests.filter((r) => r.method === "POST").at(-1)?.status).toBe(0);
  });

  it("delay: the state is committed first, the answer comes after the delay", async () => {
    const text = `slow answer ${Date.now()}`;
    file.s.fake.inject({ method: "POST", type: "delay", ms: 200 });
    const started = Date.now();
    const pending = comment(text);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(file.s.fake.storiesOf(DEMO_TASK_GID).filter((st) => st.text === text)).toHaveLength(1);
    expect(file.s.fake.inFlight().write).toBe(1);
    const answer = await pending;
    expect(answer.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(file.s.fake.inFlight()).toEqual({ read: 0, write: 0 });
  });

  it("bad-json and html answer without processing", async () => {
    const count = file.s.fake.storiesOf(DEMO_TASK_GID).length;
    file.s.fake.inject({ method: "POST", type: "bad-json" });
    const bad = await fetch(`${file.s.baseUrl}/tasks/${DEMO_TASK_GID}/stories`, {
      method: "POST",
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.bot}`, "content-type": "application/json" },
      body: JSON.stringify({ data: { text: "bad json" } }),
    });
    expect(bad.status).toBe(200);
    expect(bad.headers.get("content-type")).toContain("application/json");
    await expect(bad.json()).rejects.toThrow();

    file.s.fake.inject({ path: "/users/me", type: "html", status: 502 });
    const html = await fetch(`${file.s.baseUrl}/users/me`, {
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
    });
    expect(html.status).toBe(502);
    expect(html.headers.get("content-type")).toContain("text/html");
    expect(html.headers.get("x-request-id")).toBeTruthy();
    expect(await html.text()).toContain("502 Bad Gateway");
    expect(file.s.fake.storiesOf(DEMO_TASK_GID)).toHaveLength(count);
  });
});

describe("scopes and OpenID Connect userinfo", () => {
  it("enforces granular scopes for tokens without `default`", async () => {
    file.s.fake.addToken({
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
    file.s.fake.addToken({ token: "openid-only", userGid: SANDBOX_USER_GIDS.oauth, oauthScopes: ["openid"] });
    expect((await call("/openid_connect/userinfo", { token: "openid-only" })).body).toEqual({
      sub: SANDBOX_USER_GIDS.oauth,
    });
    file.s.fake.addToken({ token: "no-openid", userGid: SANDBOX_USER_GIDS.oauth, oauthScopes: ["default"] });
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
    const from = file.s.fake.requests.length;
    await call(`/projects?workspace=${ACME}&limit=2`, { token: SANDBOX_TOKENS.bot });
    await call("/users/me", { token: "who?" });
    await comment("recorded");
    const recorded = file.s.fake.requests.slice(from);
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
    file.s.fake.resetCounters();
    file.s.fake.inject({ type: "delay", ms: 100, times: 8 });
    await Promise.all([
      ...Array.from({ length: 5 }, () => call("/users/me", { token: SANDBOX_TOKENS.service_account })),
      ...Array.from({ length: 2 }, (_, i) => comment(`parallel ${i}`, SANDBOX_TOKENS.service_account)),
      call("/users/me", { token: SANDBOX_TOKENS.oauth }),
    ]);
    const peaks = file.s.fake.maxInFlightByUser();
    expect(peaks.get(SANDBOX_USER_GIDS.service_account)).toEqual({ read: 5, write: 2 });
    expect(peaks.get(SANDBOX_USER_GIDS.oauth)).toEqual({ read: 1, write: 0 });
    expect(file.s.fake.inFlight()).toEqual({ read: 0, write: 0 });
    file.s.fake.resetCounters();
    expect(file.s.fake.maxInFlightByUser().size).toBe(0);
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

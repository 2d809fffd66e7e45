// The sandbox's sign-in page at /-/oauth_authorize, over real HTTP: what it lists, what its form
// accepts, and that a wrong, spent or missing anti-forgery token never yields a code.
import { createHash, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { demoData, SANDBOX_USER_GIDS } from "../../src/sandbox/demo-data.js";
import { FakeAsana, type FakeData } from "../../src/sandbox/fake-asana.js";
import { SignInTokens } from "../../src/sandbox/sign-in-tokens.js";
import { CLIENT, registerClient } from "../helpers/oauth.js";

const CALLBACK = "http://127.0.0.1:48123/callback";
const COLLEAGUE_NAMES = ["Margaret Hamilton", "Alan Turing", "Katherine Johnson", "Radia Perlman"];

let fake: FakeAsana;
let origin: string;

async function start(data: FakeData = demoData(), signInPage = true): Promise<void> {
  fake = new FakeAsana(data, { signInPage });
  origin = await fake.listen();
  registerClient(fake);
}
beforeEach(() => start());
afterEach(() => fake.close());

const verifier = randomBytes(32).toString("base64url");
const challenge = createHash("sha256").update(verifier).digest("base64url");

function authorizeUrl(overrides: Record<string, string> = {}): string {
  const url = new URL(`${origin}/-/oauth_authorize`);
  const params = {
    client_id: CLIENT.clientId,
    redirect_uri: CALLBACK,
    response_type: "code",
    state: "state-1f3b",
    code_challenge: challenge,
    code_challenge_method: "S256",
    scope: "default openid email profile",
    nonce: "nonce-77",
    ...overrides,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

interface Rendered {
  status: number;
  headers: Headers;
  html: string;
  /** The form's hidden fields, as a browser would submit them. */
  hidden: URLSearchParams;
  /** The values of the person buttons (name="user"). */
  people: string[];
}

async function render(url = authorizeUrl()): Promise<Rendered> {
  const response = await fetch(url, { redirect: "manual" });
  const html = await response.text();
  const hidden = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    hidden.append(unescapeHtml(m[1] ?? ""), unescapeHtml(m[2] ?? ""));
  }
  const people = [...html.matchAll(/<button type="submit" name="user" value="([^"]*)">/g)].map((m) =>
    unescapeHtml(m[1] ?? ""),
  );
  return { status: response.status, headers: response.headers, html, hidden, people };
}

function submit(fields: URLSearchParams): Promise<Response> {
  return fetch(`${origin}/-/oauth_authorize`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: fields.toString(),
    redirect: "manual",
  });
}

function withFields(hidden: URLSearchParams, extra: Record<string, string>): URLSearchParams {
  const fields = new URLSearchParams(hidden);
  for (const [k, v] of Object.entries(extra)) fields.set(k, v);
  return fields;
}

const codesIssued = () => [...fake.oauth.issuedSecrets].filter((s) => s.startsWith("code-")).length;

async function expectRefused(response: Response): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get("location")).toBeNull();
  expect(response.headers.get("content-type")).toMatch(/^text\/html/);
  expect(await response.text()).toContain("Sign-in failed");
}

describe("the sandbox sign-in page", () => {
  it("lists the people who can sign in, with the page's security headers", async () => {
    const page = await render();
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.html).toContain("<title>Sign in to the sandbox Asana</title>");
    expect(page.html).toContain("nothing reaches a real Asana");
    for (const name of ["Grace Hopper", "Ada Lovelace", ...COLLEAGUE_NAMES])
      expect(page.html).toContain(name);
    expect(page.html).toContain("grace@sandbox.example");
    expect(page.html).not.toContain("Acme Bot");
    expect(page.html).not.toContain("Acme Service Account");
    expect(page.people).toContain(SANDBOX_USER_GIDS.oauth);
    expect(page.people).toContain(SANDBOX_USER_GIDS.pat);
    expect(page.people).not.toContain(SANDBOX_USER_GIDS.bot);
    expect(page.people).toHaveLength(6);
    expect(page.html).toContain('<form method="post" action="/-/oauth_authorize">');
    expect(page.html).toMatch(/<button type="submit" name="cancel"/);

    // The whole authorize request rides along, plus one token.
    const carried = new URLSearchParams(new URL(authorizeUrl()).search);
    for (const [k, v] of carried) expect(page.hidden.get(k)).toBe(v);
    expect(page.hidden.get("csrf_token")?.length).toBeGreaterThanOrEqual(32);

    expect(page.headers.get("content-security-policy")).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    );
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(codesIssued()).toBe(0);
  });

  it("escapes every name, email and carried parameter, and carries them back intact", async () => {
    await fake.close();
    const data = demoData();
    const margaret = data.users.find((u) => u.name === "Margaret Hamilton");
    if (!margaret) throw new Error("demo data changed");
    margaret.name = `<img src=x onerror="alert(1)"> Eve & 'Co'`;
    margaret.email = `eve"><script>@sandbox.example`;
    await start(data);
    const state = `"><script>alert('state')</script>&`;
    const page = await render(authorizeUrl({ state }));
    expect(page.html).not.toContain("<img");
    expect(page.html).not.toContain("<script>");
    expect(page.html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Eve &amp; &#39;Co&#39;");
    expect(page.hidden.get("state")).toBe(state);

    const answer = await submit(withFields(page.hidden, { user: margaret.gid }));
    expect(answer.status).toBe(302);
    expect(new URL(answer.headers.get("location") ?? "").searchParams.get("state")).toBe(state);
  });

  it("issues a code for the chosen person, which exchanges for a token acting as them", async () => {
    const page = await render();
    const answer = await submit(withFields(page.hidden, { user: SANDBOX_USER_GIDS.pat }));
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get("state")).toBe("state-1f3b");
    const code = location.searchParams.get("code") ?? "";
    expect(code).not.toBe("");

    const exchange = await fetch(`${origin}/-/oauth_token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        redirect_uri: CALLBACK,
        code,
        code_verifier: verifier,
      }).toString(),
    });
    expect(exchange.status).toBe(200);
    const tokens = (await exchange.json()) as { access_token: string };
    const me = await fetch(`${origin}/api/1.0/users/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).toBe(200);
    // Ada, not the auto-signed-in Grace: the choice on the page decides.
    expect(((await me.json()) as { data: { gid: string; name: string } }).data).toMatchObject({
      gid: SANDBOX_USER_GIDS.pat,
      name: "Ada Lovelace",
    });
  });

  it("refuses a missing, reused, forged or transplanted token without issuing a code", async () => {
    const page = await render();
    const grace = { user: SANDBOX_USER_GIDS.oauth };
    const missing = withFields(page.hidden, grace);
    missing.delete("csrf_token");
    await expectRefused(await submit(missing));
    await expectRefused(
      await submit(withFields(page.hidden, { ...grace, csrf_token: "forged-token-value" })),
    );

    // A token shown for one request does not sign in another (here: another state).
    const other = await render(authorizeUrl({ state: "state-2" }));
    await expectRefused(
      await submit(withFields(page.hidden, { ...grace, csrf_token: other.hidden.get("csrf_token") ?? "" })),
    );
    // ...and that failed attempt spent it: the page it came from cannot use it either.
    await expectRefused(await submit(withFields(other.hidden, grace)));
    const transplanted = await render();
    await expectRefused(await submit(withFields(transplanted.hidden, { ...grace, state: "state-other" })));
    expect(codesIssued()).toBe(0);

    // The page's own token works once, then is spent.
    expect((await submit(withFields(page.hidden, grace))).status).toBe(302);
    expect(codesIssued()).toBe(1);
    await expectRefused(await submit(withFields(page.hidden, grace)));
    expect(codesIssued()).toBe(1);
  });

  it("refuses a person the page does not offer", async () => {
    for (const user of ["1201999999999999", SANDBOX_USER_GIDS.bot, ""]) {
      const page = await render();
      const answer = await submit(withFields(page.hidden, { user }));
      await expectRefused(answer);
    }
    expect(codesIssued()).toBe(0);
  });

  it("re-validates the carried request on submission", async () => {
    const page = await render();
    const elsewhere = await submit(
      withFields(page.hidden, { user: SANDBOX_USER_GIDS.oauth, redirect_uri: "http://evil.example/cb" }),
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get("location")).toBeNull();
    const plain = await submit(
      withFields(page.hidden, { user: SANDBOX_USER_GIDS.oauth, code_challenge_method: "plain" }),
    );
    expect(plain.status).toBe(302);
    expect(new URL(plain.headers.get("location") ?? "").searchParams.get("error")).toBe("invalid_request");
    expect(codesIssued()).toBe(0);
  });

  it("Cancel goes back to the client with access_denied", async () => {
    const page = await render();
    const answer = await submit(withFields(page.hidden, { cancel: "1" }));
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get("location") ?? "");
    expect(Object.fromEntries(location.searchParams)).toEqual({
      error: "access_denied",
      state: "state-1f3b",
    });
    expect(codesIssued()).toBe(0);
  });

  it("without signInPage, the authorize endpoint signs the demo OAuth user in as before", async () => {
    await fake.close();
    await start(demoData(), false);
    const answer = await fetch(authorizeUrl(), { redirect: "manual" });
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get("location") ?? "");
    expect(location.searchParams.get("code")).toMatch(/^code-/);
    expect(fake.oauth.signInPage).toBe(false);
    // The form's endpoint does not exist then.
    const post = await submit(new URLSearchParams({ client_id: CLIENT.clientId }));
    expect(post.status).toBe(404);
  });
});

describe("sign-in tokens", () => {
  it("expire, are single-use even when a use fails, and are bounded in number", () => {
    let now = 1_000_000;
    const tokens = new SignInTokens({ ttlMs: 60_000, max: 3, now: () => now });
    const a = tokens.issue("request-a");
    now += 60_000;
    expect(tokens.take(a, "request-a")).toBe(false);

    const b = tokens.issue("request-b");
    expect(tokens.take(b, "request-other")).toBe(false);
    expect(tokens.take(b, "request-b")).toBe(false);

    const c = tokens.issue("request-c");
    expect(tokens.take(c, "request-c")).toBe(true);
    expect(tokens.take(c, "request-c")).toBe(false);

    const issued = [1, 2, 3, 4].map((i) => tokens.issue(`request-${i}`));
    expect(tokens.size).toBe(3);
    expect(tokens.take(issued[0] ?? "", "request-1")).toBe(false);
    expect(tokens.take(issued[3] ?? "", "request-4")).toBe(true);
  });
});

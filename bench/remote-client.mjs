// Signs in to a running `asana-mcp http --sandbox` as an MCP client and its person would, over
// plain HTTP: dynamic client registration (a public client, token_endpoint_auth_method none),
// the authorization request with PKCE S256, the consent page (its cookie comes back with the
// approval and with Asana's callback), the sandbox Asana's sign-in page (pick a person by gid),
// the callback, and the code for tokens at /token. Resolves { accessToken, refreshToken, clientId }.
//
//   import { signIn } from "./remote-client.mjs";
//   const { accessToken } = await signIn("http://127.0.0.1:8977/mcp", { person: GRACE_GID });
//
// Each call is its own client registration and its own grant. The server budgets its OAuth
// endpoints per client IP (30 registrations a minute); `localAddress` (any 127.x.y.z on Linux)
// sends one sign-in from an address of its own, as people signing in from their own machines do.
import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";

export const GRACE_GID = "1201000000000004";
export const ADA_GID = "1201000000000001";

const COOKIE = "__Host-asana-mcp-sign-in";
const REDIRECT_URI = "http://127.0.0.1:53682/callback";

/**
 * @param {string | URL} mcpUrl the server's MCP endpoint, e.g. http://127.0.0.1:8977/mcp
 * @param {{ person?: string, clientName?: string, localAddress?: string }} [options]
 * @returns {Promise<{ accessToken: string, refreshToken: string, clientId: string }>}
 */
export async function signIn(mcpUrl, options = {}) {
  const resource = new URL(mcpUrl);
  const person = options.person ?? GRACE_GID;
  const http = client(options.localAddress);
  const meta = await http.json("GET", new URL("/.well-known/oauth-authorization-server", resource));

  const registered = await http.json("POST", meta.registration_endpoint, {
    json: {
      client_name: options.clientName ?? "asana-mcp bench",
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    },
  });
  const clientId = registered.client_id;

  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const state = randomBytes(16).toString("base64url");
  const authorize = new URL(meta.authorization_endpoint);
  for (const [name, value] of Object.entries({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
    resource: resource.href,
  }))
    authorize.searchParams.set(name, value);

  // The consent page: it sets the sign-in cookie the approval and Asana's callback must bring back.
  const consentUrl = redirectOf(await http.send("GET", authorize), authorize);
  const consent = await http.send("GET", consentUrl);
  if (consent.status !== 200) throw new Error(`the consent page answered ${consent.status}`);
  if (!http.hasSignInCookie()) throw new Error(`the consent page set no ${COOKIE} cookie`);
  const approved = await http.send("POST", new URL("/consent", consentUrl), {
    form: { request: field(consent.body, "request"), csrf: field(consent.body, "csrf"), decision: "approve" },
    origin: consentUrl.origin,
  });

  // The sandbox Asana's sign-in page: its hidden fields carry the request; the button is a person.
  const asanaUrl = redirectOf(approved, consentUrl);
  const page = await http.send("GET", asanaUrl);
  if (page.status !== 200) throw new Error(`the sandbox sign-in page answered ${page.status}`);
  const form = Object.fromEntries(hiddenFields(page.body));
  const chosen = await http.send("POST", new URL(formAction(page.body), asanaUrl), {
    form: { ...form, user: person },
    origin: asanaUrl.origin,
  });

  const callback = redirectOf(chosen, asanaUrl);
  const back = redirectOf(await http.send("GET", callback), callback);
  const code = back.searchParams.get("code");
  if (!code || back.searchParams.get("state") !== state)
    throw new Error(`the sign-in came back without a code: ${back.searchParams.get("error") ?? back.search}`);

  const tokens = await http.json("POST", meta.token_endpoint, {
    form: {
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      code_verifier: verifier,
      resource: resource.href,
    },
  });
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, clientId };
}

/** A browser-like client for one sign-in: one cookie jar, no redirects followed, one source address. */
function client(localAddress) {
  const cookies = new Map();
  const send = (method, url, { json, form, origin } = {}) => {
    const target = new URL(url);
    const body =
      json !== undefined
        ? JSON.stringify(json)
        : form !== undefined
          ? new URLSearchParams(form).toString()
          : undefined;
    const headers = {
      accept: json !== undefined ? "application/json" : "text/html,application/json",
      ...(body === undefined
        ? {}
        : {
            "content-type": json !== undefined ? "application/json" : "application/x-www-form-urlencoded",
            "content-length": Buffer.byteLength(body),
          }),
      ...(origin ? { origin } : {}),
      ...(cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {}),
    };
    return new Promise((resolve, reject) => {
      const req = request(target, { method, headers, localAddress, agent: false }, (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          for (const line of res.headers["set-cookie"] ?? []) {
            const [pair = "", ...attributes] = line.split(";");
            const [name = "", ...value] = pair.split("=");
            if (attributes.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim())))
              cookies.delete(name);
            else cookies.set(name.trim(), value.join("="));
          }
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            body: Buffer.concat(chunks).toString("utf8"),
          });
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  };
  return {
    send,
    async json(method, url, options) {
      const answer = await send(method, url, options);
      if (answer.status < 200 || answer.status >= 300)
        throw new Error(
          `${method} ${new URL(url).pathname} answered ${answer.status}: ${answer.body.slice(0, 300)}`,
        );
      return JSON.parse(answer.body);
    },
    hasSignInCookie: () => cookies.has(COOKIE),
  };
}

function redirectOf(answer, base) {
  if (answer.status < 300 || answer.status >= 400 || !answer.location)
    throw new Error(`expected a redirect, got ${answer.status}: ${answer.body.slice(0, 300)}`);
  return new URL(answer.location, base);
}

function field(html, name) {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no ${name} field in the page`);
  return unescapeHtml(match[1]);
}

function hiddenFields(html) {
  return [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [
    unescapeHtml(m[1]),
    unescapeHtml(m[2]),
  ]);
}

function formAction(html) {
  const match = /<form method="post" action="([^"]*)"/.exec(html);
  if (!match) throw new Error("no form in the sign-in page");
  return unescapeHtml(match[1]);
}

function unescapeHtml(value) {
  return value
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

// The sandbox's sign-in page: where a person connecting a real client to the sandbox picks which
// demo person to be, as they would sign in to Asana. Plain HTML with inline CSS and no script, sent
// with headers that keep it out of frames, caches and Referer headers.
import type { ServerResponse } from "node:http";

export const AUTHORIZE_PATH = "/-/oauth_authorize";

/** The form fields the page adds to the authorize request it carries. */
export const SIGN_IN_FIELDS = { user: "user", csrf: "csrf_token", cancel: "cancel" } as const;

export interface SignInPerson {
  gid: string;
  name: string;
  email: string;
}

export interface SignInView {
  people: SignInPerson[];
  /** The authorize request's parameters, carried through the form unchanged. */
  request: Array<[string, string]>;
  csrfToken: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Writes a page with the sign-in headers. No form-action: Chromium applies it to every hop of the
 * redirect chain a submission starts, and the app's redirect URI may itself redirect on (remote
 * mode's callback sends the browser on to its MCP client), which no directive here could name.
 * `_redirectUri` is where the form leads, kept for the caller's clarity.
 */
export function sendPage(res: ServerResponse, status: number, html: string, _redirectUri?: string): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
  });
  res.end(html);
}

export function renderSignInPage(view: SignInView): string {
  const hidden = view.request
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n      ");
  const people = view.people
    .map(
      (p) => `<li><button type="submit" name="${SIGN_IN_FIELDS.user}" value="${escapeHtml(p.gid)}">
          <span class="avatar" aria-hidden="true">${escapeHtml(initials(p.name))}</span>
          <span class="who"><span class="name">${escapeHtml(p.name)}</span><span class="email">${escapeHtml(p.email)}</span></span>
        </button></li>`,
    )
    .join("\n        ");
  const scopes = view.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(" ");
  const body = `<h1>Sign in to the sandbox Asana</h1>
    <p class="notice">This is the sandbox: made-up people and data, nothing reaches a real Asana.</p>
    <p>The application <code>${escapeHtml(view.clientId)}</code> asks to act as the person you pick
      (scopes ${scopes}); you then return to <code>${escapeHtml(returnsTo(view.redirectUri))}</code>.</p>
    <form method="post" action="${AUTHORIZE_PATH}">
      ${hidden}
      <input type="hidden" name="${SIGN_IN_FIELDS.csrf}" value="${escapeHtml(view.csrfToken)}">
      <p class="pick">Sign in as</p>
      <ul>
        ${people}
      </ul>
      <p class="cancel"><button type="submit" name="${SIGN_IN_FIELDS.cancel}" value="1">Cancel</button></p>
    </form>`;
  return layout("Sign in to the sandbox Asana", body);
}

export function renderSignInError(message: string): string {
  return layout(
    "Sign-in failed: sandbox Asana",
    `<h1>Sign-in failed</h1>
    <p class="notice">This is the sandbox: made-up people and data, nothing reaches a real Asana.</p>
    <p>${escapeHtml(message)}</p>`,
  );
}

function initials(name: string): string {
  const letters = name
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => [...word][0] ?? "");
  return (letters.length > 1 ? [letters[0], letters[letters.length - 1]] : letters).join("").toUpperCase();
}

/** Host (and port) of the redirect target, what a person recognises; the whole URI when it has none. */
function returnsTo(redirectUri: string): string {
  try {
    const url = new URL(redirectUri);
    return url.host || redirectUri;
  } catch {
    return redirectUri;
  }
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <style>${STYLE}</style>
</head>
<body>
  <main>
    ${body}
  </main>
</body>
</html>
`;
}

const STYLE = `
  :root { color-scheme: light; }
  body { margin: 0; background: #f6f5f3; color: #1e1f21; font: 16px/1.5 system-ui, -apple-system,
    "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
  main { max-width: 30rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 12px;
    box-shadow: 0 1px 3px rgb(0 0 0 / 12%); }
  h1 { margin: 0 0 1rem; font-size: 1.5rem; }
  .notice { padding: .6rem .8rem; background: #fff4e5; border-left: 4px solid #f1a33c; border-radius: 4px;
    font-size: .95rem; }
  code { font-size: .9em; background: #f0eeeb; padding: 0 .25em; border-radius: 3px; word-break: break-all; }
  .pick { margin: 1.5rem 0 .5rem; font-weight: 600; }
  ul { list-style: none; margin: 0; padding: 0; }
  li + li { margin-top: .5rem; }
  li button { display: flex; align-items: center; gap: .8rem; width: 100%; padding: .6rem .8rem;
    font: inherit; text-align: left; color: inherit; background: #fff; border: 1px solid #d5d3d0;
    border-radius: 8px; cursor: pointer; }
  li button:hover, li button:focus-visible { border-color: #4573d2; background: #f3f6fd; outline: none; }
  .avatar { flex: none; display: grid; place-items: center; width: 2.4rem; height: 2.4rem; border-radius: 50%;
    background: #4573d2; color: #fff; font-weight: 600; }
  .who { display: flex; flex-direction: column; }
  .name { font-weight: 600; }
  .email { color: #6d6e6f; font-size: .9rem; }
  .cancel { margin-top: 1.5rem; text-align: right; }
  .cancel button { font: inherit; padding: .4rem 1rem; background: none; border: 1px solid #d5d3d0;
    border-radius: 6px; cursor: pointer; }
`;

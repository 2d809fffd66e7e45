// The HTML remote mode shows people: the consent page and short messages. Every interpolated
// value is escaped; pages load nothing and cannot be framed.
import type { Response } from "express";

export interface ConsentView {
  requestId: string;
  csrf: string;
  clientName: string | undefined;
  clientId: string;
  redirectUri: string;
  /** Whose name reads and writes carry, and what else limits them. */
  reads: string;
  writes: string;
  limits: string[];
  sandbox: boolean;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1e1f21}
h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem}dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}.note{background:#fff4d6;border-radius:6px;padding:.6rem .8rem}
.actions{display:flex;gap:.8rem;margin-top:1.5rem}button{font:inherit;padding:.5rem 1.2rem;border-radius:6px;border:1px solid #6d6e6f;background:#fff;cursor:pointer}
button.approve{background:#4573d2;border-color:#4573d2;color:#fff}code{font-size:.9em;word-break:break-all}`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function consentPage(view: ConsentView): string {
  const e = escapeHtml;
  const name = view.clientName ? `“${e(view.clientName)}”` : "An MCP client";
  const limits = view.limits.length ? `<dt>Limits</dt><dd>${view.limits.map(e).join("; ")}</dd>` : "";
  const sandbox = view.sandbox
    ? `<p class="note">Sandbox: the next page signs you in to a built-in demo Asana with made-up people and data. Nothing reaches a real Asana.</p>`
    : "";
  return page(
    "Allow access to Asana?",
    `<h1>${name} wants to use Asana through asana-mcp</h1>
${sandbox}
<p>If you approve, you sign in to Asana next, and this client can then act in Asana through this server.
Approve only if you started this from a client you trust and the address below is that client's.</p>
<dl>
<dt>Client</dt><dd>${name} <code>${e(view.clientId)}</code> (the name is the client's own claim)</dd>
<dt>Returns to</dt><dd><code>${e(view.redirectUri)}</code></dd>
<dt>Reads act as</dt><dd>${e(view.reads)}</dd>
<dt>Writes carry the name of</dt><dd>${e(view.writes)}</dd>
${limits}
</dl>
<form method="post" action="/consent">
<input type="hidden" name="request" value="${e(view.requestId)}">
<input type="hidden" name="csrf" value="${e(view.csrf)}">
<div class="actions"><button class="approve" type="submit" name="decision" value="approve">Approve and sign in to Asana</button>
<button type="submit" name="decision" value="deny">Deny</button></div>
</form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/**
 * Sends a page. `formTargets` are the origins (or schemes) a form on it may lead to, redirects
 * included: Chromium applies form-action to every hop after a submission.
 */
export function sendPage(res: Response, status: number, html: string, formTargets: string[] = []): void {
  res
    .status(status)
    .set({
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${formTargets.join(" ")}; frame-ancestors 'none'; base-uri 'none'`,
      "X-Frame-Options": "DENY",
      "Cache-Control": "no-store",
      // Not no-referrer: with it Chromium sends `Origin: null` on the form's POST, which the origin
      // check refuses. same-origin still keeps the request id in this URL from other origins.
      "Referrer-Policy": "same-origin",
      "X-Content-Type-Options": "nosniff",
    })
    .send(html);
}

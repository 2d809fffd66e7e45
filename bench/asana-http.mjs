// The Asana requests asana-mcp's tools send, sent the way asana-mcp sends them: the same paths,
// query encoding and headers, with undici's request() (the plain way to call an HTTP API) or its
// dispatch() (what src/asana/http.ts uses). The raw baselines (bench/sandbox.mjs) and the bare
// server's HTTP tools (bench/bare-server.mjs) both send through here, so every variant of a
// comparison sends the same bytes.
import { Agent, request } from "undici";

/** The stories fields create_comment asks for (src/tools/create-comment.ts). */
const STORY_FIELDS = "created_at,created_by.name,resource_subtype,text,html_text,is_pinned";

// URLSearchParams, as src/asana/http.ts builds queries (commas become %2C).
const query = (params) => `?${new URLSearchParams(params)}`;

export const asanaPaths = {
  projects: (workspace, limit = 100) =>
    `/projects${query({ workspace, archived: "false", limit: String(limit), opt_fields: "name,team.name" })}`,
  comment: (task) => `/tasks/${task}/stories${query({ opt_fields: STORY_FIELDS })}`,
};

/** Sends to the Asana API at baseUrl; each call takes the token to act as, and parses the answer. */
export function asanaSender(baseUrl) {
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const base = new URL(baseUrl);
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, "");
  const headersFor = (token, body) => ({
    authorization: `Bearer ${token}`,
    accept: "application/json",
    "user-agent": "asana-mcp",
    ...(body ? { "content-type": "application/json" } : {}),
  });
  const payload = (body) => (body ? JSON.stringify({ data: body }) : undefined);

  const viaRequest = async (token, method, path, body) => {
    const response = await request(`${origin}${basePath}${path}`, {
      dispatcher,
      method,
      headers: headersFor(token, body),
      body: payload(body),
    });
    return JSON.parse(await response.body.text());
  };

  const viaDispatch = (token, method, path, body) =>
    new Promise((resolve, reject) => {
      const chunks = [];
      dispatcher.dispatch(
        { origin, path: `${basePath}${path}`, method, headers: headersFor(token, body), body: payload(body) },
        {
          // undici takes a handler for its current API by this method's presence.
          onRequestStart: () => {},
          onResponseData: (_controller, chunk) => chunks.push(chunk),
          onResponseEnd: () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))),
          onResponseError: (_controller, error) => reject(error),
        },
      );
    });

  return { request: viaRequest, dispatch: viaDispatch, close: () => dispatcher.close() };
}

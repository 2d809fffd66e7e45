// POST /batch (createBatchRequest): up to 10 actions, each dispatched through the sandbox's own
// routes as the same token, so every action gets the rules, scopes and faults a direct request
// gets; one {status_code, headers, body} per action, in order, under a 200. What the spec's
// BatchRequest schema does not allow (an unknown field, a method not in its lowercase enum, more
// than 10 actions or none) refuses the whole request with a 400, as a malformed body does.
import { ApiError, type Json, type Reply } from "./model.js";
import { type HandlerContext, onlyKeys } from "./routing.js";

export const MAX_BATCH_ACTIONS = 10;
const METHODS = ["get", "post", "put", "delete", "patch", "head"];
const ACTION_KEYS = ["relative_path", "method", "data", "options"];
const OPTION_KEYS = ["limit", "offset", "fields"];

interface Action {
  relative_path: string;
  method: string;
  data?: Record<string, unknown>;
  options?: { limit?: number; offset?: string | number; fields?: string[] };
}

export function createBatch(ctx: HandlerContext): Reply {
  onlyKeys(ctx.body, ["actions"]);
  const raw = ctx.body.actions;
  if (raw === undefined) throw new ApiError(400, "actions: Missing input");
  if (!Array.isArray(raw)) throw new ApiError(400, "actions: Not an array");
  if (raw.length === 0) throw new ApiError(400, "actions: A batch request must contain at least one action");
  if (raw.length > MAX_BATCH_ACTIONS) {
    throw new ApiError(400, `actions: A batch request may contain at most ${MAX_BATCH_ACTIONS} actions`);
  }
  const actions = raw.map((a, i) => actionOf(a, `actions[${i}]`));
  const dispatch = ctx.dispatch;
  if (!dispatch) throw new Error("POST /batch needs the sandbox's dispatcher");
  // Asana runs the actions in parallel, in no guaranteed order; here, in order, one at a time.
  const results: Json[] = actions.map((action) => {
    const reply = run(action, dispatch);
    const headers: Record<string, Json> = { ...(reply.headers ?? {}) };
    const gid = (reply.body as { data?: { gid?: unknown } } | null)?.data?.gid;
    // A created object's location, for a create in a collection (POST /tasks → /tasks/<gid>).
    if (reply.status === 201 && typeof gid === "string" && /^\/[a-z_]+$/.test(action.relative_path)) {
      headers.location = `${action.relative_path}/${gid}`;
    }
    return { status_code: reply.status, headers, body: reply.body };
  });
  return { status: 200, body: { data: results } };
}

function run(action: Action, dispatch: NonNullable<HandlerContext["dispatch"]>): Reply {
  const refuse = (status: number, message: string): Reply => ({
    status,
    body: { errors: [{ message }] },
  });
  const path = action.relative_path;
  if (!path.startsWith("/")) return refuse(400, "relative_path: Must begin with /");
  if (/[?#]/.test(path)) {
    return refuse(400, "relative_path: Query parameters are not accepted here; put them in data instead");
  }
  if (path === "/batch" || path.startsWith("/batch/")) {
    return refuse(400, "relative_path: Nested calls to the batch API are not allowed");
  }
  const method = action.method.toUpperCase();
  const query = new URLSearchParams();
  if (method === "GET" || method === "HEAD" || method === "DELETE") {
    for (const [key, value] of Object.entries(action.data ?? {})) {
      if (key === "limit" || key === "offset" || key === "opt_fields" || key === "opt_pretty") {
        return refuse(400, `data: ${key} is not accepted here; put it in options instead`);
      }
      if (!["string", "number", "boolean"].includes(typeof value)) {
        return refuse(400, `data.${key}: Not a query parameter value`);
      }
      query.set(key, String(value));
    }
  }
  const { limit, offset, fields } = action.options ?? {};
  if (limit !== undefined) query.set("limit", String(limit));
  if (offset !== undefined) query.set("offset", String(offset));
  if (fields !== undefined) query.set("opt_fields", fields.join(","));
  return dispatch(method, path, query, action.data);
}

/** An action as the spec's BatchRequestAction allows it, or the request's 400. */
function actionOf(raw: unknown, at: string): Action {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new ApiError(400, `${at}: Not an object`);
  const a = raw as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    if (!ACTION_KEYS.includes(key)) throw new ApiError(400, `${at}.${key}: Unknown property`);
  }
  if (typeof a.relative_path !== "string") throw new ApiError(400, `${at}.relative_path: Missing input`);
  if (typeof a.method !== "string") throw new ApiError(400, `${at}.method: Missing input`);
  // The spec's enum is lowercase; "POST" is not one of its values.
  if (!METHODS.includes(a.method)) {
    throw new ApiError(400, `${at}.method: Must be one of ${METHODS.join(", ")}`);
  }
  if (a.data !== undefined && (typeof a.data !== "object" || a.data === null || Array.isArray(a.data))) {
    throw new ApiError(400, `${at}.data: Not an object`);
  }
  if (a.options !== undefined) {
    const o = a.options;
    if (typeof o !== "object" || o === null || Array.isArray(o))
      throw new ApiError(400, `${at}.options: Not an object`);
    const options = o as Record<string, unknown>;
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.includes(key)) throw new ApiError(400, `${at}.options.${key}: Unknown property`);
    }
    if (options.limit !== undefined && !Number.isInteger(options.limit)) {
      throw new ApiError(400, `${at}.options.limit: Not an integer`);
    }
    if (options.offset !== undefined && !["string", "number"].includes(typeof options.offset)) {
      throw new ApiError(400, `${at}.options.offset: Not an offset`);
    }
    const list = options.fields;
    if (list !== undefined && (!Array.isArray(list) || list.some((f) => typeof f !== "string"))) {
      throw new ApiError(400, `${at}.options.fields: Not an array of strings`);
    }
  }
  return a as unknown as Action;
}

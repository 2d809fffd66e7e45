/**
 * What route handlers share: the handler context, route templates, single and listed answers, offset
 * pagination, and lookups of the objects a path or body names.
 */
import { createHmac, randomBytes } from "node:crypto";
import {
  API_PREFIX,
  ApiError,
  type FakeTokenSeed,
  type FieldTree,
  type Json,
  type Kind,
  type Reply,
  type SectionRec,
  type TaskRec,
  type UserRec,
} from "./model.js";
import type { RecordedForm } from "./multipart.js";
import { errorReply } from "./plumbing.js";
import { requireGid, type Store, type ViewContext } from "./store.js";
import { renderResource } from "./views.js";

export const UNPAGINATED_CAP = 1000;

export interface HandlerContext {
  store: Store;
  viewer: UserRec;
  token: FakeTokenSeed;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The pathname without /api/1.0, as used in next_page.path. */
  path: string;
  /** `data` of the request body (POST/PUT), else an empty object. */
  body: Record<string, unknown>;
  fields: FieldTree | null;
  origin: string;
  paginator: Paginator;
  /** A multipart/form-data request's parts (routes marked `multipart`), file bytes left out. */
  form?: RecordedForm;
  /**
   * Runs a request through the sandbox's own routes as this token, with the same rules, scopes and
   * faults (those injected for batch actions) as a direct request: POST /batch's actions.
   */
  dispatch?: (method: string, path: string, query: URLSearchParams, data: unknown) => Reply;
}

export interface Route {
  method: string;
  /** Template such as "/tasks/:task_gid/stories", relative to /api/1.0. */
  path: string;
  /** Granular OAuth scope that grants access; enforced only for tokens with oauthScopes but no `default`. */
  scope?: string;
  /** The route takes a multipart/form-data body (uploads), not Asana's JSON envelope. */
  multipart?: boolean;
  /** An early-access endpoint: answered only to requests that opt in with this Asana-Enable flag. */
  enable?: string;
  handler: (ctx: HandlerContext) => Reply;
}

/** Asana's 401 to an expired OAuth access token. */
export const TOKEN_EXPIRED =
  "The bearer token has expired. If you have a refresh token, please use it to request a new bearer token, otherwise allow the user to re-authenticate.";

/**
 * Why a signed-in request may not reach its route: an OAuth token without the route's scope (403;
 * `default` is every scope), or an early-access route it did not opt in to with Asana-Enable.
 */
export function accessRefusal(
  route: Route,
  scopes: readonly string[] | undefined,
  enabled: ReadonlySet<string>,
): Reply | undefined {
  if (route.scope !== undefined && scopes !== undefined && !scopes.includes("default")) {
    if (!scopes.includes(route.scope)) {
      return errorReply(
        403,
        `Forbidden: this request requires scope ${route.scope}, which was not granted to this token`,
      );
    }
  }
  if (route.enable !== undefined && !enabled.has(route.enable)) {
    // Asana does not document its answer to a request that did not opt in; a 400 naming the flag.
    return errorReply(
      400,
      `This endpoint is in early access: opt in with the header Asana-Enable: ${route.enable}`,
    );
  }
  return undefined;
}

/** The route a request names, with its path's parameters, or undefined (Asana's 404). */
export function findRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchTemplate(route.path, path);
    if (params !== null) return { route, params };
  }
  return undefined;
}

export function matchTemplate(template: string, path: string): Record<string, string> | null {
  const want = template.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = got[i] ?? "";
    if (w.startsWith(":")) {
      if (g === "") return null;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

export function viewOf(ctx: HandlerContext): ViewContext {
  return { store: ctx.store, viewer: ctx.viewer };
}

export function one(ctx: HandlerContext, kind: Kind, gid: string, status = 200): Reply {
  if (ctx.store.lagging(gid)) throw new ApiError(404, `${kind}: Unknown object: ${gid}`);
  return { status, body: { data: renderResource(kind, gid, viewOf(ctx), ctx.fields, "full") } };
}

export function list(ctx: HandlerContext, kind: Kind, gids: string[]): Reply {
  const visible = gids.filter((gid) => !ctx.store.lagging(gid));
  const { page, nextPage } = ctx.paginator.page(ctx, visible);
  const vc = viewOf(ctx);
  const body: { [key: string]: Json } = {
    data: page.map((gid) => renderResource(kind, gid, vc, ctx.fields, "compact")),
  };
  if (nextPage !== undefined) body.next_page = nextPage;
  return { status: 200, body };
}

export function param(ctx: HandlerContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route has no :${name}`);
  return value;
}

export type NextPage = { offset: string; path: string; uri: string } | null;

/**
 * Offsets are opaque to clients: base64url of a small JSON payload that is HMAC-signed with a secret of
 * this instance, so only offsets this fake issued, for the same listing, are accepted.
 */
export class Paginator {
  private readonly secret = randomBytes(16);

  page(ctx: HandlerContext, items: string[]): { page: string[]; nextPage: NextPage | undefined } {
    const limitRaw = ctx.query.get("limit");
    const offsetRaw = ctx.query.get("offset");
    let limit: number | null = null;
    if (limitRaw !== null) {
      limit = /^\d+$/.test(limitRaw) ? Number(limitRaw) : Number.NaN;
      if (!(limit >= 1 && limit <= 100)) throw new ApiError(400, "limit: Must be between 1 and 100");
    }
    const key = this.listingKey(ctx);
    const start = offsetRaw === null ? 0 : this.decode(offsetRaw, key);
    if (limit === null) return { page: items.slice(start, start + UNPAGINATED_CAP), nextPage: undefined };
    const end = start + limit;
    if (end >= items.length) return { page: items.slice(start, end), nextPage: null };
    const offset = this.encode(key, end);
    const qs = new URLSearchParams(ctx.query);
    qs.delete("offset");
    qs.append("offset", offset);
    const path = `${ctx.path}?${qs.toString()}`;
    return {
      page: items.slice(start, end),
      nextPage: { offset, path, uri: `${ctx.origin}${API_PREFIX}${path}` },
    };
  }

  /** The listing an offset belongs to: path plus filters, but not page size or field selection. */
  private listingKey(ctx: HandlerContext): string {
    const ignored = new Set(["limit", "offset", "opt_fields", "opt_pretty"]);
    const filters = [...ctx.query.entries()]
      .filter(([k]) => !ignored.has(k))
      .sort(([a], [b]) => a.localeCompare(b));
    return `${ctx.token.userGid}:${ctx.path}?${new URLSearchParams(filters).toString()}`;
  }

  private sign(key: string, position: number): string {
    return createHmac("sha256", this.secret).update(`${key}\n${position}`).digest("base64url").slice(0, 22);
  }

  private encode(key: string, position: number): string {
    return Buffer.from(JSON.stringify({ o: position, s: this.sign(key, position) })).toString("base64url");
  }

  private decode(token: string, key: string): number {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
      if (typeof parsed === "object" && parsed !== null && "o" in parsed && "s" in parsed) {
        const { o, s } = parsed;
        if (typeof o === "number" && Number.isInteger(o) && o >= 0 && s === this.sign(key, o)) return o;
      }
    } catch {
      // falls through to the error below
    }
    throw new ApiError(400, "offset: Invalid offset");
  }
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function taskOf(ctx: HandlerContext, gid = param(ctx, "task_gid")): TaskRec {
  return ctx.store.requireInWorkspace("task", ctx.store.tasks, gid, ctx.viewer);
}

export function projectOf(ctx: HandlerContext, gid: string) {
  return ctx.store.requireInWorkspace("project", ctx.store.projects, gid, ctx.viewer);
}

export function sectionOf(ctx: HandlerContext, gid: string): SectionRec {
  const section = ctx.store.world.sections.get(requireGid("section", gid));
  if (section === undefined || ctx.store.lagging(gid))
    throw new ApiError(404, `section: Unknown object: ${gid}`);
  projectOf(ctx, section.project);
  return section;
}

export function userGid(ctx: HandlerContext, raw: unknown, field: string): string {
  if (typeof raw !== "string") throw new ApiError(400, `${field}: Not a string`);
  if (raw === "me") return ctx.viewer.gid;
  const user = raw.includes("@")
    ? [...ctx.store.users.values()].find((u) => u.email.toLowerCase() === raw.toLowerCase())
    : ctx.store.users.get(requireGid(field, raw));
  if (user === undefined) throw new ApiError(400, `${field}: Unknown object: ${raw}`);
  return user.gid;
}

export function stringList(raw: unknown, field: string): string[] {
  if (typeof raw === "string") return raw.split(",").map((s) => s.trim());
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== "string")) {
    throw new ApiError(400, `${field}: Not an array of strings`);
  }
  return raw as string[];
}

export function onlyKeys(body: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new ApiError(400, `${key}: Unknown property`);
  }
}

export function withoutPaging(ctx: HandlerContext): HandlerContext {
  const query = new URLSearchParams(ctx.query);
  query.delete("limit");
  query.delete("offset");
  return { ...ctx, query };
}

export function stripNextPage(reply: Reply): Reply {
  const body = reply.body as { [key: string]: unknown };
  delete body.next_page;
  return reply;
}

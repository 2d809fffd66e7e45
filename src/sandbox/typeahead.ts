/**
 * GET /workspaces/{workspace_gid}/typeahead: Asana's quick name lookup (operation typeaheadForWorkspace).
 *
 * As the spec describes it: one resource_type per request (default `user`), `count` results (default 20,
 * 1 to 100), a single unpaginated page of compact records, and an empty or missing query still answers.
 * Like Asana, a query matches a name by word prefix, case-insensitively ("lau" finds "Q3 Product
 * Launch"; every word of the query must start some word of the name); users also match by email. Results
 * are scoped to the workspace and to what the token's user can see (portfolios: owner, members, or public).
 */
import {
  ApiError,
  type HandlerContext,
  list,
  param,
  type Reply,
  type Route,
  type Store,
  type UserRec,
} from "./fake-asana.js";

/** The spec's enum for resource_type. */
export const TYPEAHEAD_TYPES = [
  "actor",
  "agent",
  "custom_field",
  "goal",
  "project",
  "project_template",
  "portfolio",
  "tag",
  "task",
  "team",
  "user",
] as const;
type TypeaheadType = (typeof TYPEAHEAD_TYPES)[number];

const DEFAULT_COUNT = 20;
const MAX_COUNT = 100;

export function typeaheadRoutes(): Route[] {
  // The spec's scope name; api-facts notes a singular spelling seen elsewhere, unverified.
  return [
    {
      method: "GET",
      path: "/workspaces/:workspace_gid/typeahead",
      scope: "workspaces.typeahead:read",
      handler: typeahead,
    },
  ];
}

const WORD = /[\p{L}\p{N}]+/gu;
const wordsOf = (text: string): string[] => text.toLowerCase().match(WORD) ?? [];

/** Every word of the query starts some word of the name. An empty query matches everything. */
export function matchesByWordPrefix(name: string, query: string): boolean {
  const wanted = wordsOf(query);
  if (wanted.length === 0) return true;
  const words = wordsOf(name);
  return wanted.every((q) => words.some((w) => w.startsWith(q)));
}

interface Candidate {
  gid: string;
  name: string;
  /** Extra text matched by plain prefix (a user's email). */
  alias?: string;
  /** Lower ranks first, after names that start with the query. */
  rank: string;
}

function typeaheadKind(
  type: TypeaheadType,
): "user" | "project" | "task" | "tag" | "team" | "portfolio" | "custom_field" | null {
  if (type === "actor") return "user";
  if (type === "agent" || type === "goal" || type === "project_template") return null;
  return type;
}

function typeahead(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  const q = ctx.query;
  const rawType = q.get("resource_type") ?? q.get("type") ?? "user";
  if (!(TYPEAHEAD_TYPES as readonly string[]).includes(rawType)) {
    throw new ApiError(400, `resource_type: Not a valid enum value: ${rawType}`);
  }
  const rawCount = q.get("count");
  const count = rawCount === null ? DEFAULT_COUNT : /^\d+$/.test(rawCount) ? Number(rawCount) : Number.NaN;
  if (!(count >= 1 && count <= MAX_COUNT)) {
    throw new ApiError(400, `count: Must be between 1 and ${MAX_COUNT}`);
  }
  const query = q.get("query") ?? "";
  const kind = typeaheadKind(rawType as TypeaheadType);
  // The agents, goals and project templates the sandbox has: none.
  const candidates = kind === null ? [] : candidatesOf(ctx.store, ctx.viewer, ws.gid, kind);
  const lowered = query.trim().toLowerCase();
  const startsWithQuery = (c: Candidate) =>
    lowered !== "" && c.name.toLowerCase().startsWith(lowered) ? 0 : 1;
  const found = candidates
    .filter(
      (c) =>
        matchesByWordPrefix(c.name, query) ||
        (c.alias !== undefined && lowered !== "" && c.alias.toLowerCase().startsWith(lowered)),
    )
    .sort(
      (a, b) =>
        startsWithQuery(a) - startsWithQuery(b) || a.rank.localeCompare(b.rank) || a.gid.localeCompare(b.gid),
    )
    .slice(0, count)
    .map((c) => c.gid);
  // One page, no offsets: limit/offset are not parameters of this endpoint.
  const query2 = new URLSearchParams(q);
  query2.delete("limit");
  query2.delete("offset");
  return list({ ...ctx, query: query2 }, kind ?? "user", found);
}

function candidatesOf(
  store: Store,
  viewer: UserRec,
  workspace: string,
  kind: NonNullable<ReturnType<typeof typeaheadKind>>,
): Candidate[] {
  const byName = <T extends { gid: string; name: string }>(items: Iterable<T>) =>
    [...items].map((x) => ({ gid: x.gid, name: x.name, rank: x.name.toLowerCase() }));
  const w = store.world;
  switch (kind) {
    case "user":
      return [...store.users.values()]
        .filter((u) => u.workspaces.includes(workspace))
        .map((u) => ({ gid: u.gid, name: u.name, alias: u.email, rank: u.name.toLowerCase() }));
    case "project":
      // "returned in order of recency"; archived ones last.
      return [...store.projects.values()]
        .filter((p) => p.workspace === workspace)
        .map((p) => ({ gid: p.gid, name: p.name, rank: `${p.archived ? 1 : 0}${invert(p.modifiedAt)}` }));
    case "task":
      // "priority placed on tasks the user is following".
      return [...store.tasks.values()]
        .filter((t) => t.workspace === workspace)
        .map((t) => ({
          gid: t.gid,
          name: t.name,
          rank: `${t.followers.includes(viewer.gid) ? 0 : 1}${invert(t.modifiedAt)}`,
        }));
    case "tag":
      return byName([...w.tags.values()].filter((t) => t.workspace === workspace));
    case "team":
      return byName([...store.teams.values()].filter((t) => t.workspace === workspace));
    case "custom_field":
      return byName([...w.fields.values()].filter((f) => f.workspace === workspace));
    case "portfolio":
      return byName(
        [...w.portfolios.values()].filter(
          (p) => p.workspace === workspace && (p.public || p.members.includes(viewer.gid)),
        ),
      );
  }
}

/** A sort key that puts later ISO timestamps first. */
function invert(iso: string): string {
  return String(9e15 - Date.parse(iso)).padStart(16, "0");
}

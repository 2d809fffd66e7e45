/**
 * GET /workspaces/{workspace_gid}/tasks/search: the filters of Asana's spec the sandbox can answer from
 * its records (the id lists, the date ranges, the booleans), its sort orders and its `limit`.
 */
import { ApiError, type Reply, type TaskRec } from "./model.js";
import { type HandlerContext, list, param, stripNextPage, userGid, withoutPaging } from "./routing.js";
import type { Store } from "./store.js";

/** Asana's search answers at most 100 tasks and has no offset; clients page by created_at.before. */
export const SEARCH_MAX = 100;

const SORTS = ["due_date", "created_at", "completed_at", "likes", "modified_at", "relevance"] as const;

type Check = (t: TaskRec) => boolean;

/** The ids a task has for each `X.any/.not/.all` filter. */
function idsOf(store: Store, t: TaskRec): Record<string, string[]> {
  const w = store.world;
  return {
    assignee: t.assignee === null ? [] : [t.assignee],
    projects: t.projects,
    sections: t.projects.flatMap((p) => w.taskSection.get(`${t.gid}:${p}`) ?? []),
    tags: w.taskTags.get(t.gid) ?? [],
    followers: t.followers,
    created_by: t.createdBy === null ? [] : [t.createdBy],
  };
}

/** The dates a task has for each `X_on` / `X_at` filter (null when unset). */
function datesOf(store: Store, t: TaskRec): Record<string, { on: string | null; at: string | null }> {
  const dueAt = store.world.dueAt.get(t.gid) ?? null;
  const startAt = store.world.startAt.get(t.gid) ?? null;
  const stamp = (at: string | null) => ({ on: at?.slice(0, 10) ?? null, at });
  return {
    due: { on: t.dueOn ?? dueAt?.slice(0, 10) ?? null, at: dueAt },
    start: { on: t.startOn ?? startAt?.slice(0, 10) ?? null, at: startAt },
    created: stamp(t.createdAt),
    completed: stamp(t.completedAt),
    modified: stamp(t.modifiedAt),
  };
}

function dateParam(name: string, raw: string, kind: "on" | "at"): string {
  const ok = kind === "on" ? /^\d{4}-\d{2}-\d{2}$/.test(raw) : !Number.isNaN(Date.parse(raw));
  if (!ok || Number.isNaN(Date.parse(raw))) {
    throw new ApiError(400, `${name}: Invalid ${kind === "on" ? "date" : "date-time"}: ${raw}`);
  }
  return kind === "on" ? raw : new Date(raw).toISOString();
}

function booleanParam(name: string, raw: string): boolean {
  if (raw !== "true" && raw !== "false") throw new ApiError(400, `${name}: Not a boolean: ${raw}`);
  return raw === "true";
}

function searchLimit(raw: string | null): number {
  if (raw === null) return SEARCH_MAX;
  const limit = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= SEARCH_MAX)) throw new ApiError(400, "limit: Must be between 1 and 100");
  return limit;
}

/** The filters a query asks for, each a predicate on a task; unknown values answer 400 before any search. */
function filtersOf(ctx: HandlerContext): Check[] {
  const q = ctx.query;
  const store = ctx.store;
  const checks: Check[] = [];
  const text = q.get("text")?.toLowerCase();
  if (text !== undefined) checks.push((t) => `${t.name}\n${t.notes}`.toLowerCase().includes(text));

  for (const field of ["assignee", "projects", "sections", "tags", "followers", "created_by"]) {
    const users = field === "assignee" || field === "followers" || field === "created_by";
    for (const mode of ["any", "not", "all"] as const) {
      const name = `${field}.${mode}`;
      const raw = q.get(name);
      if (raw === null) continue;
      const wanted = raw
        .split(",")
        .filter(Boolean)
        .map((v) => (users ? userGid(ctx, v.trim(), name) : v.trim()));
      checks.push((t) => {
        const has = idsOf(store, t)[field] ?? [];
        if (mode === "any") return wanted.some((g) => has.includes(g));
        if (mode === "not") return !wanted.some((g) => has.includes(g));
        return wanted.every((g) => has.includes(g));
      });
    }
  }

  for (const date of ["due", "start", "created", "completed", "modified"]) {
    const pick = (t: TaskRec) => datesOf(store, t)[date] ?? { on: null, at: null };
    const on = q.get(`${date}_on`);
    if (on !== null) {
      const want = on === "null" ? null : dateParam(`${date}_on`, on, "on");
      checks.push((t) => pick(t).on === want);
    }
    for (const kind of ["on", "at"] as const) {
      for (const side of ["before", "after"] as const) {
        const name = `${date}_${kind}.${side}`;
        const raw = q.get(name);
        if (raw === null) continue;
        const bound = dateParam(name, raw, kind);
        checks.push((t) => {
          const v = pick(t)[kind];
          if (v === null) return false;
          const value = kind === "at" ? new Date(v).toISOString() : v;
          return side === "before" ? value < bound : value > bound;
        });
      }
    }
  }

  const w = store.world;
  const blockedBy = (t: TaskRec) =>
    (w.dependencies.get(t.gid) ?? []).some((g) => store.tasks.get(g)?.completed === false);
  const blocks = (t: TaskRec) =>
    [...w.dependencies].some(([task, on]) => on.includes(t.gid) && store.tasks.get(task) !== undefined);
  const hasAttachment = (t: TaskRec) => [...w.attachments.values()].some((a) => a.task === t.gid);
  const flags: Record<string, Check> = {
    completed: (t) => t.completed,
    is_subtask: (t) => w.parent.has(t.gid),
    is_blocked: blockedBy,
    // "Filter to incomplete tasks with dependents"
    is_blocking: (t) => !t.completed && blocks(t),
    has_attachment: hasAttachment,
  };
  for (const [name, flag] of Object.entries(flags)) {
    const raw = q.get(name);
    if (raw === null) continue;
    const want = booleanParam(name, raw);
    checks.push((t) => flag(t) === want);
  }
  const subtype = q.get("resource_subtype");
  if (subtype !== null) checks.push((t) => t.resourceSubtype === subtype);
  return checks;
}

function sortKey(sortBy: (typeof SORTS)[number], store: Store): (t: TaskRec) => string {
  switch (sortBy) {
    case "due_date":
      return (t) => datesOf(store, t).due?.on ?? "9999";
    case "created_at":
      return (t) => t.createdAt;
    case "completed_at":
      return (t) => t.completedAt ?? "";
    default:
      // No likes or relevance score in the sandbox: those orders fall back to the default one.
      return (t) => t.modifiedAt;
  }
}

export function search(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  if (!ctx.store.world.premium.has(ws.gid)) {
    throw new ApiError(402, "Search is only available to premium users.");
  }
  const q = ctx.query;
  const limit = searchLimit(q.get("limit"));
  const sortRaw = q.get("sort_by") ?? "modified_at";
  const sortBy = SORTS.find((s) => s === sortRaw);
  if (sortBy === undefined) throw new ApiError(400, `sort_by: Unknown value: ${sortRaw}`);
  const ascending = booleanParam("sort_ascending", q.get("sort_ascending") ?? "false");
  const checks = filtersOf(ctx);
  const key = sortKey(sortBy, ctx.store);
  const tasks = [...ctx.store.tasks.values()]
    .filter((t) => t.workspace === ws.gid && checks.every((check) => check(t)))
    .sort((a, b) => (ascending ? 1 : -1) * key(a).localeCompare(key(b)));
  const found = tasks.slice(0, limit).map((t) => t.gid);
  // Unpaginated, like Asana: no next_page in the envelope, and no offset.
  return stripNextPage(list(withoutPaging(ctx), "task", found));
}

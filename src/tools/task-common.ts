// Pieces the task tools share: compact task shapes, who acted, the default workspace, and the
// date and user arguments.
import { z } from "zod";
import { type AsanaUser, describeIdentity } from "../auth/identities.js";
import { AppError } from "../errors.js";
import { workspaceAllowed } from "../policy.js";
import type { ToolContext } from "./define.js";
import { gidOf } from "./schemas.js";

/** The fields every task listing asks for: enough to choose, cheap for Asana's cost limit. */
export const LIST_FIELDS = "name,completed,assignee.name,due_on,due_at";

export interface AsanaTask {
  gid: string;
  name: string;
  completed?: boolean;
  assignee?: { gid: string; name?: string } | null;
  due_on?: string | null;
  due_at?: string | null;
}

export const compactTaskOut = z.object({
  gid: z.string(),
  name: z.string(),
  done: z.literal(true).optional(),
  assignee: z.string().optional(),
  due: z.string().optional(),
});

/** A task in a listing: gid, name, and only what is set. */
export function compactTask(t: AsanaTask): z.input<typeof compactTaskOut> {
  return {
    gid: t.gid,
    name: t.name,
    ...(t.completed ? { done: true as const } : {}),
    ...(t.assignee ? { assignee: t.assignee.name ?? t.assignee.gid } : {}),
    ...(t.due_at || t.due_on ? { due: (t.due_at ?? t.due_on) as string } : {}),
  };
}

/**
 * Who a write acted as, from the identity's resolution. Before the start-up `GET /users/me` has
 * answered, the write waits for that request (shared, never a second one), bounded by the call's
 * signal: the first write after start-up names the Asana user too, not just the variable.
 */
export async function actingAsOf(context: ToolContext) {
  const { identity, resolver, asana, config, signal } = context;
  const known = resolver.resolution(identity);
  let user = known.user;
  if (!user && known.status === "pending") {
    user = (await unlessAborted(resolver.resolve(identity, asana, config.requestTimeoutMs), signal))?.user;
  }
  return { gid: user?.gid ?? null, name: user?.name ?? identity.variable, kind: identity.kind };
}

/** The promise's value, or undefined once the signal aborts (the promise itself is left running). */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const stop = () => resolve(undefined);
    signal.addEventListener("abort", stop, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", stop);
        resolve(value);
      },
      () => {
        signal.removeEventListener("abort", stop);
        resolve(undefined);
      },
    );
  });
}

/**
 * A task's link in Asana's current permalink form, `https://app.asana.com/1/<workspace>/task/<task>`
 * (the form Asana answers as a task's permalink_url, which every task result shows), for a result
 * whose Asana answer carries none (a story's). Built only when the task's workspace is known
 * without a request: the acting identity sees one workspace the allow-list admits. Else undefined.
 */
export function taskUrlOf(context: ToolContext, task: string): string | undefined {
  const { resolver, identity, policy } = context;
  const seen = (resolver.resolution(identity).workspaces ?? []).filter((w) =>
    workspaceAllowed(policy, w.gid),
  );
  const [only] = seen;
  return seen.length === 1 && only ? `https://app.asana.com/1/${only.gid}/task/${task}` : undefined;
}

/** The workspace given, or the only one the identity sees. */
export async function workspaceOf(context: ToolContext, given: string | undefined): Promise<string> {
  if (given) return given;
  const { asana, resolver, identity, config, signal, policy } = context;
  const resolution = await resolver.current(identity, asana, config.requestTimeoutMs, signal);
  if (resolution.status !== "ok") {
    throw new AppError(
      resolution.error?.code ?? "unauthorized",
      `workspace_gid was not given and the identity's workspaces are unknown: ${resolution.error?.message ?? "not resolved"}`,
      { hint: resolution.error?.hint },
    );
  }
  // Under ASANA_WORKSPACES only the allowed workspaces are candidates (the others stay unnamed).
  const visible = resolution.workspaces ?? [];
  const workspaces = visible.filter((w) => workspaceAllowed(policy, w.gid));
  const who = resolution.user?.name ?? "the identity";
  const [only] = workspaces;
  if (workspaces.length === 1 && only) return only.gid;
  if (workspaces.length === 0 && visible.length > 0) {
    throw new AppError("policy_denied", `${who} sees no workspace that ASANA_WORKSPACES allows.`);
  }
  const allowed = policy.workspaces ? " allowed by ASANA_WORKSPACES" : "";
  const listed = workspaces.map((w) => `${w.gid} (${w.name})`).join(", ");
  throw new AppError(
    "invalid_input",
    workspaces.length === 0
      ? "workspace_gid: the identity sees no workspace."
      : `workspace_gid is required: ${who} sees ${workspaces.length} workspaces${allowed}: ${listed}.`,
  );
}

/** Whether YYYY-MM-DD names a day of the calendar (2026-02-30 does not). */
export function isCalendarDate(text: string): boolean {
  const [y = 0, m = 0, d = 0] = text.split("-").map(Number);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return days !== undefined && d >= 1 && d <= days;
}

/** Date-only YYYY-MM-DD, a real calendar date. */
export const dateOnly = () =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
    .refine(isCalendarDate, "is not a calendar date");

const USER = /^(me|[0-9]{1,32}|[^\s@]+@[^\s@]+)$/;
const NOT_A_USER = 'must be a user gid, an email or "me"';

/** A user argument as sent (gid, email or "me"), or why it is not one. */
export function userOf(value: unknown): { gid: string } | { error: string } {
  if (typeof value === "string" && USER.test(value)) return { gid: value };
  const asGid = gidOf(value, "other");
  if ("gid" in asGid) return asGid;
  if (typeof value === "number") return asGid;
  // A name ("Grace Hopper") could match several people; the agent can look them up.
  const named = typeof value === "string" && /\p{L}/u.test(value) && !value.includes("@");
  return {
    error: named ? `${NOT_A_USER}, not a name: find people with find (type: "user")` : NOT_A_USER,
  };
}

/** A user: gid (string or safe-integer number), email, or "me" (the person, see resolveMe). */
export const userIn = () =>
  z
    .custom<string | number>((v) => typeof v === "string" || typeof v === "number", NOT_A_USER)
    .transform((value, ctx) => {
      const user = userOf(value);
      if ("gid" in user) return user.gid;
      ctx.addIssue({ code: "custom", message: user.error });
      return z.NEVER;
    })
    .meta({ type: "string" });

/**
 * Whom "me" means in every tool, reads and writes alike: the person (resolver.person()), never the
 * bot a write acts as. Resolved to a gid before sending, so Asana never reads "me" as the bot.
 */
export async function meOf(context: ToolContext): Promise<AsanaUser> {
  const { resolver, asana, config, signal } = context;
  const person = resolver.person();
  if (!person) {
    throw new AppError(
      "invalid_input",
      '"me" names no one here: no person is configured (an OAuth login or ASANA_PAT), only bot or service-account tokens. Give a user gid or email (list_workspace of: "users").',
    );
  }
  const resolution = await resolver.current(person, asana, config.requestTimeoutMs, signal);
  // A gid never changes: one learnt before a failed refresh still names the same person.
  if (resolution.user) return resolution.user;
  throw new AppError(
    resolution.error?.code ?? "unauthorized",
    `"me" means ${describeIdentity(person)}, and Asana did not say who that is: ${resolution.error?.message ?? "not resolved"}`,
    { hint: resolution.error?.hint },
  );
}

/** A user argument (or list of them) with "me" replaced by the person's gid. */
export async function resolveMe<T extends string | string[] | null | undefined>(
  context: ToolContext,
  value: T,
): Promise<T> {
  if (!(value === "me" || (Array.isArray(value) && value.includes("me")))) return value;
  const me = (await meOf(context)).gid;
  return (Array.isArray(value) ? value.map((v) => (v === "me" ? me : v)) : me) as T;
}

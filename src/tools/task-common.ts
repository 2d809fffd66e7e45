// Pieces the task tools share: compact task shapes, who acted, the default workspace, and the
// date and user arguments.
import { z } from "zod";
import { AppError } from "../errors.js";
import { workspaceAllowed } from "../policy.js";
import type { ToolContext } from "./define.js";

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

/** Who a write acted as, from the identity's resolution (no request). */
export function actingAsOf(context: ToolContext) {
  const { identity, resolver } = context;
  const user = resolver.resolution(identity).user;
  return { gid: user?.gid ?? null, name: user?.name ?? identity.variable, kind: identity.kind };
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

/** Date-only YYYY-MM-DD. */
export const dateOnly = () => z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD");
/** A user: gid, email, or "me". */
export const userIn = () =>
  z.string().regex(/^(me|\d{1,32}|\S+@\S+)$/, 'must be a user gid, an email or "me"');

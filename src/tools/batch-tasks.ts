// batch_tasks: many creates, updates and moves in one call, sent as Asana batch requests of 10
// actions. Each item is exactly a create_task, update_task or move_task (to_section) call: the same
// arguments and checks (every item is parsed by that tool's own parse), the same scope (checked per
// item by the allow-lists), the same request body, and the same settlement (createOnce's read-back
// for a create, one direct repetition of the PUT or the addTask for an update or a move).
// Everything that can refuse an item is done for every item before the first write, so bad input
// anywhere refuses the whole call.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { allowedProjects, outsideNote } from "../policy.js";
import { type BatchAction, BatchRequest, MAX_BATCH_ACTIONS } from "./batch-send.js";
import {
  type CreateTaskArgs,
  createPrepared,
  createTask,
  type Listed,
  type PreparedCreate,
  prepareCreate,
} from "./create-task.js";
import { type ConfirmationPreview, defineTool, type Tool, type ToolContext } from "./define.js";
import { moveTask } from "./move-task.js";
import { actingAs } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { actingAsOf } from "./task-common.js";
import type { WrittenTask } from "./task-fields.js";
import {
  type PreparedUpdate,
  prepareUpdate,
  type UpdateTaskArgs,
  updatePrepared,
  updateTask,
} from "./update-task.js";

/** The most items one call takes (five batch requests). */
export const MAX_BATCH_ITEMS = 50;
/** Under ASANA_CONFIRM=destructive, a call touching more tasks than this needs a human's yes. */
export const BATCH_CONFIRM_OVER = 10;
/** What each action asks Asana to answer with: enough for the item's result. */
const ACTION_FIELDS = ["name", "permalink_url"];

/** A move: move_task's to_section, the one a batch carries (many tasks into one section). */
interface MoveArgs {
  task_gid: string;
  section_gid: string;
}

type Item =
  | { action: "create"; args: CreateTaskArgs }
  | { action: "update"; args: UpdateTaskArgs }
  | { action: "move"; args: MoveArgs };

/**
 * An item's arguments checked by its own tool's parse (zod schema with its refinements, then the
 * tool's validate): the checks are create_task's and update_task's, not a copy of them.
 */
function through<A>(tool: Tool, fixed: Record<string, unknown> = {}) {
  return (raw: Record<string, unknown>, ctx: z.RefinementCtx): A => {
    const { action: _action, ...args } = raw;
    try {
      return tool.parse({ ...args, ...fixed }) as A;
    } catch (error) {
      if (error instanceof z.ZodError) {
        for (const issue of error.issues) {
          ctx.addIssue({ code: "custom", message: issue.message, path: issue.path as PropertyKey[] });
        }
      } else if (error instanceof AppError) ctx.addIssue({ code: "custom", message: error.message });
      else throw error;
      return z.NEVER;
    }
  };
}

/**
 * An item: its action, then exactly the arguments of create_task, update_task or move_task's
 * to_section (their schemas are in tools/list already; repeating them here would double its
 * size), checked by that tool's parse.
 */
const itemIn = z
  .object({ action: z.enum(["create", "update", "move"]) })
  .catchall(z.unknown())
  .transform((raw, ctx): Item => {
    if (raw.action === "create")
      return { action: "create", args: through<CreateTaskArgs>(createTask)(raw, ctx) };
    if (raw.action === "update")
      return { action: "update", args: through<UpdateTaskArgs>(updateTask)(raw, ctx) };
    const { action: _to, ...move } = through<MoveArgs & { action: string }>(moveTask, {
      action: "to_section",
    })(raw, ctx);
    return { action: "move", args: move };
  });

const itemResult = z.object({
  item: z.number(),
  action: z.enum(["create", "update", "move"]),
  status: z.enum(["ok", "error", "unknown"]),
  task: z.object({ gid: z.string(), name: z.string().optional(), url: z.string().optional() }).optional(),
  /** A move's section: Asana answers a move with nothing more. */
  section_gid: z.string().optional(),
  verified_after_uncertain_failure: z.literal(true).optional(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
});
type ItemResult = z.input<typeof itemResult>;

type Prepared =
  | { action: "create"; create: PreparedCreate }
  | { action: "update"; update: PreparedUpdate }
  | { action: "move"; move: MoveArgs };

export const batchTasks = defineTool({
  name: "batch_tasks",
  title: "Create, update or move many tasks",
  toolset: "batch",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      items: z
        .array(itemIn)
        .min(1)
        .max(MAX_BATCH_ITEMS)
        .describe(
          `1-${MAX_BATCH_ITEMS} of {action:"create", …create_task's arguments}, {action:"update", …update_task's arguments} or {action:"move", task_gid, section_gid}`,
        ),
    })
    .strict(),
  output: z.object({
    results: z.array(itemResult),
    counts: z.object({ ok: z.number(), error: z.number(), unknown: z.number() }),
    batch_requests: z.number(),
    acting_as: actingAs,
  }),
  // Asana runs a batch's actions simultaneously: two updates of one task would land in either order.
  validate: (a) => {
    const first = new Map<string, number>();
    for (const [i, item] of a.items.entries()) {
      if (item.action === "create") continue;
      // One task however its gid is spelt: Asana's gids have no leading zeros, a number parse drops them.
      const task = item.args.task_gid.replace(/^0+(?=\d)/, "");
      const verb = item.action === "update" ? "updates" : "moves";
      const earlier = first.get(`${item.action} ${task}`);
      if (earlier !== undefined) {
        throw new AppError(
          "invalid_input",
          `items.${i}: ${verb} task ${task}, as items.${earlier} does; ${item.action === "update" ? "put both changes in one item (Asana runs a batch's actions at once, so either could land last)" : "move a task once per call (Asana runs a batch's actions at once, in no set order)"}.`,
        );
      }
      first.set(`${item.action} ${task}`, i);
    }
  },
  // Each item is scoped as its own tool scopes it; the allow-lists check every one.
  scope: (a) => ({
    each: a.items.map((item) =>
      item.action === "create"
        ? createTask.scope!(item.args)
        : item.action === "update"
          ? updateTask.scope!(item.args)
          : moveTask.scope!({ ...item.args, action: "to_section" }),
    ),
  }),
  confirm: {
    needed: (a) => a.items.length > BATCH_CONFIRM_OVER,
    preview: (a, context) => previewOf(a.items, context),
  },
  describe: ({ attribution, me }) =>
    `Create, update and move (to a section) up to ${MAX_BATCH_ITEMS} tasks in one call (Asana batches of ${MAX_BATCH_ACTIONS}): one result per item, in order; bad input in any item refuses all; a create is never doubled. Written by ${attribution("write")}; "me" = ${me()}.`,
  handler: async ({ items }, context) => {
    const prepared = await prepareAll(items, context);
    const results: ItemResult[] = [];
    let requests = 0;
    let stop: string | undefined;
    let stopHint: string | undefined;
    for (let start = 0; start < prepared.length; start += MAX_BATCH_ACTIONS) {
      const chunk = prepared.slice(start, start + MAX_BATCH_ACTIONS);
      stop ??= context.signal.aborted ? "the call ended before it was sent" : undefined;
      if (stop !== undefined) {
        const why = stop;
        results.push(...chunk.map((p, i) => notSent(start + i, p.action, why, stopHint)));
        continue;
      }
      const batch = new BatchRequest(context, chunk.length);
      results.push(...(await Promise.all(chunk.map((p, i) => runItem(start, i, p, batch, context)))));
      if (batch.sent) requests += 1;
      if (batch.refusal) {
        stop = `Asana refused batch request ${requests}, so later ones were not sent: ${batch.refusal.message}`;
        if (batch.rateLimitWait) {
          stopHint = `Asana's rate limit was reached: ${batch.rateLimitWait}, then call batch_tasks again with only the items not sent (and any answered rate_limited); the others were applied or settled.`;
        }
      }
    }
    const count = (status: ItemResult["status"]) => results.filter((r) => r.status === status).length;
    return {
      results,
      counts: { ok: count("ok"), error: count("error"), unknown: count("unknown") },
      batch_requests: requests,
      acting_as: await actingAsOf(context),
    };
  },
});

/**
 * Resolves every item (its reads: "me", custom field definitions, a due date) before anything is
 * written; the first item that fails, by position, refuses the whole call.
 */
async function prepareAll(items: Item[], context: ToolContext): Promise<Prepared[]> {
  const settled = await Promise.allSettled(
    items.map(
      async (item): Promise<Prepared> =>
        item.action === "create"
          ? { action: "create", create: await prepareCreate(item.args, context) }
          : item.action === "update"
            ? { action: "update", update: await prepareUpdate(item.args, context) }
            : { action: "move", move: item.args },
    ),
  );
  for (const [i, outcome] of settled.entries()) {
    if (outcome.status === "fulfilled") continue;
    const error = outcome.reason;
    if (!(error instanceof AppError)) throw error;
    const { code, hint, retryable, requestId, status } = error;
    throw new AppError(code, `items.${i}: ${error.message} Nothing was written.`, {
      hint,
      retryable,
      requestId,
      status,
    });
  }
  return settled.map((s) => (s as PromiseFulfilledResult<Prepared>).value);
}

/** One item's write, its action carried by `batch`, settled as its own tool settles it. */
async function runItem(
  start: number,
  position: number,
  p: Prepared,
  batch: BatchRequest,
  context: ToolContext,
): Promise<ItemResult> {
  const index = start + position;
  let handed = false;
  const send = <T>(action: BatchAction, answersEmpty = false) => {
    handed = true;
    return batch.send<T>(position, action, answersEmpty);
  };
  try {
    if (p.action === "create") {
      const { created, verified } = await createPrepared(p.create, context, () =>
        send<Listed>({
          relative_path: "/tasks",
          method: "post",
          data: p.create.body,
          options: { fields: ACTION_FIELDS },
        }),
      );
      return ok(index, "create", created, verified);
    }
    if (p.action === "move") {
      const { task_gid, section_gid } = p.move;
      const path = apiPath`/sections/${section_gid}/addTask`;
      // addTask answers nothing: moving a task where it is already changes nothing, so an uncertain
      // move is settled by sending it once more, as move_task settles it.
      const { repeated } = await idempotentWrite(
        context,
        { method: "POST", path, body: { task: task_gid }, signal: context.signal },
        () => send({ relative_path: path, method: "post", data: { task: task_gid } }, true),
      );
      return {
        ...ok(index, "move", { gid: task_gid }, repeated),
        section_gid,
      };
    }
    const { call } = p.update;
    const { data, repeated } = await updatePrepared(p.update, context, () =>
      send<WrittenTask>({
        relative_path: call.path,
        method: "put",
        data: call.body,
        options: { fields: ACTION_FIELDS },
      }),
    );
    return ok(index, "update", data, repeated);
  } catch (error) {
    const e =
      error instanceof AppError
        ? error
        : new AppError("internal", `Unexpected error: ${error instanceof Error ? error.message : error}`);
    return {
      item: index,
      action: p.action,
      status: e.code === "write_unknown" ? "unknown" : "error",
      error: { code: e.code, message: e.message, hint: e.hint },
    };
  } finally {
    if (!handed) batch.skip();
  }
}

function ok(
  index: number,
  action: Item["action"],
  task: { gid: string; name?: string; permalink_url?: string },
  verified: boolean,
): ItemResult {
  return {
    item: index,
    action,
    status: "ok",
    task: {
      gid: task.gid,
      ...(task.name !== undefined ? { name: task.name } : {}),
      ...(task.permalink_url ? { url: task.permalink_url } : {}),
    },
    ...(verified ? { verified_after_uncertain_failure: true as const } : {}),
  };
}

function notSent(index: number, action: Item["action"], why: string, hint?: string): ItemResult {
  const error = new AppError("write_not_applied", `Not sent: ${why}`, hint ? { hint } : {});
  return {
    item: index,
    action,
    status: "error",
    error: { code: error.code, message: error.message, ...(hint ? { hint } : {}) },
  };
}

/** What the items would change, read now (GETs only): each update's fields as they are → as given. */
async function previewOf(items: Item[], context: ToolContext): Promise<ConfirmationPreview> {
  const { asana, identity, signal, resolver } = context;
  const changes = await Promise.all(
    items.map(async (item, i): Promise<Record<string, unknown>> => {
      if (item.action === "create") {
        const { name, project_gid, section_gid, parent_gid, workspace_gid, ...rest } = item.args;
        const where = parent_gid
          ? `subtask of task ${parent_gid}`
          : project_gid
            ? `project ${project_gid}${section_gid ? `, section ${section_gid}` : ""}`
            : `workspace ${workspace_gid}`;
        return { item: i, action: "create", name, where, sets: setFields(rest) };
      }
      if (item.action === "move") {
        const { data: now } = await asana.request<Placed>(identity, {
          method: "GET",
          path: apiPath`/tasks/${item.args.task_gid}`,
          query: { opt_fields: "name,memberships.project,memberships.section.name" },
          signal,
        });
        // The task's sections in projects outside ASANA_PROJECTS stay unnamed, as in get_task.
        const { shown, outside } = allowedProjects(
          context.policy,
          now.memberships ?? [],
          (m) => m.project?.gid,
        );
        const from = shown.flatMap((m) => (m.section ? [m.section.name ?? m.section.gid] : []));
        const note = outsideNote(outside);
        return {
          item: i,
          action: "move",
          gid: item.args.task_gid,
          name: now.name,
          from,
          ...(note ? { outside_projects: note } : {}),
          to_section: item.args.section_gid,
        };
      }
      const { task_gid, custom_fields, ...fields } = item.args;
      const { data: now } = await asana.request<Current>(identity, {
        method: "GET",
        path: apiPath`/tasks/${task_gid}`,
        query: { opt_fields: PREVIEW_FIELDS },
        signal,
      });
      const change: Record<string, { from: unknown; to: unknown }> = {};
      for (const [field, to] of Object.entries(fields)) {
        if (to !== undefined) change[field] = { from: currentOf(now, field), to: shownOf(field, to) };
      }
      for (const [field, to] of Object.entries(custom_fields ?? {})) {
        const wanted = field.trim().toLowerCase();
        const cf = now.custom_fields?.find((f) => f.gid === field || f.name.trim().toLowerCase() === wanted);
        change[cf?.name ?? field] = { from: cf?.display_value ?? null, to };
      }
      return { item: i, action: "update", gid: task_gid, name: now.name, changes: change };
    }),
  );
  const counted = (action: Item["action"], verb: string) => {
    const n = items.filter((i) => i.action === action).length;
    return n ? `${verb} ${n} task${n === 1 ? "" : "s"}` : undefined;
  };
  const what = [counted("create", "create"), counted("update", "update"), counted("move", "move")].filter(
    Boolean,
  );
  return {
    summary: `${[what.slice(0, -1).join(", "), what.at(-1)]
      .filter(Boolean)
      .join(" and ")
      .replace(/^./, (c) => c.toUpperCase())} as ${resolver.attribution("write")}.`,
    changes,
  };
}

const PREVIEW_FIELDS =
  "name,notes,html_notes,assignee.name,due_on,due_at,start_on,completed,custom_fields.name,custom_fields.display_value";

interface Placed {
  name: string;
  memberships?: Array<{ project?: { gid: string }; section?: { gid: string; name?: string } | null }>;
}

interface Current {
  name: string;
  notes?: string;
  html_notes?: string;
  assignee?: { gid: string; name?: string } | null;
  completed?: boolean;
  custom_fields?: Array<{ gid?: string; name: string; display_value?: string | null }>;
  [field: string]: unknown;
}

/** A field as it is now; notes by their length (the text itself is the task's, not the preview's). */
function currentOf(now: Current, field: string): unknown {
  if (field === "notes" || field === "html_notes")
    return `${(now[field] as string | undefined)?.length ?? 0} characters`;
  if (field === "assignee") return now.assignee ? (now.assignee.name ?? now.assignee.gid) : null;
  return now[field] ?? null;
}

function shownOf(field: string, to: unknown): unknown {
  return (field === "notes" || field === "html_notes") && typeof to === "string"
    ? `${to.length} characters`
    : to;
}

function setFields(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, shownOf(k, v)]),
  );
}

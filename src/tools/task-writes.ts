// Changing tasks. Creates are settled by reading back after an uncertain failure (never a second
// POST); updates and membership edits set absolute state, so repeating one cannot double anything.
import { z } from "zod";
import { type AsanaCall, apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { defineTool, type ToolContext } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { SKEW_MS, settleCreate } from "./settle.js";
import {
  type AsanaTask,
  actingAsOf,
  compactTask,
  compactTaskOut,
  customFieldsIn,
  dateOnly,
  resolveCustomFields,
  userIn,
} from "./task-common.js";

const RESULT_FIELDS = "name,completed,assignee.name,due_on,due_at,permalink_url";
const MAX_NOTES = 65_536;

/**
 * Sends a write whose repetition cannot double anything (PUT of absolute values, add/remove of a
 * set member). After an uncertain failure it is sent once more; what Asana answers then is the truth.
 */
export async function idempotentWrite<T>(
  context: ToolContext,
  call: AsanaCall,
): Promise<{ data: T; repeated: boolean }> {
  try {
    return { data: (await context.asana.request<T>(context.identity, call)).data, repeated: false };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "write_unknown") throw error;
    return { data: (await context.asana.request<T>(context.identity, call)).data, repeated: true };
  }
}

const fields = {
  name: z.string().trim().min(1).max(1024).optional(),
  notes: z.string().max(MAX_NOTES).optional(),
  html_notes: z
    .string()
    .max(MAX_NOTES)
    .regex(/^<body>[\s\S]*<\/body>$/, "must be wrapped in <body>…</body>")
    .optional(),
  assignee: userIn().nullable().optional().describe('gid, email or "me"; null unassigns'),
  due_on: dateOnly().nullable().optional(),
  due_at: z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
      "must be an ISO date-time with a zone",
    )
    .nullable()
    .optional(),
  start_on: dateOnly().nullable().optional(),
  custom_fields: customFieldsIn,
};

type TaskFields = {
  [K in keyof typeof fields]?: z.output<(typeof fields)[K]>;
};

function bodyOf(a: TaskFields, custom: Record<string, unknown> | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of ["name", "notes", "html_notes", "assignee", "due_on", "due_at", "start_on"] as const) {
    if (a[key] !== undefined) body[key] = a[key];
  }
  if (custom) body.custom_fields = custom;
  return body;
}

function checkFields(a: TaskFields): void {
  if (a.notes !== undefined && a.html_notes !== undefined) {
    throw new AppError("invalid_input", "give notes or html_notes, not both.");
  }
  if (a.due_on && a.due_at) throw new AppError("invalid_input", "give due_on or due_at, not both.");
}

function richTextError(error: unknown, html: boolean): unknown {
  if (html && error instanceof AppError && error.code === "asana_bad_request") {
    return new AppError("invalid_rich_text", error.message, {
      requestId: error.requestId,
      status: error.status,
    });
  }
  return error;
}

export const createTask = defineTool({
  name: "create_task",
  title: "Create a task",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      ...fields,
      name: z.string().trim().min(1).max(1024),
      project_gid: gid().optional(),
      section_gid: gid().optional(),
      parent_gid: gid().optional().describe("makes a subtask"),
      workspace_gid: gid().optional(),
      tag_gids: z.array(gid()).max(20).optional(),
      followers: z.array(userIn()).max(20).optional(),
    })
    .strict(),
  output: z.object({
    task: compactTaskOut.extend({ url: z.string().optional() }),
    acting_as: actingAs,
    verified_after_uncertain_failure: z.boolean().optional(),
  }),
  scope: (a) => ({
    ...(a.workspace_gid ? { workspace: a.workspace_gid } : {}),
    ...(a.project_gid ? { project: a.project_gid } : {}),
    ...(a.parent_gid ? { task: a.parent_gid } : {}),
  }),
  describe: ({ attribution }) =>
    `Create a task or subtask, with custom fields by name. Created by ${attribution("write")}; never twice.`,
  handler: async (a, context) => {
    checkFields(a);
    if (!a.project_gid && !a.parent_gid && !a.workspace_gid) {
      throw new AppError(
        "invalid_input",
        "give project_gid, parent_gid or workspace_gid: a task must live somewhere.",
      );
    }
    if (a.section_gid && !a.project_gid)
      throw new AppError("invalid_input", "section_gid needs project_gid.");
    const custom =
      a.custom_fields &&
      (await resolveCustomFields(context, a.project_gid ? [a.project_gid] : [], a.custom_fields));
    const body: Record<string, unknown> = {
      ...bodyOf(a, custom),
      ...(a.project_gid
        ? a.section_gid
          ? { memberships: [{ project: a.project_gid, section: a.section_gid }] }
          : { projects: [a.project_gid] }
        : {}),
      ...(a.parent_gid ? { parent: a.parent_gid } : {}),
      ...(a.workspace_gid ? { workspace: a.workspace_gid } : {}),
      ...(a.tag_gids ? { tags: a.tag_gids } : {}),
      ...(a.followers ? { followers: a.followers } : {}),
    };
    const startedAt = Date.now();
    let task: AsanaTask & { permalink_url?: string };
    let verified = false;
    try {
      ({ data: task } = await context.asana.request<AsanaTask>(context.identity, {
        method: "POST",
        path: "/tasks",
        query: { opt_fields: RESULT_FIELDS },
        body,
        signal: context.signal,
      }));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "write_unknown")
        throw richTextError(error, a.html_notes !== undefined);
      task = await settleTask(context, a, startedAt, error);
      verified = true;
    }
    return {
      task: { ...compactTask(task), url: task.permalink_url },
      acting_as: actingAsOf(context),
      ...(verified ? { verified_after_uncertain_failure: true } : {}),
    };
  },
});

/** Looks for the task among the parent's subtasks, the project's tasks or the assignee's tasks. */
async function settleTask(
  context: ToolContext,
  a: {
    name: string;
    project_gid?: string;
    parent_gid?: string;
    assignee?: string | null;
    workspace_gid?: string;
  },
  startedAt: number,
  cause: AppError,
): Promise<AsanaTask> {
  const { asana, identity, resolver, config, signal } = context;
  const where = a.parent_gid
    ? { path: apiPath`/tasks/${a.parent_gid}/subtasks`, query: {}, label: "the parent's subtasks" }
    : a.project_gid
      ? { path: "/tasks", query: { project: a.project_gid }, label: "the project's tasks" }
      : a.assignee && a.workspace_gid
        ? {
            path: "/tasks",
            query: { assignee: a.assignee, workspace: a.workspace_gid },
            label: "the assignee's tasks",
          }
        : undefined;
  // A task in no project, with no parent and no assignee cannot be found again by listing.
  if (!where) throw cause;
  const author = (await resolver.current(identity, asana, config.requestTimeoutMs, signal)).user?.gid;
  return settleCreate({
    cause,
    signal,
    what: "the task",
    where: where.label,
    find: async () => {
      let offset: string | undefined;
      let match: AsanaTask | undefined;
      // Bounded: 20 pages of 100 is more than a fresh task needs to be found among.
      for (let page = 0; page < 20; page++) {
        const { data, nextPage } = await asana.request<
          Array<
            AsanaTask & { created_at: string; created_by?: { gid: string } | null; permalink_url?: string }
          >
        >(identity, {
          method: "GET",
          path: where.path,
          query: { ...where.query, limit: 100, offset, opt_fields: `${RESULT_FIELDS},created_at,created_by` },
          signal,
        });
        match =
          data
            .filter(
              (t) =>
                t.name === a.name &&
                Date.parse(t.created_at) >= startedAt - SKEW_MS &&
                (author === undefined || t.created_by?.gid === author),
            )
            .at(-1) ?? match;
        offset = nextPage?.offset;
        if (!offset) break;
      }
      return match;
    },
  });
}

export const updateTask = defineTool({
  name: "update_task",
  title: "Update a task",
  kind: "write",
  actsAs: "write",
  input: z.object({ task_gid: gid(), ...fields, completed: z.boolean().optional() }).strict(),
  output: z.object({ task: compactTaskOut.extend({ url: z.string().optional() }), acting_as: actingAs }),
  scope: (a) => ({ task: a.task_gid }),
  describe: ({ attribution }) =>
    `Change or complete a task; custom fields by name. Changed by ${attribution("write")}.`,
  handler: async (a, context) => {
    checkFields(a);
    let custom: Record<string, unknown> | undefined;
    if (a.custom_fields) {
      const { data } = await context.asana.request<{ projects?: Array<{ gid: string }> }>(context.identity, {
        method: "GET",
        path: apiPath`/tasks/${a.task_gid}`,
        query: { opt_fields: "projects" },
        signal: context.signal,
      });
      custom = await resolveCustomFields(
        context,
        (data.projects ?? []).map((p) => p.gid),
        a.custom_fields,
      );
    }
    const body = { ...bodyOf(a, custom), ...(a.completed !== undefined ? { completed: a.completed } : {}) };
    if (Object.keys(body).length === 0)
      throw new AppError("invalid_input", "nothing to change: give at least one field.");
    let task: AsanaTask & { permalink_url?: string };
    try {
      ({ data: task } = await idempotentWrite<AsanaTask>(context, {
        method: "PUT",
        path: apiPath`/tasks/${a.task_gid}`,
        query: { opt_fields: RESULT_FIELDS },
        body,
        signal: context.signal,
      }));
    } catch (error) {
      throw richTextError(error, a.html_notes !== undefined);
    }
    return { task: { ...compactTask(task), url: task.permalink_url }, acting_as: actingAsOf(context) };
  },
});

export const deleteTask = defineTool({
  name: "delete_task",
  title: "Delete a task",
  kind: "destructive",
  actsAs: "write",
  input: z.object({ task_gid: gid() }).strict(),
  output: z.object({ deleted: z.string(), acting_as: actingAs }),
  scope: (a) => ({ task: a.task_gid }),
  describe: ({ attribution }) => `Delete a task (restorable from trash). Deleted by ${attribution("write")}.`,
  handler: async (a, context) => {
    const call = { method: "DELETE", path: apiPath`/tasks/${a.task_gid}`, signal: context.signal } as const;
    try {
      await context.asana.request(context.identity, call);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "write_unknown") throw error;
      // Repeating a delete cannot double it; a 404 now means the first one went through.
      try {
        await context.asana.request(context.identity, call);
      } catch (again) {
        if (!(again instanceof AppError) || again.code !== "not_found") throw again;
      }
    }
    return { deleted: a.task_gid, acting_as: actingAsOf(context) };
  },
});

export const moveTask = defineTool({
  name: "move_task",
  title: "Move a task",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      task_gid: gid(),
      action: z.enum(["to_section", "add_to_project", "remove_from_project", "set_parent"]),
      section_gid: gid().optional(),
      project_gid: gid().optional(),
      parent_gid: gid().nullable().optional().describe("null: no parent"),
    })
    .strict(),
  output: z.object({ task_gid: z.string(), done: z.string(), acting_as: actingAs }),
  scope: (a) => ({ task: a.task_gid, ...(a.project_gid ? { project: a.project_gid } : {}) }),
  describe: ({ attribution }) =>
    `Move a task between sections or projects, or set its parent. Moved by ${attribution("write")}.`,
  handler: async (a, context) => {
    const need = (what: string, value: unknown) => {
      if (value === undefined) throw new AppError("invalid_input", `action ${a.action} needs ${what}.`);
    };
    let call: AsanaCall;
    if (a.action === "to_section") {
      need("section_gid", a.section_gid);
      call = {
        method: "POST",
        path: apiPath`/sections/${a.section_gid ?? ""}/addTask`,
        body: { task: a.task_gid },
      };
    } else if (a.action === "add_to_project") {
      need("project_gid", a.project_gid);
      call = {
        method: "POST",
        path: apiPath`/tasks/${a.task_gid}/addProject`,
        body: { project: a.project_gid, ...(a.section_gid ? { section: a.section_gid } : {}) },
      };
    } else if (a.action === "remove_from_project") {
      need("project_gid", a.project_gid);
      call = {
        method: "POST",
        path: apiPath`/tasks/${a.task_gid}/removeProject`,
        body: { project: a.project_gid },
      };
    } else {
      need("parent_gid", a.parent_gid);
      call = {
        method: "POST",
        path: apiPath`/tasks/${a.task_gid}/setParent`,
        body: { parent: a.parent_gid },
      };
    }
    await idempotentWrite(context, { ...call, signal: context.signal });
    const done = {
      to_section: `moved to section ${a.section_gid}`,
      add_to_project: `added to project ${a.project_gid}${a.section_gid ? `, section ${a.section_gid}` : ""}`,
      remove_from_project: `removed from project ${a.project_gid}`,
      set_parent: a.parent_gid ? `now a subtask of ${a.parent_gid}` : "no longer a subtask",
    }[a.action];
    return { task_gid: a.task_gid, done, acting_as: actingAsOf(context) };
  },
});

const LINK_PATH = {
  dependencies: "Dependencies",
  dependents: "Dependents",
  followers: "Followers",
} as const;

export const linkTask = defineTool({
  name: "task_links",
  title: "Edit a task's dependencies, followers or tags",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      task_gid: gid(),
      action: z.enum(["add", "remove"]),
      relation: z.enum(["dependencies", "dependents", "followers", "tags"]),
      gids: z
        .array(z.string().regex(/^(me|[0-9]{1,32}|[^\s@]+@[^\s@]+)$/))
        .min(1)
        .max(30),
    })
    .strict(),
  output: z.object({ task_gid: z.string(), done: z.string(), acting_as: actingAs }),
  scope: (a) => ({ task: a.task_gid }),
  describe: ({ attribution }) =>
    `Add or remove a task's dependencies, dependents (it blocks), followers, tags. Done by ${attribution("write")}.`,
  handler: async (a, context) => {
    if (a.relation !== "followers" && a.gids.some((g) => !/^[0-9]+$/.test(g))) {
      throw new AppError("invalid_input", `gids: ${a.relation} are given by gid.`);
    }
    const verb = a.action === "add" ? "add" : "remove";
    if (a.relation === "tags") {
      // One tag per request, as Asana's addTag/removeTag take a single tag.
      for (const tag of a.gids) {
        await idempotentWrite(context, {
          method: "POST",
          path: `${apiPath`/tasks/${a.task_gid}`}/${verb}Tag`,
          body: { tag },
          signal: context.signal,
        });
      }
    } else {
      await idempotentWrite(context, {
        method: "POST",
        path: `${apiPath`/tasks/${a.task_gid}`}/${verb}${LINK_PATH[a.relation]}`,
        body: { [a.relation]: a.gids },
        signal: context.signal,
      });
    }
    return {
      task_gid: a.task_gid,
      done: `${a.action === "add" ? "added" : "removed"} ${a.relation} ${a.gids.join(", ")}`,
      acting_as: actingAsOf(context),
    };
  },
});

// Reading tasks: search (paid plans), listings that work on every plan, and one task in detail.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { cursor, gid, limit } from "./schemas.js";
import {
  type AsanaTask,
  compactTask,
  compactTaskOut,
  dateOnly,
  fieldsByName,
  LIST_FIELDS,
  userIn,
  workspaceOf,
} from "./task-common.js";

/**
 * "Completed since" a far-future instant leaves only incomplete tasks. The spec types the parameter
 * as a date-time (Asana also takes "now"); a fixed value keeps every page of a listing the same
 * listing, which Asana's offsets require.
 */
const INCOMPLETE_ONLY = "2100-01-01T00:00:00.000Z";

/** Asana's search answers at most 100 tasks, with no offset. */
const SEARCH_MAX = 100;

export const searchTasks = defineTool({
  name: "search_tasks",
  title: "Search tasks",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      workspace_gid: gid().optional(),
      text: z.string().max(500).optional(),
      assignee: userIn().optional(),
      project_gid: gid().optional(),
      section_gid: gid().optional(),
      tag_gid: gid().optional(),
      completed: z.boolean().optional(),
      due_before: dateOnly().optional(),
      due_after: dateOnly().optional(),
      sort_by: z.enum(["modified_at", "due_date", "created_at", "completed_at"]).optional(),
      limit: limit(25),
    })
    .strict(),
  output: z.object({ tasks: z.array(compactTaskOut), more: z.boolean() }),
  scope: (a) => ({
    ...(a.workspace_gid ? { workspace: a.workspace_gid } : {}),
    ...(a.project_gid ? { project: a.project_gid } : {}),
  }),
  describe: ({ attribution }) =>
    `Search tasks by text, assignee, project, section, tag, dates (paid plans only; else list_tasks). Reads as ${attribution("read")}.`,
  handler: async (a, context) => {
    const workspace = await workspaceOf(context, a.workspace_gid);
    try {
      const { data } = await context.asana.request<AsanaTask[]>(context.identity, {
        method: "GET",
        path: apiPath`/workspaces/${workspace}/tasks/search`,
        query: {
          text: a.text,
          "assignee.any": a.assignee,
          "projects.any": a.project_gid,
          "sections.any": a.section_gid,
          "tags.any": a.tag_gid,
          completed: a.completed,
          "due_on.before": a.due_before,
          "due_on.after": a.due_after,
          sort_by: a.sort_by,
          opt_fields: LIST_FIELDS,
        },
        signal: context.signal,
      });
      return {
        tasks: data.slice(0, a.limit).map(compactTask),
        more: data.length > a.limit || data.length >= SEARCH_MAX,
      };
    } catch (error) {
      if (error instanceof AppError && error.code === "payment_required") {
        throw new AppError(
          "payment_required",
          `Task search needs a paid Asana plan, and workspace ${workspace} is on the free plan (Asana answered 402).`,
          {
            requestId: error.requestId,
            hint: "Use list_tasks instead: by project_gid, section_gid, or assignee (with workspace_gid); it works on every plan.",
          },
        );
      }
      throw error;
    }
  },
});

export const listTasks = defineTool({
  name: "list_tasks",
  title: "List tasks",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      project_gid: gid().optional(),
      section_gid: gid().optional(),
      assignee: userIn().optional(),
      workspace_gid: gid().optional(),
      parent_gid: gid().optional().describe("lists subtasks"),
      incomplete_only: z.boolean().default(false),
      limit: limit(50),
      cursor: cursor(),
    })
    .strict()
    .refine((a) => [a.project_gid, a.section_gid, a.assignee, a.parent_gid].filter(Boolean).length === 1, {
      message: "give exactly one of project_gid, section_gid, assignee (with workspace_gid) or parent_gid",
      path: ["project_gid"],
    }),
  output: z.object({ tasks: z.array(compactTaskOut), next_cursor: z.string().nullable() }),
  scope: (a) => ({
    ...(a.workspace_gid ? { workspace: a.workspace_gid } : {}),
    ...(a.project_gid ? { project: a.project_gid } : {}),
    ...(a.parent_gid ? { task: a.parent_gid } : {}),
  }),
  describe: ({ attribution }) =>
    `Tasks of a project, section, assignee or parent (subtasks), paged; every plan. Reads as ${attribution("read")}.`,
  handler: async (a, context) => {
    const workspace = a.assignee ? await workspaceOf(context, a.workspace_gid) : undefined;
    const filter = a.parent_gid
      ? { path: apiPath`/tasks/${a.parent_gid}/subtasks`, query: {} }
      : {
          path: "/tasks",
          query: {
            project: a.project_gid,
            section: a.section_gid,
            assignee: a.assignee,
            workspace,
            completed_since: a.incomplete_only ? INCOMPLETE_ONLY : undefined,
          },
        };
    const scope = JSON.stringify([filter, a.incomplete_only]);
    const offset = a.cursor ? decodeCursor(a.cursor, scope) : undefined;
    const { data, nextPage } = await context.asana.request<AsanaTask[]>(context.identity, {
      method: "GET",
      path: filter.path,
      query: { ...filter.query, limit: a.limit, offset, opt_fields: LIST_FIELDS },
      signal: context.signal,
    });
    // Subtask listings take no completed_since; filter them here instead.
    const tasks = a.parent_gid && a.incomplete_only ? data.filter((t) => !t.completed) : data;
    return {
      tasks: tasks.map(compactTask),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
    };
  },
});

const TASK_FIELDS = [
  "name,completed,assignee.name,due_on,due_at,start_on,notes,html_notes,permalink_url,modified_at",
  "parent.name,num_subtasks,memberships.project.name,memberships.section.name,tags.name,followers.name",
  "dependencies,dependents,custom_fields.name,custom_fields.display_value",
].join(",");

interface TaskDetail extends AsanaTask {
  start_on?: string | null;
  notes?: string;
  html_notes?: string;
  permalink_url?: string;
  modified_at?: string;
  parent?: { gid: string; name?: string } | null;
  num_subtasks?: number;
  memberships?: Array<{
    project?: { gid: string; name?: string };
    section?: { gid: string; name?: string } | null;
  }>;
  tags?: Array<{ gid: string; name?: string }>;
  followers?: Array<{ gid: string; name?: string }>;
  dependencies?: Array<{ gid: string; name?: string }>;
  dependents?: Array<{ gid: string; name?: string }>;
  custom_fields?: Array<{ name: string; display_value?: string | null }>;
}

const ref = (r: { gid: string; name?: string }) => ({ gid: r.gid, name: r.name ?? "" });

export const getTask = defineTool({
  name: "get_task",
  title: "Get a task",
  kind: "read",
  actsAs: "read",
  input: z
    .object({ task_gid: gid(), html: z.boolean().default(false).describe("notes as html_notes") })
    .strict(),
  output: z.object({ task: z.record(z.string(), z.unknown()) }),
  scope: (a) => ({ task: a.task_gid }),
  describe: ({ attribution }) =>
    `A task: notes, dates, sections, subtasks, tags, followers, dependencies, custom fields, attachments. Reads as ${attribution("read")}.`,
  handler: async (a, { asana, identity, signal }) => {
    const [{ data: t }, { data: files, nextPage }] = await Promise.all([
      asana.request<TaskDetail>(identity, {
        method: "GET",
        path: apiPath`/tasks/${a.task_gid}`,
        query: { opt_fields: TASK_FIELDS },
        signal,
      }),
      asana.request<Array<{ gid: string; name: string }>>(identity, {
        method: "GET",
        path: "/attachments",
        query: { parent: a.task_gid, limit: 20, opt_fields: "name" },
        signal,
      }),
    ]);
    const list = (xs: Array<{ gid: string; name?: string }> | undefined) =>
      xs?.length ? xs.map(ref) : undefined;
    const fields = fieldsByName(t.custom_fields);
    const task = {
      ...compactTask(t),
      ...(t.start_on ? { start_on: t.start_on } : {}),
      ...(a.html ? { html_notes: t.html_notes } : t.notes ? { notes: t.notes } : {}),
      url: t.permalink_url,
      modified_at: t.modified_at,
      ...(t.parent ? { parent: ref(t.parent) } : {}),
      ...(t.num_subtasks ? { subtasks: t.num_subtasks } : {}),
      projects: (t.memberships ?? [])
        .filter((m) => m.project)
        .map((m) => ({
          ...ref(m.project as { gid: string; name?: string }),
          ...(m.section ? { section: ref(m.section) } : {}),
        })),
      tags: list(t.tags),
      followers: list(t.followers),
      // The spec offers no names for these, only gids.
      depends_on: t.dependencies?.length ? t.dependencies.map((d) => d.gid) : undefined,
      blocks: t.dependents?.length ? t.dependents.map((d) => d.gid) : undefined,
      ...(Object.keys(fields).length ? { custom_fields: fields } : {}),
      attachments: list(files),
      ...(nextPage ? { more_attachments: true } : {}),
    };
    return { task: Object.fromEntries(Object.entries(task).filter(([, v]) => v !== undefined)) };
  },
});

const STORY_FIELDS = "created_at,created_by.name,resource_subtype,text";

export const listComments = defineTool({
  name: "list_comments",
  title: "List a task's comments",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      task_gid: gid(),
      include_activity: z.boolean().default(false),
      limit: limit(50),
      cursor: cursor(),
    })
    .strict(),
  output: z.object({
    comments: z.array(z.object({ gid: z.string(), at: z.string(), by: z.string(), text: z.string() })),
    next_cursor: z.string().nullable(),
  }),
  scope: (a) => ({ task: a.task_gid }),
  describe: ({ attribution }) => `A task's comments, oldest first. Reads as ${attribution("read")}.`,
  handler: async (a, { asana, identity, signal }) => {
    const scope = `stories:${a.task_gid}`;
    const offset = a.cursor ? decodeCursor(a.cursor, scope) : undefined;
    const { data, nextPage } = await asana.request<
      Array<{
        gid: string;
        created_at: string;
        created_by?: { name?: string } | null;
        resource_subtype?: string;
        text?: string;
      }>
    >(identity, {
      method: "GET",
      path: apiPath`/tasks/${a.task_gid}/stories`,
      query: { limit: a.limit, offset, opt_fields: STORY_FIELDS },
      signal,
    });
    return {
      comments: data
        .filter((s) => a.include_activity || s.resource_subtype === "comment_added")
        .map((s) => ({
          gid: s.gid,
          at: s.created_at,
          by: s.created_by?.name ?? "Asana",
          text: s.text ?? "",
        })),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
    };
  },
});

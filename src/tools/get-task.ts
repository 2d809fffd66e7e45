// get_task: one task in detail, with its attachments listed alongside.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { fieldsByName, SHOWN_FIELD_OPTS, type ShownField } from "./custom-fields.js";
import { defineTool } from "./define.js";
import { gid } from "./schemas.js";
import { type AsanaTask, compactTask } from "./task-common.js";
import { linkedWithin, withinAllowList } from "./task-view.js";

const TASK_FIELDS = [
  "name,completed,assignee.name,due_on,due_at,start_on,notes,html_notes,permalink_url,modified_at",
  "parent.name,num_subtasks,memberships.project.name,memberships.section.name,tags.name,followers.name",
  "dependencies,dependents",
  SHOWN_FIELD_OPTS,
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
  custom_fields?: ShownField[];
}

const ref = (r: { gid: string; name?: string }) => ({ gid: r.gid, name: r.name ?? "" });

export const getTask = defineTool({
  name: "get_task",
  title: "Get a task",
  toolset: "tasks",
  kind: "read",
  actsAs: "read",
  input: z
    .object({ task_gid: gid("task"), html: z.boolean().default(false).describe("notes as html_notes") })
    .strict(),
  output: z.object({ task: z.record(z.string(), z.unknown()) }),
  scope: (a) => ({ task: a.task_gid }),
  describe: ({ attribution }) =>
    `A task: notes, dates, sections, subtasks, tags, followers, dependencies, custom fields, attachments. Reads as ${attribution("read")}.`,
  handler: async (a, context) => {
    const { asana, identity, signal } = context;
    const [{ data: read }, { data: files, nextPage }] = await Promise.all([
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
    const t = await withinAllowList(context, read);
    // Dependencies and dependents in outside projects are counted, not named.
    const [dependsOn, blocks] = await Promise.all([
      linkedWithin(
        context,
        (t.dependencies ?? []).map((d) => d.gid),
      ),
      linkedWithin(
        context,
        (t.dependents ?? []).map((d) => d.gid),
      ),
    ]);
    const outsideLinks = dependsOn.outside + blocks.outside;
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
      ...(t.outside_projects ? { outside_projects: t.outside_projects } : {}),
      tags: list(t.tags),
      followers: list(t.followers),
      // The spec offers no names for these, only gids.
      depends_on: dependsOn.shown.length ? dependsOn.shown : undefined,
      blocks: blocks.shown.length ? blocks.shown : undefined,
      ...(outsideLinks
        ? {
            outside_links: `and ${outsideLinks} dependenc${outsideLinks === 1 ? "y" : "ies"} or dependent${outsideLinks === 1 ? "" : "s"} in projects outside this server's allow-list`,
          }
        : {}),
      ...(Object.keys(fields).length ? { custom_fields: fields } : {}),
      attachments: list(files),
      ...(nextPage ? { more_attachments: true } : {}),
    };
    return { task: Object.fromEntries(Object.entries(task).filter(([, v]) => v !== undefined)) };
  },
});

// create_task: an uncertain failure is settled by reading back where the task would be (never a
// second POST).
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { readPages } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { resolveCustomFields } from "./custom-fields.js";
import { defineTool, type ToolContext } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { SKEW_MS, settleCreate } from "./settle.js";
import { type AsanaTask, actingAsOf, compactTask, compactTaskOut, userIn } from "./task-common.js";
import { bodyOf, checkFields, fields, RESULT_FIELDS, richTextError } from "./task-fields.js";

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
  validate: (a) => {
    checkFields(a);
    if (!a.project_gid && !a.parent_gid && !a.workspace_gid) {
      throw new AppError(
        "invalid_input",
        "give project_gid, parent_gid or workspace_gid: a task must live somewhere.",
      );
    }
    if (a.section_gid && !a.project_gid)
      throw new AppError("invalid_input", "section_gid needs project_gid.");
  },
  scope: (a) => ({
    ...(a.workspace_gid ? { workspace: a.workspace_gid } : {}),
    ...(a.project_gid ? { project: a.project_gid } : {}),
    ...(a.section_gid ? { section: a.section_gid } : {}),
    ...(a.parent_gid ? { task: a.parent_gid } : {}),
  }),
  describe: ({ attribution }) =>
    `Create a task or subtask, with custom fields by name. Created by ${attribution("write")}; never twice.`,
  handler: async (a, context) => {
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

/** How deep the read-back goes: pages of 100 tasks. */
const MAX_PAGES = 20;

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
      type Listed = AsanaTask & {
        created_at: string;
        created_by?: { gid: string } | null;
        permalink_url?: string;
      };
      const { items, complete } = await readPages<Listed>(
        asana,
        identity,
        {
          path: where.path,
          query: { ...where.query, opt_fields: `${RESULT_FIELDS},created_at,created_by` },
          signal,
        },
        MAX_PAGES,
      );
      const match = items
        .filter(
          (t) =>
            t.name === a.name &&
            Date.parse(t.created_at) >= startedAt - SKEW_MS &&
            (author === undefined || t.created_by?.gid === author),
        )
        .at(-1);
      // Not found in a listing cut short proves nothing: the write stays uncertain.
      if (!match && !complete) throw new Error(`${where.label} run to more than ${MAX_PAGES * 100} tasks`);
      return match;
    },
  });
}

// create_task: an uncertain failure is settled by reading back where the task would be (never a
// second POST).
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { readPages } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { resolveCustomFields, SHOWN_FIELD_OPTS } from "./custom-fields.js";
import { defineTool, type ToolContext } from "./define.js";
import { canonicalRichText } from "./rich-text.js";
import { actingAs, gid } from "./schemas.js";
import { type CreateSpec, createOnce, squash } from "./settle.js";
import { type AsanaTask, actingAsOf, resolveMe, userIn } from "./task-common.js";
import {
  bodyOf,
  fieldRules,
  fields,
  RESULT_FIELDS,
  resultFields,
  richTextError,
  writtenTask,
  writtenTaskOut,
} from "./task-fields.js";
import { richTextScope } from "./task-view.js";

/** create_task's arguments: batch_tasks takes the same, item by item. */
export const createTaskInput = z
  .object({
    ...fields,
    name: z.string().trim().min(1).max(1024),
    project_gid: gid("project").optional(),
    section_gid: gid().optional(),
    parent_gid: gid("task").optional().describe("makes a subtask"),
    workspace_gid: gid().optional(),
    tag_gids: z.array(gid("tag")).max(20).optional(),
    followers: z.array(userIn()).max(20).optional(),
  })
  .strict()
  .superRefine(fieldRules("new"));

export type CreateTaskArgs = z.output<typeof createTaskInput>;

export const createTask = defineTool({
  name: "create_task",
  title: "Create a task",
  toolset: "tasks",
  kind: "write",
  actsAs: "write",
  input: createTaskInput,
  output: z.object({
    task: writtenTaskOut,
    acting_as: actingAs,
    verified_after_uncertain_failure: z.boolean().optional(),
  }),
  validate: (a) => {
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
    ...richTextScope(a.html_notes, a.tag_gids),
    ...(a.followers?.length || a.assignee
      ? { users: [...(a.followers ?? []), ...(a.assignee ? [a.assignee] : [])] }
      : {}),
  }),
  describe: ({ attribution, me }) =>
    `Create a task or subtask, with custom fields by name. Created by ${attribution("write")}; never twice. "me" = ${me()}.`,
  handler: async (args, context) => {
    const prepared = await prepareCreate(args, context);
    const { asana, identity, signal } = context;
    const send = async () =>
      (
        await asana.request<Listed>(identity, {
          method: "POST",
          path: "/tasks",
          query: { opt_fields: prepared.optFields },
          body: prepared.body,
          signal,
        })
      ).data;
    const { created: task, verified } = await createPrepared(prepared, context, send);
    return {
      task: writtenTask(task, prepared.fieldGids),
      acting_as: await actingAsOf(context),
      ...(verified ? { verified_after_uncertain_failure: true } : {}),
    };
  },
});

/**
 * A create made ready to send: its body and asked-back fields, resolved ("me", custom fields by
 * name) before anything is written, and how an uncertain failure is settled (read back where the
 * task would be). batch_tasks sends the same body inside a batch and settles it the same way.
 */
export interface PreparedCreate {
  body: Record<string, unknown>;
  optFields: string;
  /** The custom fields set, by gid (shown by name in the result). */
  fieldGids: string[];
  /** Whether html_notes was given (Asana's 400 on it is invalid_rich_text). */
  html: boolean;
  settle?: Omit<CreateSpec<Listed>, "context" | "send">;
}

export async function prepareCreate(args: CreateTaskArgs, context: ToolContext): Promise<PreparedCreate> {
  // "me" is the person, also in the settlement's read-back by assignee.
  const a = {
    ...args,
    assignee: await resolveMe(context, args.assignee),
    followers: await resolveMe(context, args.followers),
  };
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
  const { asana, identity, signal } = context;
  const where = readBackPlace(a);
  let emails: Map<string, string> | undefined;
  return {
    body,
    optFields: resultFields(a, custom !== undefined),
    fieldGids: Object.keys(custom ?? {}),
    html: a.html_notes !== undefined,
    ...(where
      ? {
          settle: {
            what: "the task",
            where: where.label,
            readBack: where.readBack,
            key: JSON.stringify(["task", body]),
            maxItems: MAX_PAGES * 100,
            list: async () => {
              // Listings name users by gid only (the spec allows no .email there): the emails the
              // call gave are learnt as gids once, so assignee and followers are compared exactly.
              emails ??= await gidsOfEmails(context, [a.assignee, ...(a.followers ?? [])]);
              const { items, complete } = await readPages<Listed>(
                asana,
                identity,
                { path: where.path, query: { ...where.query, opt_fields: READ_BACK_FIELDS }, signal },
                MAX_PAGES,
              );
              return { items, complete };
            },
            authorOf: (t: Listed) => t.created_by?.gid,
            createdAtOf: (t: Listed) => t.created_at,
            matches: (t: Listed, acting: string | undefined) =>
              sameTask(t, a, custom, acting, emails ?? new Map()),
          },
        }
      : {}),
  };
}

/**
 * Sends a prepared create once (`send` is the POST, or its action in a batch) and settles an
 * uncertain failure by createOnce's read-back. A task in no project, with no parent and no
 * assignee cannot be found again by listing: its uncertain failure stays write_unknown.
 */
export async function createPrepared(
  prepared: PreparedCreate,
  context: ToolContext,
  send: () => Promise<Listed>,
): Promise<{ created: Listed; verified: boolean }> {
  try {
    return prepared.settle
      ? await createOnce<Listed>({ ...prepared.settle, context, send })
      : { created: await send(), verified: false };
  } catch (error) {
    throw richTextError(error, prepared.html);
  }
}

/** How deep the read-back goes: pages of 100 tasks. */
const MAX_PAGES = 20;

type Ref = { gid: string } | null | undefined;

export type Listed = AsanaTask & {
  created_at?: string;
  created_by?: { gid: string } | null;
  permalink_url?: string;
  notes?: string;
  html_notes?: string;
  start_on?: string | null;
  parent?: { gid: string; name?: string } | null;
  assignee?: { gid: string; name?: string } | null;
  memberships?: Array<{ project?: Ref; section?: Ref }>;
  tags?: Array<{ gid: string }>;
  followers?: Array<{ gid: string }>;
  custom_fields?: Array<{
    gid?: string;
    name: string;
    display_value?: string | null;
    enum_value?: { gid: string } | null;
    multi_enum_values?: Array<{ gid: string }> | null;
    number_value?: number | null;
    text_value?: string | null;
  }>;
};

/** Every field create_task can set, read back to be compared (and shown, as the POST's answer is). */
const READ_BACK_FIELDS = [
  RESULT_FIELDS,
  SHOWN_FIELD_OPTS,
  "created_at,created_by,notes,html_notes,start_on,parent.name",
  "memberships.project,memberships.section,tags,followers",
  "custom_fields.enum_value,custom_fields.multi_enum_values,custom_fields.number_value,custom_fields.text_value",
].join(",");

interface CreateArgs {
  name: string;
  notes?: string;
  html_notes?: string;
  assignee?: string | null;
  due_on?: string | null;
  due_at?: string | null;
  start_on?: string | null;
  project_gid?: string;
  section_gid?: string;
  parent_gid?: string;
  workspace_gid?: string;
  tag_gids?: string[];
  followers?: string[];
}

/** Where the task would be listed: the parent's subtasks, the project's tasks or the assignee's tasks. */
function readBackPlace(a: CreateArgs) {
  if (a.parent_gid) {
    return {
      path: apiPath`/tasks/${a.parent_gid}/subtasks`,
      query: {},
      label: "the parent's subtasks",
      readBack: `list_tasks with parent_gid ${a.parent_gid}`,
    };
  }
  if (a.project_gid) {
    return {
      path: "/tasks",
      query: { project: a.project_gid },
      label: "the project's tasks",
      readBack: `list_tasks with project_gid ${a.project_gid}`,
    };
  }
  if (a.assignee && a.workspace_gid) {
    return {
      path: "/tasks",
      query: { assignee: a.assignee, workspace: a.workspace_gid },
      label: "the assignee's tasks",
      readBack: `list_tasks with assignee ${a.assignee}`,
    };
  }
  return undefined;
}

/** The gid of each email given (GET /users/{email}); a failure leaves the write uncertain. */
async function gidsOfEmails(
  context: ToolContext,
  users: Array<string | null | undefined>,
): Promise<Map<string, string>> {
  const emails = [...new Set(users.filter((u): u is string => !!u && u.includes("@")))];
  const out = new Map<string, string>();
  for (const email of emails) {
    const { data } = await context.asana.request<{ gid: string }>(context.identity, {
      method: "GET",
      path: apiPath`/users/${email}`,
      query: { opt_fields: "name" },
      signal: context.signal,
    });
    out.set(email.toLowerCase(), data.gid);
  }
  return out;
}

/** The user a gid, an email or "me" names, against a user Asana answered with. */
function sameUser(
  given: string,
  user: { gid: string },
  acting: string | undefined,
  emails: Map<string, string>,
): boolean {
  if (given === "me") return user.gid === acting;
  if (given.includes("@")) return user.gid === emails.get(given.toLowerCase());
  return user.gid === given;
}

/** Every field the call set, compared as Asana stores it. */
function sameTask(
  t: Listed,
  a: CreateArgs,
  custom: Record<string, unknown> | undefined,
  acting: string | undefined,
  emails: Map<string, string>,
): boolean | "unknown" {
  if (squash(t.name) !== squash(a.name)) return false;
  if (a.notes !== undefined && squash(t.notes) !== squash(a.notes)) return false;
  if (a.html_notes !== undefined && canonicalRichText(t.html_notes ?? "") !== canonicalRichText(a.html_notes))
    return false;
  if (a.assignee === null && t.assignee) return false;
  if (a.assignee && !(t.assignee && sameUser(a.assignee, t.assignee, acting, emails))) return false;
  if (a.due_on !== undefined && (t.due_on ?? null) !== a.due_on) return false;
  if (a.due_at !== undefined && !sameInstant(t.due_at, a.due_at)) return false;
  if (a.start_on !== undefined && (t.start_on ?? null) !== a.start_on) return false;
  if (a.parent_gid && t.parent?.gid !== a.parent_gid) return false;
  if (a.project_gid) {
    const membership = t.memberships?.find((m) => m.project?.gid === a.project_gid);
    if (t.memberships && !membership) return false;
    if (a.section_gid && membership?.section?.gid !== a.section_gid) return false;
  }
  if (a.tag_gids) {
    const tags = new Set((t.tags ?? []).map((tag) => tag.gid));
    if (tags.size !== new Set(a.tag_gids).size || !a.tag_gids.every((g) => tags.has(g))) return false;
  }
  // Asana adds the creator (and the assignee) as followers: the ones asked for must be among them.
  if (
    a.followers &&
    !a.followers.every((f) => (t.followers ?? []).some((u) => sameUser(f, u, acting, emails)))
  )
    return false;
  for (const [field, value] of Object.entries(custom ?? {})) {
    // Asana names every object's gid; a field answered without one cannot be compared.
    if (t.custom_fields?.some((c) => c.gid === undefined)) return "unknown";
    const got = t.custom_fields?.find((c) => c.gid === field);
    if (!got || !sameFieldValue(got, value)) return false;
  }
  return true;
}

function sameInstant(got: string | null | undefined, want: string | null): boolean {
  if (want === null || !got) return (got ?? null) === want;
  return Date.parse(got) === Date.parse(want);
}

function sameFieldValue(got: NonNullable<Listed["custom_fields"]>[number], want: unknown): boolean {
  const chosen = (got.multi_enum_values ?? []).map((o) => o.gid);
  if (want === null) {
    return !got.enum_value && got.number_value == null && !got.text_value && chosen.length === 0;
  }
  if (typeof want === "number") return got.number_value === want;
  if (Array.isArray(want))
    return chosen.length === want.length && want.every((g) => chosen.includes(String(g)));
  return got.enum_value?.gid === want || got.text_value === want;
}

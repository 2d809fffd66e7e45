// move_task: section and project membership and the parent are set, not toggled, so repeating a
// move after an uncertain failure cannot double anything.
import { z } from "zod";
import { type AsanaCall, apiPath } from "../asana/http.js";
import { defineTool, type ToolContext } from "./define.js";
import { recentName } from "./recent-names.js";
import { actingAs, gid } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { actingAsOf } from "./task-common.js";

const TARGETS = ["section_gid", "project_gid", "parent_gid"] as const;
type Target = (typeof TARGETS)[number];

/** What each action takes, the required one first; any other target is refused, never dropped. */
const TAKES = {
  to_section: ["section_gid"],
  add_to_project: ["project_gid", "section_gid"],
  remove_from_project: ["project_gid"],
  set_parent: ["parent_gid"],
} as const satisfies Record<string, readonly Target[]>;

/** Where the task went, by gid and name (null when the name could not be read). */
const refOut = z.object({ gid: z.string(), name: z.string().nullable() });

export const moveTask = defineTool({
  name: "move_task",
  title: "Move a task",
  toolset: "tasks",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      task_gid: gid("task"),
      action: z.enum(["to_section", "add_to_project", "remove_from_project", "set_parent"]),
      section_gid: gid().optional(),
      project_gid: gid("project").optional(),
      parent_gid: gid("task").nullable().optional().describe("null: no parent"),
    })
    .strict()
    // Checked with the arguments, before the policy's lookups: nothing is sent for a call refused here.
    .superRefine((a, ctx) => {
      const takes: readonly string[] = TAKES[a.action];
      const [needed] = takes;
      if (needed && a[needed as Target] === undefined) {
        ctx.addIssue({ code: "custom", path: [needed], message: `action ${a.action} needs ${needed}` });
      }
      for (const key of TARGETS) {
        if (a[key] !== undefined && !takes.includes(key)) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `does not apply to action ${a.action}, which takes ${takes.join(" and ")} only`,
          });
        }
      }
    }),
  output: z.object({
    task_gid: z.string(),
    done: z.string(),
    section: refOut.optional(),
    project: refOut.optional(),
    parent: refOut.nullable().optional(),
    acting_as: actingAs,
  }),
  // The destination too: a section, a project, a new parent; and re-parenting or detaching
  // changes the current parent as well.
  scope: (a) => ({
    task: a.task_gid,
    ...(a.project_gid ? { project: a.project_gid } : {}),
    ...(a.section_gid ? { section: a.section_gid } : {}),
    ...(a.parent_gid ? { linkedTasks: [a.parent_gid] } : {}),
    ...(a.action === "set_parent" ? { currentParent: true } : {}),
  }),
  describe: ({ attribution }) =>
    `Move a task between sections or projects, or set its parent. Moved by ${attribution("write")}.`,
  handler: async (a, context) => {
    let call: AsanaCall;
    if (a.action === "to_section") {
      call = {
        method: "POST",
        path: apiPath`/sections/${a.section_gid ?? ""}/addTask`,
        body: { task: a.task_gid },
      };
    } else if (a.action === "add_to_project") {
      call = {
        method: "POST",
        path: apiPath`/tasks/${a.task_gid}/addProject`,
        body: { project: a.project_gid, ...(a.section_gid ? { section: a.section_gid } : {}) },
      };
    } else if (a.action === "remove_from_project") {
      call = {
        method: "POST",
        path: apiPath`/tasks/${a.task_gid}/removeProject`,
        body: { project: a.project_gid },
      };
    } else {
      call = {
        method: "POST",
        path: apiPath`/tasks/${a.task_gid}/setParent`,
        body: { parent: a.parent_gid },
      };
    }
    // setParent answers with the task: its parent is named from that answer. The section and
    // project endpoints answer with nothing, so their target is read once after the write.
    const parentOpts = a.action === "set_parent" ? { query: { opt_fields: "parent.name" } } : {};
    const { data } = await idempotentWrite<{ parent?: Named | null }>(context, {
      ...call,
      ...parentOpts,
      signal: context.signal,
    });
    const where = await targetOf(context, a, data?.parent);
    const inProject = where.project && a.action === "to_section" ? ` in project ${label(where.project)}` : "";
    const done = {
      // addTask moves the task within the section's project only; its other projects keep it.
      to_section: `moved to section ${label(where.section)}${inProject}; any other project it is in keeps it`,
      add_to_project: `added to project ${label(where.project)}${where.section ? `, section ${label(where.section)}` : ""}`,
      remove_from_project: `removed from project ${label(where.project)}`,
      set_parent: where.parent ? `now a subtask of ${label(where.parent)}` : "no longer a subtask",
    }[a.action];
    return { task_gid: a.task_gid, done, ...where, acting_as: await actingAsOf(context) };
  },
});

interface Named {
  gid: string;
  name?: string;
}

const named = (r: Named | null | undefined) => (r ? { gid: r.gid, name: r.name ?? null } : undefined);
const label = (r: { gid: string; name: string | null } | undefined) =>
  r ? (r.name !== null ? `"${r.name}" (${r.gid})` : r.gid) : "";

/**
 * The section, project and parent a move names, by gid and name. The write has already happened:
 * a failed read of a name leaves the gid alone (name null), never an error for a done move.
 */
async function targetOf(
  context: ToolContext,
  a: { action: keyof typeof TAKES; section_gid?: string; project_gid?: string; parent_gid?: string | null },
  parent: Named | null | undefined,
): Promise<{ section?: Ref; project?: Ref; parent?: Ref | null }> {
  if (a.action === "set_parent") {
    if (!a.parent_gid) return { parent: null };
    return { parent: named(parent?.gid === a.parent_gid ? parent : { gid: a.parent_gid }) };
  }
  const { asana, identity, signal } = context;
  const read = async <T>(path: string, fields: string): Promise<T | undefined> => {
    try {
      return (
        await asana.request<T>(identity, { method: "GET", path, query: { opt_fields: fields }, signal })
      ).data;
    } catch {
      return undefined;
    }
  };
  if (a.section_gid) {
    // Named from a read moments ago (get_project lists sections) when there is one.
    const seen = recentName(asana, a.section_gid);
    const section = seen
      ? { gid: a.section_gid, name: seen.name, ...(seen.project ? { project: seen.project } : {}) }
      : await read<Named & { project?: Named }>(apiPath`/sections/${a.section_gid}`, "name,project.name");
    const project = a.project_gid ?? section?.project?.gid;
    return {
      section: named(section ?? { gid: a.section_gid }),
      ...(project
        ? { project: named(section?.project?.gid === project ? section.project : { gid: project }) }
        : {}),
    };
  }
  const seenProject = a.project_gid ? recentName(asana, a.project_gid) : undefined;
  const project = seenProject
    ? { gid: a.project_gid ?? "", name: seenProject.name }
    : await read<Named>(apiPath`/projects/${a.project_gid ?? ""}`, "name");
  return { project: named(project ?? { gid: a.project_gid ?? "" }) };
}

type Ref = { gid: string; name: string | null };

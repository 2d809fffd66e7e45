// delete_section: Asana deletes only an empty section, and never a project's last one, so both are
// checked first and refused with what to do. Repeating a delete cannot double it: an uncertain
// failure is settled by sending it again (the section was read first, so a 404 then proves it gone).
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { defineTool, type ToolContext } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { actingAsOf } from "./task-common.js";

/** Tasks are counted up to this many pages of 100. */
const COUNT_PAGES = 5;

interface Inspected {
  gid: string;
  name: string;
  project: { gid: string; name: string };
  /** Tasks in the section; `more` when there are more than were counted. */
  tasks: number;
  more: boolean;
  last: boolean;
}

/** Reads the section, whether it is its project's last, and how many tasks it holds: GETs only. */
async function inspect(section: string, context: ToolContext): Promise<Inspected> {
  const { asana, identity, signal } = context;
  const { data } = await asana.request<{ name: string; project?: { gid: string; name?: string } | null }>(
    identity,
    {
      method: "GET",
      path: apiPath`/sections/${section}`,
      query: { opt_fields: "name,project.name" },
      signal,
    },
  );
  if (!data.project) throw new AppError("not_found", `Section ${section} is in no project.`);
  const project = { gid: data.project.gid, name: data.project.name ?? data.project.gid };
  const [siblings, count] = await Promise.all([
    asana.request<Array<{ gid: string }>>(identity, {
      method: "GET",
      path: apiPath`/projects/${project.gid}/sections`,
      query: { limit: 2, opt_fields: "name" },
      signal,
    }),
    countTasks(section, context),
  ]);
  return { gid: section, name: data.name, project, ...count, last: siblings.data.length < 2 };
}

async function countTasks(section: string, context: ToolContext): Promise<{ tasks: number; more: boolean }> {
  const { asana, identity, signal } = context;
  let tasks = 0;
  let offset: string | undefined;
  for (let page = 0; page < COUNT_PAGES; page++) {
    // Completed tasks too: Asana counts them in the section.
    const { data, nextPage } = await asana.request<Array<{ gid: string }>>(identity, {
      method: "GET",
      path: "/tasks",
      query: { section, limit: 100, offset, opt_fields: "name" },
      signal,
    });
    tasks += data.length;
    offset = nextPage?.offset;
    if (!offset) return { tasks, more: false };
  }
  return { tasks, more: true };
}

/** What Asana would refuse, refused first with what to do (at the preview too: no one confirms a refused delete). */
function refuseUndeletable(s: Inspected): void {
  if (s.tasks > 0) {
    throw new AppError(
      "invalid_input",
      `Section "${s.name}" (${s.gid}) of project "${s.project.name}" holds ${countOf(s)}; Asana deletes only empty sections.`,
      {
        hint: `Move its tasks to another section of project ${s.project.gid} with move_task (action "to_section"), then call delete_section again.`,
      },
    );
  }
  if (s.last) {
    throw new AppError(
      "invalid_input",
      `Section "${s.name}" is the last section of project "${s.project.name}", and Asana never deletes a project's last section.`,
      { hint: "Rename it with update_section instead, or add another section first (create_section)." },
    );
  }
}

const countOf = (s: Inspected) => `${s.more ? "more than " : ""}${s.tasks} task${s.tasks === 1 ? "" : "s"}`;

export const deleteSection = defineTool({
  name: "delete_section",
  title: "Delete a section",
  toolset: "projects",
  kind: "destructive",
  actsAs: "write",
  input: z.object({ section_gid: gid() }).strict(),
  output: z.object({
    deleted: z.string(),
    name: z.string(),
    project: z.object({ gid: z.string(), name: z.string() }),
    acting_as: actingAs,
  }),
  scope: (a) => ({ section: a.section_gid }),
  describe: ({ attribution }) =>
    `Delete an empty section (not a project's last). Deleted by ${attribution("write")}.`,
  confirm: {
    preview: async (a, context) => {
      const s = await inspect(a.section_gid, context);
      refuseUndeletable(s);
      return {
        summary: `Delete the empty section "${s.name}" (${s.gid}) of project "${s.project.name}" (${s.project.gid}).`,
        changes: [
          {
            gid: s.gid,
            name: s.name,
            project: s.project,
            tasks: 0,
            change: "deleted",
          },
        ],
      };
    },
  },
  handler: async (a, context) => {
    const { asana, identity, signal } = context;
    const s = await inspect(a.section_gid, context);
    refuseUndeletable(s);
    const call = { method: "DELETE", path: apiPath`/sections/${a.section_gid}`, signal } as const;
    try {
      await asana.request(identity, call);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "write_unknown") throw error;
      // Repeating a delete cannot double it; a 404 now, for a section that existed, means it is gone.
      try {
        await asana.request(identity, call);
      } catch (again) {
        if (!(again instanceof AppError) || again.code !== "not_found") throw again;
      }
    }
    return { deleted: s.gid, name: s.name, project: s.project, acting_as: await actingAsOf(context) };
  },
});

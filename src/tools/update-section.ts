// update_section: rename (a PUT of the name) and/or move a section before or after another of its
// project (an insert to a position): repeating either after an uncertain failure cannot double it.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { readPages } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { actingAsOf } from "./task-common.js";

/** Bounded: a project's sections are read at most this many pages of 100 deep. */
const MAX_PAGES = 20;

interface Section {
  gid: string;
  name: string;
  project?: { gid: string; name?: string } | null;
}

export const updateSection = defineTool({
  name: "update_section",
  title: "Rename or move a section",
  toolset: "projects",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      section_gid: gid(),
      name: z.string().trim().min(1).max(1024).optional(),
      before_section_gid: gid().optional(),
      after_section_gid: gid().optional(),
    })
    .strict(),
  output: z.object({
    section: z.object({ gid: z.string(), name: z.string() }),
    project: z.object({ gid: z.string(), name: z.string().optional() }),
    moved: z.string().optional(),
    acting_as: actingAs,
  }),
  validate: (a) => {
    const anchor = a.before_section_gid ?? a.after_section_gid;
    if (a.before_section_gid && a.after_section_gid) {
      throw new AppError("invalid_input", "before_section_gid or after_section_gid, not both.");
    }
    if (!a.name && !anchor) {
      throw new AppError(
        "invalid_input",
        "nothing to change: give name, or before_section_gid / after_section_gid to move it.",
      );
    }
    if (anchor === a.section_gid) {
      throw new AppError("invalid_input", "a section cannot be moved before or after itself.");
    }
  },
  scope: (a) => ({ section: a.section_gid }),
  describe: ({ attribution }) =>
    `Rename a section and/or move it before or after another section of its project. Done by ${attribution("write")}.`,
  handler: async (a, context) => {
    const { asana, identity, signal } = context;
    const anchor = a.before_section_gid ?? a.after_section_gid;
    const { data: current } = await asana.request<Section>(identity, {
      method: "GET",
      path: apiPath`/sections/${a.section_gid}`,
      query: { opt_fields: "name,project.name" },
      signal,
    });
    const project = current.project;
    if (!project) throw new AppError("not_found", `Section ${a.section_gid} is in no project.`);
    if (anchor) {
      // The anchor must be one of this project's sections (Asana moves none between projects): read
      // from the project already allowed, never by a GET of a section that may be outside it.
      const { items, complete } = await readPages<Section>(
        asana,
        identity,
        { path: apiPath`/projects/${project.gid}/sections`, query: { opt_fields: "name" }, signal },
        MAX_PAGES,
      );
      if (!items.some((s) => s.gid === anchor)) {
        throw new AppError(
          "invalid_input",
          `Section ${anchor} is not ${complete ? "" : "among the first 2000 "}sections of project ${project.name ?? project.gid}, where section ${a.section_gid} is; a section moves only within its project.`,
        );
      }
    }
    let name = current.name;
    if (a.name) {
      ({
        data: { name },
      } = await idempotentWrite<Section>(context, {
        method: "PUT",
        path: apiPath`/sections/${a.section_gid}`,
        query: { opt_fields: "name" },
        body: { name: a.name },
        signal,
      }));
    }
    let moved: string | undefined;
    if (anchor) {
      const where = a.before_section_gid ? "before_section" : "after_section";
      try {
        await idempotentWrite(context, {
          method: "POST",
          path: apiPath`/projects/${project.gid}/sections/insert`,
          body: { section: a.section_gid, [where]: anchor },
          signal,
        });
      } catch (error) {
        if (!(error instanceof AppError) || !a.name) throw error;
        throw new AppError(
          error.code,
          `The section was renamed to "${name}"; moving it failed: ${error.message}`,
          {
            requestId: error.requestId,
            status: error.status,
            retryable: error.retryable,
            hint: `${error.hint} Calling again is safe: the rename stays as it is.`,
          },
        );
      }
      moved = `${a.before_section_gid ? "before" : "after"} section ${anchor}`;
    }
    return {
      section: { gid: a.section_gid, name },
      project: { gid: project.gid, ...(project.name ? { name: project.name } : {}) },
      ...(moved ? { moved } : {}),
      acting_as: await actingAsOf(context),
    };
  },
});

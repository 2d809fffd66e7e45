// create_section: a POST that could double, so an uncertain failure is settled by reading the
// project's sections back.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { readPages } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { settleCreate } from "./settle.js";
import { actingAsOf } from "./task-common.js";

/** Bounded: a project's sections are read at most this many pages of 100 deep. */
const MAX_PAGES = 20;

interface Section {
  gid: string;
  name: string;
}

export const createSection = defineTool({
  name: "create_section",
  title: "Create a section",
  kind: "write",
  actsAs: "write",
  input: z.object({ project_gid: gid("project"), name: z.string().trim().min(1).max(1024) }).strict(),
  output: z.object({
    section: z.object({ gid: z.string(), name: z.string() }),
    acting_as: actingAs,
    verified_after_uncertain_failure: z.boolean().optional(),
  }),
  scope: (a) => ({ project: a.project_gid }),
  describe: ({ attribution }) =>
    `Add a section to a project. Created by ${attribution("write")}; never twice.`,
  handler: async (a, context) => {
    const { asana, identity, signal } = context;
    // Every page: a new section goes last, so a first page alone would miss it in a long project.
    const listSections = async () => {
      const { items, complete } = await readPages<Section>(
        asana,
        identity,
        { path: apiPath`/projects/${a.project_gid}/sections`, query: { opt_fields: "name" }, signal },
        MAX_PAGES,
      );
      return { sections: items, complete };
    };
    // Sections carry no author, so the ones that exist beforehand are what a new one is told apart from.
    const before = new Set((await listSections()).sections.map((s) => s.gid));
    let section: Section;
    let verified = false;
    try {
      ({ data: section } = await asana.request<Section>(identity, {
        method: "POST",
        path: apiPath`/projects/${a.project_gid}/sections`,
        query: { opt_fields: "name" },
        body: { name: a.name },
        signal,
      }));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "write_unknown") throw error;
      section = await settleCreate({
        cause: error,
        signal,
        what: "the section",
        where: "the project's sections",
        find: async () => {
          const { sections, complete } = await listSections();
          const found = sections.find((s) => !before.has(s.gid) && s.name === a.name);
          // Not found in a listing cut short proves nothing: the write stays uncertain.
          if (!found && !complete) throw new Error(`the project has more than ${MAX_PAGES * 100} sections`);
          return found;
        },
      });
      verified = true;
    }
    return {
      section: { gid: section.gid, name: section.name },
      acting_as: actingAsOf(context),
      ...(verified ? { verified_after_uncertain_failure: true } : {}),
    };
  },
});

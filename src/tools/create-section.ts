// create_section: a POST that could double, so an uncertain failure is settled by reading the
// project's sections back.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { readPages } from "../asana/paginate.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { createOnce, squash } from "./settle.js";
import { actingAsOf } from "./task-common.js";

/** Bounded: a project's sections are read at most this many pages of 100 deep. */
const MAX_PAGES = 20;

interface Section {
  gid: string;
  name: string;
  created_at?: string;
}

export const createSection = defineTool({
  name: "create_section",
  title: "Create a section",
  toolset: "projects",
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
    const listSections = () =>
      readPages<Section>(
        asana,
        identity,
        {
          path: apiPath`/projects/${a.project_gid}/sections`,
          query: { opt_fields: "name,created_at" },
          signal,
        },
        MAX_PAGES,
      );
    // Asana records no author for a section, so besides "made after the call was sent" the sections
    // that exist beforehand are what a new one is told apart from.
    const before = new Set((await listSections()).items.map((s) => s.gid));
    const { created: section, verified } = await createOnce<Section>({
      context,
      what: "the section",
      where: "the project's sections",
      readBack: `get_project ${a.project_gid} (its sections)`,
      key: JSON.stringify(["section", a.project_gid, a.name]),
      send: async () =>
        (
          await asana.request<Section>(identity, {
            method: "POST",
            path: apiPath`/projects/${a.project_gid}/sections`,
            query: { opt_fields: "name" },
            body: { name: a.name },
            signal,
          })
        ).data,
      maxItems: MAX_PAGES * 100,
      list: listSections,
      authorOf: null,
      createdAtOf: (s) => s.created_at,
      matches: (s) => !before.has(s.gid) && squash(s.name) === squash(a.name),
    });
    return {
      section: { gid: section.gid, name: section.name },
      acting_as: await actingAsOf(context),
      ...(verified ? { verified_after_uncertain_failure: true } : {}),
    };
  },
});

// get_project: a project with its sections, custom fields and latest status updates.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { type FieldDef, fieldDefOptFields, rememberFields } from "./custom-fields.js";
import { defineTool } from "./define.js";
import { rememberName } from "./recent-names.js";
import { gid } from "./schemas.js";

export const getProject = defineTool({
  name: "get_project",
  title: "Get a project",
  toolset: "tasks",
  kind: "read",
  actsAs: "read",
  input: z.object({ project_gid: gid("project") }).strict(),
  output: z.object({ project: z.record(z.string(), z.unknown()) }),
  scope: (a) => ({ project: a.project_gid }),
  describe: ({ attribution }) =>
    `A project: sections, custom fields, latest status updates. Reads as ${attribution("read")}.`,
  handler: async (a, { asana, identity, signal }) => {
    // The custom field settings come with the project (opt_fields); Asana's spec offers neither its
    // sections nor its status updates' text that way, so those are two more reads, in parallel.
    const [project, sections, statuses] = await Promise.all([
      asana.request<{
        gid: string;
        name: string;
        notes?: string;
        permalink_url?: string;
        team?: { name?: string } | null;
        archived?: boolean;
        custom_field_settings?: Array<{ custom_field: FieldDef }>;
      }>(identity, {
        method: "GET",
        path: apiPath`/projects/${a.project_gid}`,
        query: {
          opt_fields: `name,notes,permalink_url,team.name,archived,workspace,${fieldDefOptFields("custom_field_settings.custom_field.")}`,
        },
        signal,
      }),
      asana.request<Array<{ gid: string; name: string }>>(identity, {
        method: "GET",
        path: apiPath`/projects/${a.project_gid}/sections`,
        query: { limit: 100, opt_fields: "name" },
        signal,
      }),
      asana.request<
        Array<{
          gid: string;
          title?: string;
          status_type?: string;
          text?: string;
          created_at?: string;
          author?: { name?: string };
        }>
      >(identity, {
        method: "GET",
        path: "/status_updates",
        query: {
          parent: a.project_gid,
          limit: 3,
          opt_fields: "title,status_type,text,created_at,author.name",
        },
        signal,
      }),
    ]);
    const p = project.data;
    const fields = (p.custom_field_settings ?? []).map((s) => s.custom_field);
    // Kept a minute for the allow-list filter of task results; writes read their own (custom-fields.ts).
    rememberFields(identity, p.gid, fields);
    // A move right after names its section from these (display only).
    rememberName(asana, p.gid, p.name);
    for (const section of sections.data)
      rememberName(asana, section.gid, section.name, { gid: p.gid, name: p.name });
    return {
      project: {
        gid: p.gid,
        name: p.name,
        ...(p.team?.name ? { team: p.team.name } : {}),
        ...(p.archived ? { archived: true } : {}),
        url: p.permalink_url,
        notes: p.notes,
        sections: sections.data.map((s) => ({ gid: s.gid, name: s.name })),
        ...(sections.nextPage ? { more_sections: true } : {}),
        custom_fields: fields.map((f) => ({
          gid: f.gid,
          name: f.name,
          type: f.type,
          ...(f.enum_options?.length ? { options: f.enum_options.map((o) => o.name) } : {}),
        })),
        status_updates: statuses.data.map((s) => ({
          gid: s.gid,
          status: s.status_type,
          title: s.title,
          text: s.text,
          at: s.created_at,
          by: s.author?.name,
        })),
      },
    };
  },
});

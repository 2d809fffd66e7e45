// update_project: a PUT of absolute values, so repeating it after an uncertain failure cannot double
// anything.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { defineTool } from "./define.js";
import {
  type AsanaProject,
  checkProjectDates,
  PROJECT_FIELDS,
  privacy,
  projectColor,
  projectDate,
  projectOf,
  projectOut,
} from "./project-common.js";
import { actingAs, gid } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { actingAsOf, resolveMe, userIn } from "./task-common.js";

const CHANGES = ["name", "notes", "owner", "start_on", "due_on", "color", "archived", "privacy"] as const;

export const updateProject = defineTool({
  name: "update_project",
  title: "Update a project",
  toolset: "projects",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      project_gid: gid("project"),
      name: z.string().trim().min(1).max(1024).optional(),
      notes: z.string().max(65_536).optional(),
      owner: userIn().nullable().optional(),
      start_on: projectDate().nullable().optional().describe("needs due_on; null clears"),
      due_on: projectDate().nullable().optional(),
      color: projectColor().optional(),
      archived: z.boolean().optional(),
      privacy: privacy().optional(),
    })
    .strict()
    // Nothing to change is refused before any request: the agent must not be told "updated".
    .refine(
      (a) => CHANGES.some((key) => a[key] !== undefined),
      "nothing to change: give at least one field to set.",
    ),
  output: z.object({ project: projectOut, changed: z.array(z.string()), acting_as: actingAs }),
  validate: checkProjectDates,
  scope: (a) => ({ project: a.project_gid, ...(a.owner ? { users: [a.owner] } : {}) }),
  describe: ({ attribution, me }) =>
    `Rename, describe, date, recolor, archive a project or change its owner or privacy. Changed by ${attribution("write")}; "me" = ${me()}.`,
  handler: async (args, context) => {
    const a = { ...args, owner: await resolveMe(context, args.owner) };
    const body: Record<string, unknown> = {};
    for (const key of CHANGES) {
      if (a[key] !== undefined) body[key === "privacy" ? "privacy_setting" : key] = a[key];
    }
    const { data } = await idempotentWrite<AsanaProject>(context, {
      method: "PUT",
      path: apiPath`/projects/${a.project_gid}`,
      query: { opt_fields: PROJECT_FIELDS },
      body,
      signal: context.signal,
    });
    return {
      project: projectOf(data),
      changed: CHANGES.filter((key) => a[key] !== undefined),
      acting_as: await actingAsOf(context),
    };
  },
});

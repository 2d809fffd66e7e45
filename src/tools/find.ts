// find: objects by part of their name, through Asana's typeahead. One request on every plan (task
// search needs a paid one), and the first step of most sessions: without it an agent pages through
// every project of the workspace to find one by name.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { type Policy, projectListed } from "../policy.js";
import { defineTool } from "./define.js";
import { gid, limit } from "./schemas.js";
import { workspaceOf } from "./task-common.js";
import { shownProjects, taskListed } from "./task-view.js";

interface Found {
  gid: string;
  name?: string | null;
  archived?: boolean;
  completed?: boolean;
  email?: string | null;
  projects?: Array<{ gid: string; name?: string | null }> | null;
}

/** What typeahead returns cheaply per type (opt_fields), and how a result passes the allow-lists. */
const TYPES = {
  project: { fields: "name,archived", listed: (p: Policy, x: Found) => projectListed(p, x.gid) },
  task: {
    fields: "name,completed,projects.name",
    // A task appears only when one of its projects is allowed (as checkScope decides for a task).
    listed: (p: Policy, x: Found) => taskListed(p, x.projects),
  },
  user: { fields: "name,email" },
  tag: { fields: "name" },
  portfolio: { fields: "name" },
} as const satisfies Record<string, { fields: string; listed?: (p: Policy, x: Found) => boolean }>;

type FindType = keyof typeof TYPES;

/** Typeahead answers at most 100; filtering by ASANA_PROJECTS asks for that many and keeps `limit`. */
const TYPEAHEAD_MAX = 100;

export const find = defineTool({
  name: "find",
  title: "Find by name",
  toolset: "tasks",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      type: z.enum(Object.keys(TYPES) as [FindType, ...FindType[]]),
      query: z.string().min(1, "must not be empty").max(200),
      workspace_gid: gid().optional(),
      limit: limit(10),
    })
    .strict(),
  output: z.object({
    workspace_gid: z.string(),
    results: z.array(
      z.object({
        gid: z.string(),
        name: z.string(),
        archived: z.literal(true).optional(),
        done: z.literal(true).optional(),
        projects: z.array(z.object({ gid: z.string(), name: z.string() })).optional(),
        outside_projects: z.string().optional(),
        email: z.string().optional(),
      }),
    ),
  }),
  scope: (a) => (a.workspace_gid ? { workspace: a.workspace_gid } : {}),
  // Picks its default among allowed workspaces and keeps projects and tasks within ASANA_PROJECTS.
  filtersByPolicy: true,
  describe: ({ attribution }) =>
    `Find projects, tasks, users, tags or portfolios by name, any plan. Reads as ${attribution("read")}.`,
  handler: async (a, context) => {
    const { policy } = context;
    const type: { fields: string; listed?: (p: Policy, x: Found) => boolean } = TYPES[a.type];
    // Users, tags and portfolios span the workspace: ASANA_PROJECTS has no say over them, so they
    // stay hidden, as list_workspace does (refused before any request).
    if (policy.projects && !type.listed) {
      throw new AppError(
        "policy_denied",
        `find type ${a.type} works across the workspace, and ASANA_PROJECTS limits this server to projects ${[...policy.projects].join(", ")}; use type project or task.`,
      );
    }
    const workspace = await workspaceOf(context, a.workspace_gid);
    const filtered = policy.projects !== undefined && type.listed !== undefined;
    const { data } = await context.asana.request<Found[]>(context.identity, {
      method: "GET",
      path: apiPath`/workspaces/${workspace}/typeahead`,
      query: {
        resource_type: a.type,
        query: a.query,
        count: filtered ? TYPEAHEAD_MAX : a.limit,
        opt_fields: type.fields,
      },
      signal: context.signal,
    });
    const results = data
      .filter((x) => !type.listed || type.listed(policy, x))
      .slice(0, a.limit)
      .map((x) => ({
        gid: x.gid,
        name: x.name ?? "",
        ...(x.archived ? { archived: true as const } : {}),
        ...(x.completed ? { done: true as const } : {}),
        ...shownProjects(policy, x.projects),
        ...(x.email ? { email: x.email } : {}),
      }));
    return { workspace_gid: workspace, results };
  },
});

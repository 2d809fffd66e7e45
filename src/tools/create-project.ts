// create_project: a POST that could double, so an uncertain failure is settled by reading the team's
// (or workspace's) projects back. From a template, Asana answers with a job that makes the project;
// the job is followed until it ends or the tool's deadline nears, and answered as it stands.
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { readPages } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool, type ToolContext } from "./define.js";
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
import { createOnce, squash } from "./settle.js";
import { actingAsOf, resolveMe, userIn } from "./task-common.js";

/** Bounded read-back: a team's or workspace's active projects, 100 a page. */
const MAX_PAGES = 20;
/** Job polls start fast (a small template is done in a moment) and slow down to this. */
const POLL_MS = [250, 500, 1_000, 2_000];

const input = z
  .object({
    name: z.string().trim().min(1).max(1024),
    workspace_gid: gid().optional(),
    team_gid: gid().optional().describe("required in an organization"),
    template_gid: gid().optional().describe("instantiate this project template"),
    notes: z.string().max(65_536).optional(),
    owner: userIn().optional(),
    start_on: projectDate().optional().describe("needs due_on"),
    due_on: projectDate().optional(),
    color: projectColor().optional(),
    default_view: z.enum(["list", "board", "calendar", "timeline"]).optional(),
    privacy: privacy().optional(),
  })
  .strict();
type Args = z.output<typeof input>;

interface Job {
  gid: string;
  status?: string;
  new_project?: { gid: string; name?: string } | null;
}

/** What the create answers: the project, or (from a template) the job's project and the job. */
type Made = AsanaProject & { job?: Job };

const instantiationOut = z.object({
  status: z.enum(["succeeded", "in_progress", "unknown"]),
  job_gid: z.string().nullable(),
  note: z.string().optional(),
});

export const createProject = defineTool({
  name: "create_project",
  title: "Create a project",
  toolset: "projects",
  kind: "write",
  actsAs: "write",
  input,
  output: z.object({
    /** Absent only while a template's job has not named its project yet. */
    project: projectOut.optional(),
    /** The sections it was made with (Asana gives a plain project one, "Untitled section"). */
    sections: z.array(z.object({ gid: z.string(), name: z.string() })).optional(),
    instantiation: instantiationOut.optional(),
    acting_as: actingAs,
    verified_after_uncertain_failure: z.boolean().optional(),
  }),
  validate: (a) => {
    if (a.template_gid) {
      const own = (["workspace_gid", "notes", "owner", "color", "default_view"] as const).filter(
        (k) => a[k] !== undefined,
      );
      if (own.length > 0) {
        throw new AppError(
          "invalid_input",
          `${own.join(", ")}: not with template_gid (the template decides them); change them afterwards with update_project.`,
        );
      }
      if (a.start_on && a.due_on && a.start_on >= a.due_on) checkProjectDates(a);
      return;
    }
    if (!a.workspace_gid && !a.team_gid) {
      throw new AppError(
        "invalid_input",
        "workspace_gid or team_gid is required (team_gid in an organization).",
      );
    }
    checkProjectDates(a);
  },
  scope: (a) => ({
    newProject: true,
    ...(a.workspace_gid ? { workspace: a.workspace_gid } : {}),
    ...(a.team_gid ? { team: a.team_gid } : {}),
    ...(a.template_gid ? { template: a.template_gid } : {}),
    ...(a.owner ? { users: [a.owner] } : {}),
  }),
  describe: ({ attribution, me }) =>
    `Create a project in a team (organizations) or workspace, or from a template. Created by ${attribution("write")}; never twice. "me" = ${me()}.`,
  handler: async (args, context) => {
    const started = Date.now();
    const a = { ...args, owner: await resolveMe(context, args.owner) };
    const outcome = a.template_gid
      ? await fromTemplate(a, a.template_gid, context, started)
      : await plain(a, context);
    const sections = outcome.project ? await sectionsOf(outcome.project.gid, context) : undefined;
    return { ...outcome, ...(sections ? { sections } : {}), acting_as: await actingAsOf(context) };
  },
});

/**
 * The new project's sections, so the default one can be renamed (update_section) rather than left
 * beside new ones. The project exists already: a failed read leaves them out, never an error.
 */
async function sectionsOf(
  project: string,
  context: ToolContext,
): Promise<Array<{ gid: string; name: string }> | undefined> {
  try {
    const { data } = await context.asana.request<Array<{ gid: string; name?: string }>>(context.identity, {
      method: "GET",
      path: apiPath`/projects/${project}/sections`,
      // A template may bring many; Asana pages at 100, enough to name every one it usually has.
      query: { limit: 100, opt_fields: "name" },
      signal: context.signal,
    });
    return data.map((section) => ({ gid: section.gid, name: section.name ?? "" }));
  } catch {
    return undefined;
  }
}

async function plain(a: Args, context: ToolContext) {
  const { asana, identity, signal } = context;
  if (!a.team_gid && a.workspace_gid) {
    // Asana answers an organization's project without a team with a bare 400: said here instead.
    const { data } = await asana.request<{ is_organization?: boolean }>(identity, {
      method: "GET",
      path: apiPath`/workspaces/${a.workspace_gid}`,
      query: { opt_fields: "is_organization" },
      signal,
    });
    if (data.is_organization) {
      throw new AppError(
        "invalid_input",
        `team_gid is required: workspace ${a.workspace_gid} is an organization, where every project is in a team. Find teams with list_workspace (of: "teams").`,
      );
    }
  }
  if (a.team_gid && a.workspace_gid) {
    // Both named: the team must be the workspace's (the POST to the team would go to its own).
    const { items } = await readPages<{ gid: string }>(
      asana,
      identity,
      { path: apiPath`/workspaces/${a.workspace_gid}/teams`, query: { opt_fields: "name" }, signal },
      10,
    );
    if (!items.some((t) => t.gid === a.team_gid)) {
      throw new AppError(
        "invalid_input",
        `team_gid: team ${a.team_gid} is not a team of workspace ${a.workspace_gid} (list_workspace of: "teams").`,
      );
    }
  }
  const body = {
    name: a.name,
    ...(a.notes !== undefined ? { notes: a.notes } : {}),
    ...(a.owner !== undefined ? { owner: a.owner } : {}),
    ...(a.color !== undefined ? { color: a.color } : {}),
    ...(a.default_view !== undefined ? { default_view: a.default_view } : {}),
    ...(a.privacy !== undefined ? { privacy_setting: a.privacy } : {}),
    ...(a.start_on !== undefined ? { start_on: a.start_on } : {}),
    ...(a.due_on !== undefined ? { due_on: a.due_on } : {}),
  };
  const container = a.team_gid
    ? apiPath`/teams/${a.team_gid}`
    : apiPath`/workspaces/${a.workspace_gid ?? ""}`;
  const { created, verified } = await createOnce<Made>({
    context,
    what: "the project",
    where: a.team_gid ? "the team's projects" : "the workspace's projects",
    readBack: `list_projects (workspace ${a.workspace_gid ?? "of the team"}) and look for "${a.name}"`,
    key: JSON.stringify(["project", container, body]),
    send: async () =>
      (
        await asana.request<Made>(identity, {
          method: "POST",
          path: `${container}/projects`,
          query: { opt_fields: PROJECT_FIELDS },
          body,
          signal,
        })
      ).data,
    maxItems: MAX_PAGES * 100,
    list: () => listProjects(context, container),
    // Asana records no creator for a project: what tells it apart is every field this call set.
    authorOf: null,
    createdAtOf: (p) => p.created_at,
    matches: (p) =>
      squash(p.name) === squash(a.name) &&
      (a.notes === undefined || squash(p.notes) === squash(a.notes)) &&
      (a.owner === undefined || p.owner?.gid === a.owner) &&
      (a.color === undefined || p.color === a.color) &&
      (a.default_view === undefined || p.default_view === a.default_view) &&
      (a.privacy === undefined || p.privacy_setting === a.privacy) &&
      (a.start_on === undefined || p.start_on === a.start_on) &&
      (a.due_on === undefined || p.due_on === a.due_on),
  });
  return { project: projectOf(created), ...(verified ? { verified_after_uncertain_failure: true } : {}) };
}

function listProjects(context: ToolContext, container: string) {
  return readPages<Made>(
    context.asana,
    context.identity,
    {
      path: `${container}/projects`,
      // A new project is not archived: the archived ones need not be read.
      query: { archived: false, opt_fields: PROJECT_FIELDS },
      signal: context.signal,
    },
    MAX_PAGES,
  );
}

interface Template {
  gid: string;
  name: string;
  team?: { gid: string } | null;
  requested_dates?: Array<{ gid: string; name?: string }>;
}

async function fromTemplate(a: Args, templateGid: string, context: ToolContext, started: number) {
  const { asana, identity, signal } = context;
  const { data: template } = await asana.request<Template>(identity, {
    method: "GET",
    path: apiPath`/project_templates/${templateGid}`,
    query: { opt_fields: "name,team,requested_dates.name" },
    signal,
  });
  // Date variable "1" is the project's start date, "2" its due date (DateVariableRequest.gid).
  const asked = new Map((template.requested_dates ?? []).map((d) => [d.gid, d.name ?? d.gid]));
  const dates = [
    ["1", "start_on", a.start_on],
    ["2", "due_on", a.due_on],
  ] as const;
  const missing = dates.filter(([gid, , value]) => asked.has(gid) && value === undefined).map(([, k]) => k);
  const unasked = dates.filter(([gid, , value]) => !asked.has(gid) && value !== undefined).map(([, k]) => k);
  if (missing.length > 0 || unasked.length > 0) {
    throw new AppError(
      "invalid_input",
      `Template "${template.name}" asks for ${asked.size ? [...asked.values()].join(" and ") : "no dates"}: ${
        missing.length ? `give ${missing.join(" and ")}` : `leave out ${unasked.join(" and ")}`
      }.`,
    );
  }
  const team = a.team_gid ?? template.team?.gid;
  if (!team)
    throw new AppError("invalid_input", `team_gid is required: template ${templateGid} names no team.`);
  const body = {
    name: a.name,
    ...(a.team_gid ? { team: a.team_gid } : {}),
    ...(a.privacy ? { privacy_setting: a.privacy } : {}),
    // Strict: Asana refuses a missing date instead of inventing one (today as the start).
    is_strict: true,
    ...(asked.size > 0
      ? {
          requested_dates: dates
            .filter(([gid]) => asked.has(gid))
            .map(([gid, , value]) => ({ gid, value: value ?? null })),
        }
      : {}),
  };
  const container = apiPath`/teams/${team}`;
  // A repeated instantiate would make a second project, so it is settled like any create: the
  // team's projects are read back for one made from this template, named so, after the call.
  const { created, verified } = await createOnce<Made>({
    context,
    what: "the project",
    where: "the team's projects",
    readBack: `list_projects and look for "${a.name}"`,
    key: JSON.stringify(["instantiate", templateGid, team, body]),
    send: async () => {
      const { data: job } = await asana.request<Job>(identity, {
        method: "POST",
        path: apiPath`/project_templates/${templateGid}/instantiateProject`,
        query: { opt_fields: "status,new_project,new_project.name" },
        body,
        signal,
      });
      // The job's gid stands in for the project's until the job names it.
      return { gid: job.new_project?.gid ?? job.gid, name: job.new_project?.name ?? a.name, job };
    },
    maxItems: MAX_PAGES * 100,
    list: () => listProjects(context, container),
    authorOf: null,
    createdAtOf: (p) => p.created_at,
    matches: (p) => squash(p.name) === squash(a.name) && p.created_from_template?.gid === templateGid,
  });
  if (verified || !created.job) {
    return {
      project: projectOf(created),
      instantiation: {
        status: "unknown" as const,
        job_gid: null,
        note: `Found after an uncertain failure; Asana may still be copying the template into it: get_project ${created.gid} shows it.`,
      },
      verified_after_uncertain_failure: true,
    };
  }
  return followJob(created.job, a.name, context, started);
}

/** Polls the job until it ends, the call is cancelled, or the tool's deadline nears. */
async function followJob(first: Job, name: string, context: ToolContext, started: number) {
  const { asana, identity, signal, config } = context;
  // Answer with room to spare: the deadline also covers the policy's reads before the handler.
  const stopAt = started + config.toolDeadlineMs - Math.min(5_000, config.toolDeadlineMs / 4);
  let job = first;
  for (let i = 0; job.status !== "succeeded" && job.status !== "failed"; i++) {
    const wait = POLL_MS[Math.min(i, POLL_MS.length - 1)] ?? 2_000;
    if (Date.now() + wait >= stopAt || signal.aborted) break;
    await sleep(wait, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) break;
    try {
      ({ data: job } = await asana.request<Job>(identity, {
        method: "GET",
        path: apiPath`/jobs/${first.gid}`,
        query: { opt_fields: "status,new_project,new_project.name" },
        signal,
      }));
    } catch {
      // The job runs on whatever this read met: answered as still running.
      break;
    }
  }
  const projectGid = job.new_project?.gid ?? first.new_project?.gid;
  if (job.status === "failed") {
    throw new AppError(
      "asana_bad_request",
      `Asana's job ${first.gid} instantiating the template failed${projectGid ? `; it had made project ${projectGid}, which may be partly filled` : ""}.`,
      {
        hint: projectGid
          ? `Look at project ${projectGid} (get_project) before trying again: calling again makes a second project.`
          : "Check list_projects for the project before trying again.",
      },
    );
  }
  if (job.status === "succeeded" && projectGid) {
    const made = { gid: projectGid, name: job.new_project?.name ?? name };
    // The project's fields, best effort: Asana's reads may lag behind the job, and the project is
    // made whatever this read meets.
    const data = await asana
      .request<AsanaProject>(identity, {
        method: "GET",
        path: apiPath`/projects/${projectGid}`,
        query: { opt_fields: PROJECT_FIELDS },
        signal,
      })
      .then((r) => r.data)
      .catch(() => made);
    return { project: projectOf(data), instantiation: { status: "succeeded" as const, job_gid: first.gid } };
  }
  return {
    ...(projectGid ? { project: projectOf({ gid: projectGid, name: job.new_project?.name ?? name }) } : {}),
    instantiation: {
      status: "in_progress" as const,
      job_gid: first.gid,
      note: projectGid
        ? `Asana is still copying the template (job ${first.gid}); the project exists: get_project ${projectGid} shows its sections as they arrive. Do not call again: that makes a second project.`
        : `Asana is still running job ${first.gid}, which has not named its project yet: look for "${name}" with list_projects shortly. Do not call again: that makes a second project.`,
    },
  };
}

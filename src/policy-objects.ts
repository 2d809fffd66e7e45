// The allow-list checks of objects that live in a workspace rather than in a project: teams and
// project templates, portfolios, goals, tags and users. checkScope (src/policy-scope.ts) calls them;
// each proves with the fewest reads which workspace the object is in, or refuses the call.
import { apiPath } from "./asana/http.js";
import { readPages } from "./asana/paginate.js";
import { AppError } from "./errors.js";
import { type Policy, workspaceAllowed } from "./policy.js";
import type { ScopeReader } from "./policy-scope.js";
import type { Tool } from "./tools/define.js";

/** How many pages of a workspace's teams are read to find a team in it. */
const TEAM_PAGES = 10;

/**
 * The allowed workspace a team is in. The spec subset offers no GET of a team, so the team is
 * looked for among the teams of the workspace the call names, else of each allowed workspace
 * (TEAM_PAGES pages of 100 each): found nowhere, it is outside. Undefined without ASANA_WORKSPACES.
 */
export async function checkTeam(
  policy: Policy,
  team: string,
  home: string | undefined,
  reader: ScopeReader,
  subject?: string,
): Promise<string | undefined> {
  if (!policy.workspaces) return undefined;
  const candidates = home !== undefined ? [home] : [...policy.workspaces];
  for (const workspace of candidates) {
    const { items } = await readPages<{ gid: string }>(
      reader.asana,
      reader.identity(),
      { path: apiPath`/workspaces/${workspace}/teams`, query: { opt_fields: "name" }, signal: reader.signal },
      TEAM_PAGES,
    );
    if (items.some((t) => t.gid === team)) return workspace;
  }
  const where =
    home !== undefined
      ? `workspace ${home}, which this call touches`
      : `any workspace ASANA_WORKSPACES allows (${[...policy.workspaces].join(", ")})`;
  deny(`${subject ?? `team ${team} is`} not a team of ${where}`);
}

/** A template lives in its team's workspace (the spec gives a template no workspace field). */
export async function checkTemplate(
  policy: Policy,
  template: string,
  home: string | undefined,
  reader: ScopeReader,
): Promise<string | undefined> {
  const { data } = await read<{ team?: { gid: string } | null }>(
    reader,
    apiPath`/project_templates/${template}`,
    "team",
  );
  const team = data.team?.gid;
  if (!team) deny(`project template ${template} is shared with no team this server can check`);
  return checkTeam(
    policy,
    team,
    home,
    reader,
    `project template ${template} is shared with team ${team}, which is`,
  );
}

/**
 * A portfolio is checked through its workspace (one GET, under ASANA_WORKSPACES). It is no project:
 * under ASANA_PROJECTS only a tool that shows the allowed projects among its items alone may read it.
 */
export async function checkPortfolio(
  policy: Policy,
  tool: Pick<Tool, "name" | "filtersByPolicy">,
  portfolio: string,
  reader: ScopeReader,
): Promise<string | undefined> {
  if (policy.projects && !tool.filtersByPolicy) {
    deny(`${tool.name} reads portfolio ${portfolio}, and ASANA_PROJECTS limits this server to projects`);
  }
  if (!policy.workspaces) return undefined;
  const { data } = await read<{ workspace?: { gid: string } | null }>(
    reader,
    apiPath`/portfolios/${portfolio}`,
    "workspace",
  );
  const workspace = data.workspace?.gid;
  if (!workspaceAllowed(policy, workspace ?? "") || !workspace) {
    deny(
      `portfolio ${portfolio} is in workspace ${workspace ?? "(unknown)"}, which ASANA_WORKSPACES does not allow`,
    );
  }
  return workspace;
}

/** How many allowed projects a goal is looked for among the goals they support. */
export const GOAL_PROJECT_READS = 10;

/**
 * A goal is checked through its workspace (one GET, under ASANA_WORKSPACES) and, under
 * ASANA_PROJECTS, must be supported by an allowed project, as a task must be in one: the goals each
 * allowed project supports are listed (one page of 100 each, at most GOAL_PROJECT_READS projects)
 * until it is found. Asana answers no goal's supporting projects in the goal itself.
 */
export async function checkGoal(
  policy: Policy,
  goal: string,
  reader: ScopeReader,
): Promise<string | undefined> {
  let workspace: string | undefined;
  if (policy.workspaces) {
    const { data } = await read<{ workspace?: { gid: string } | null }>(
      reader,
      apiPath`/goals/${goal}`,
      "workspace",
    );
    workspace = data.workspace?.gid;
    if (!workspace || !policy.workspaces.has(workspace)) {
      deny(`goal ${goal} is in workspace ${workspace ?? "(unknown)"}, which ASANA_WORKSPACES does not allow`);
    }
  }
  if (!policy.projects) return workspace;
  for (const project of [...policy.projects].slice(0, GOAL_PROJECT_READS)) {
    let supported: Array<{ gid: string }>;
    try {
      ({ data: supported } = await reader.asana.request<Array<{ gid: string }>>(reader.identity(), {
        method: "GET",
        path: "/goals",
        query: { project, limit: 100, opt_fields: "name" },
        signal: reader.signal,
      }));
    } catch (error) {
      // An allowed project the identity cannot see supports no goal it may read.
      if (error instanceof AppError && (error.code === "not_found" || error.code === "forbidden")) continue;
      throw error;
    }
    if (supported.some((g) => g.gid === goal)) return workspace;
  }
  const checked =
    policy.projects.size > GOAL_PROJECT_READS ? ` (the first ${GOAL_PROJECT_READS} checked)` : "";
  deny(`goal ${goal} is supported by no project ASANA_PROJECTS allows${checked}`);
}

/** A tag spans its workspace: it must be the workspace the call touches (and so an allowed one). */
export async function checkTag(
  policy: Policy,
  tag: string,
  home: string,
  reader: ScopeReader,
): Promise<void> {
  const { data } = await read<{ workspace?: { gid: string } | null }>(
    reader,
    apiPath`/tags/${tag}`,
    "workspace",
  );
  const workspace = data.workspace?.gid;
  if (workspace !== home || !workspaceAllowed(policy, workspace)) {
    deny(
      `tag ${tag} is in workspace ${workspace ?? "(unknown)"}, not in workspace ${home} that this call touches`,
    );
  }
}

/**
 * A tag the call changes: it is in no project, and a change to it shows on every task it is on
 * in its workspace, in any project. So under ASANA_PROJECTS it is refused before any read;
 * otherwise its workspace, read from the tag itself (a gid of another kind is Asana's 404), must
 * be allowed.
 */
export async function checkOwnTag(
  policy: Policy,
  tag: string,
  reader: ScopeReader,
): Promise<string | undefined> {
  if (policy.projects) {
    deny(
      `tag ${tag} spans its workspace, across every project (a change to it shows on every task it is on), and ASANA_PROJECTS limits this server to projects ${[...policy.projects].join(", ")}`,
    );
  }
  const { data } = await read<{ workspace?: { gid: string } | null }>(
    reader,
    apiPath`/tags/${tag}`,
    "workspace",
  );
  const workspace = data.workspace?.gid;
  if (!workspace || !workspaceAllowed(policy, workspace)) {
    deny(`tag ${tag} is in workspace ${workspace ?? "(unknown)"}, which ASANA_WORKSPACES does not allow`);
  }
  return workspace;
}

/**
 * A follower or assignee is sent the task's notifications and gains access to it: one who is not
 * a member of the task's workspace would carry it out of the allow-lists (Asana may even invite an
 * unknown email). Asana answers a user's workspaces among those the acting identity shares.
 */
export async function checkUser(user: string, home: string, reader: ScopeReader): Promise<void> {
  let workspaces: string[];
  try {
    const { data } = await read<{ workspaces?: Array<{ gid: string }> | null }>(
      reader,
      apiPath`/users/${user}`,
      "workspaces",
    );
    workspaces = (data.workspaces ?? []).map((w) => w.gid);
  } catch (error) {
    // No such user, or none the identity may see: not a member this server can vouch for.
    if (error instanceof AppError && (error.code === "not_found" || error.code === "forbidden"))
      workspaces = [];
    else throw error;
  }
  if (!workspaces.includes(home)) {
    deny(`user ${user} is not a member of workspace ${home}, which this call touches`);
  }
}

export function read<T>(reader: ScopeReader, path: string, optFields: string) {
  return reader.asana.request<T>(reader.identity(), {
    method: "GET",
    path,
    query: { opt_fields: optFields },
    signal: reader.signal,
  });
}

export function rules(policy: Policy): string {
  return [policy.workspaces && "ASANA_WORKSPACES", policy.projects && "ASANA_PROJECTS"]
    .filter(Boolean)
    .join(" and ");
}

export function deny(message: string): never {
  throw new AppError("policy_denied", `${message}.`);
}

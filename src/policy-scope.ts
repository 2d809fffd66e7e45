// The allow-lists enforced: checkScope refuses (policy_denied) a call whose declared scope leaves
// ASANA_WORKSPACES / ASANA_PROJECTS, with the fewest reads that prove where each object lives.
// Called once per call, by the server's call handler, before any tool runs.
import { type AsanaClient, apiPath } from "./asana/http.js";
import type { Identity } from "./auth/identities.js";
import { AppError } from "./errors.js";
import type { Policy } from "./policy.js";
import {
  checkGoal,
  checkOwnTag,
  checkPortfolio,
  checkTag,
  checkTeam,
  checkTemplate,
  checkUser,
  deny,
  read,
  rules,
} from "./policy-objects.js";
import type { CallScope, Tool } from "./tools/define.js";

export interface ScopeReader {
  asana: AsanaClient;
  /** The identity the tool acts as; its view of Asana decides where an object lives. */
  identity: () => Identity;
  signal: AbortSignal;
  /**
   * Who "me" stands for (the person, src/tools/task-common.ts) and, from their own /users/me, the
   * workspaces they are in: checked like any other user, at no extra request when those are known.
   */
  me?: () => Promise<{ gid: string; workspaces?: string[] }>;
}

/**
 * Refuses (policy_denied) a call whose declared scope leaves the allow-lists. Costs no request
 * without an allow-list; otherwise at most one GET per project (when ASANA_WORKSPACES is set),
 * per task, per section, per attachment, per story (then its task), per tag (none under
 * ASANA_PROJECTS, which refuses it), per portfolio and per goal it names (under ASANA_PROJECTS a
 * goal costs one goals listing per allowed project, at most GOAL_PROJECT_READS), per current parent
 * it changes, per tag and user it adds (one more for the project's workspace under ASANA_PROJECTS
 * alone), up to three per rich-text mention, and, for a delete under ASANA_PROJECTS, one per level
 * of subtasks (at most SUBTASK_READS). Both lists hold together: an object must be in an allowed
 * workspace and, under
 * ASANA_PROJECTS, in an allowed project. Errors of those reads (404, 403…) reach the agent as they
 * are, except where a miss is itself the answer (a user or mention not found).
 */
export async function checkScope(
  policy: Policy,
  tool: Pick<Tool, "name" | "scope" | "filtersByPolicy">,
  scope: CallScope,
  reader: ScopeReader,
): Promise<void> {
  const { workspaces, projects } = policy;
  if (!workspaces && !projects) return;
  if (!tool.scope) return; // touches no workspace object (whoami, the OpenID profile)
  // A project made now has a gid no allow-list can name yet: under ASANA_PROJECTS it would be
  // outside the list from its first moment.
  if (scope.newProject && projects) {
    deny(
      `${tool.name} would make a new project, and ASANA_PROJECTS limits this server to the projects ${[...projects].join(", ")}: a new project would be outside that list. Create it in Asana, or have it configured with ASANA_WORKSPACES instead`,
    );
  }
  if (scope.each !== undefined) return checkEach(policy, tool, scope, reader);

  const touchesObject =
    scope.team !== undefined ||
    scope.template !== undefined ||
    scope.project !== undefined ||
    scope.task !== undefined ||
    scope.section !== undefined ||
    scope.attachment !== undefined ||
    scope.story !== undefined ||
    scope.tag !== undefined ||
    scope.portfolio !== undefined ||
    scope.goal !== undefined ||
    (scope.linkedTasks?.length ?? 0) > 0;
  if (!touchesObject && !tool.filtersByPolicy) {
    if (scope.workspace === undefined) {
      deny(`${tool.name} was called without a workspace, project or task to check against ${rules(policy)}`);
    }
    if (projects) {
      deny(
        `${tool.name} works across workspace ${scope.workspace}, and ASANA_PROJECTS limits this server to projects ${[...projects].join(", ")}`,
      );
    }
  }
  if (scope.workspace !== undefined && workspaces && !workspaces.has(scope.workspace)) {
    deny(`workspace ${scope.workspace} is not one ASANA_WORKSPACES allows (${[...workspaces].join(", ")})`);
  }

  // The workspace the call's objects are in, as the checks below learn it: tags and users are
  // checked against it.
  let home = scope.workspace;
  // A template's and a team's workspace: the same one as the call's (a team of another workspace
  // named beside an allowed workspace is refused), and allowed.
  for (const [kind, gid] of [
    ["template", scope.template],
    ["team", scope.team],
  ] as const) {
    if (gid === undefined) continue;
    const workspace =
      kind === "team"
        ? await checkTeam(policy, gid, home, reader)
        : await checkTemplate(policy, gid, home, reader);
    home ??= workspace;
  }
  // Each check runs whatever `home` already holds (`??=` would skip it).
  if (scope.project !== undefined) {
    const workspace = await checkProject(policy, scope.project, reader);
    home ??= workspace;
  }
  if (scope.section !== undefined) {
    const { data } = await read<{ project?: { gid: string } | null }>(
      reader,
      apiPath`/sections/${scope.section}`,
      "project",
    );
    const project = data.project?.gid;
    if (!project) deny(`section ${scope.section} is in no project this server can check`);
    // A section of the project just checked costs no second check.
    if (project !== scope.project) {
      const workspace = await checkProject(
        policy,
        project,
        reader,
        `section ${scope.section} is in project ${project}, which`,
      );
      home ??= workspace;
    }
  }
  if (scope.attachment !== undefined) {
    const { data } = await read<{ parent?: { gid: string; resource_type?: string } | null }>(
      reader,
      apiPath`/attachments/${scope.attachment}`,
      "parent",
    );
    const parent = data.parent;
    const on = `attachment ${scope.attachment} is on`;
    if (parent?.resource_type === "task")
      await checkTask(policy, parent.gid, reader, { subject: `${on} task ${parent.gid}, which` });
    else if (parent?.resource_type === "project")
      await checkProject(policy, parent.gid, reader, `${on} project ${parent.gid}, which`);
    else
      deny(`${on} ${parent?.resource_type ?? "nothing"}, which ${rules(policy)} cannot be checked against`);
  }
  if (scope.story !== undefined) {
    // A story lives on its target: one read names it, then the task's own checks.
    const { data } = await read<{ target?: { gid: string; resource_type?: string } | null }>(
      reader,
      apiPath`/stories/${scope.story}`,
      "target",
    );
    const target = data.target;
    const on = `story ${scope.story} is on`;
    if (target?.resource_type !== "task") {
      deny(`${on} ${target?.resource_type ?? "nothing"}, which ${rules(policy)} cannot be checked against`);
    }
    const workspace = await checkTask(policy, target.gid, reader, {
      subject: `${on} task ${target.gid}, which`,
    });
    home ??= workspace;
  }
  if (scope.tag !== undefined) home ??= await checkOwnTag(policy, scope.tag, reader);
  if (scope.portfolio !== undefined) {
    home ??= await checkPortfolio(policy, tool, scope.portfolio, reader);
  }
  if (scope.goal !== undefined) {
    home ??= await checkGoal(policy, scope.goal, reader);
  }
  // The main task first (with its current parent when the call changes that too), then each
  // further one once: the first refusal ends the call.
  if (scope.task !== undefined) {
    const workspace = await checkTask(policy, scope.task, reader, {
      currentParent: scope.currentParent === true,
      everyProject: scope.everyProject === true,
    });
    home ??= workspace;
  }
  const further = new Set((scope.linkedTasks ?? []).filter((t) => t !== scope.task));
  for (const task of further) await checkTask(policy, task, reader);

  const tags = [...new Set(scope.tags ?? [])];
  // "me" is a person too: the person may be outside the workspace a bot writes in.
  const named = scope.users ?? [];
  const me = named.includes("me") && reader.me ? await reader.me() : undefined;
  const users = [
    ...new Set(
      named
        .map((u) => (u === "me" && !me?.workspaces ? me?.gid : u))
        .filter((u): u is string => u !== undefined && u !== "me"),
    ),
  ];
  const mentions = [...new Set(scope.mentions ?? [])];
  if (tags.length === 0 && users.length === 0 && mentions.length === 0 && !me) return;
  // Under ASANA_PROJECTS alone a project's workspace has not been read yet.
  if (home === undefined && scope.project !== undefined) {
    const { data } = await read<{ workspace?: { gid: string } | null }>(
      reader,
      apiPath`/projects/${scope.project}`,
      "workspace",
    );
    home = data.workspace?.gid;
  }
  if (home === undefined) deny(`${tool.name} names tags or users but no workspace to check them against`);
  for (const tag of tags) await checkTag(policy, tag, home, reader);
  if (me?.workspaces && !me.workspaces.includes(home)) {
    deny(`"me" (user ${me.gid}) is not a member of workspace ${home}, which this call touches`);
  }
  for (const user of users) await checkUser(user, home, reader);
  for (const mention of mentions) await checkMention(policy, mention, home, reader);
}

/** How many entries a scope's `each` may hold: each costs the reads of a call of its own. */
export const MAX_SCOPE_ENTRIES = 50;

/**
 * A scope of many items: every entry is checked as a call of its own (the same lookups, in order),
 * so one item outside the allow-lists refuses the whole call, naming it. Entries nest no further.
 */
async function checkEach(
  policy: Policy,
  tool: Pick<Tool, "name" | "scope" | "filtersByPolicy">,
  scope: CallScope,
  reader: ScopeReader,
): Promise<void> {
  const { each = [], ...own } = scope;
  if (Object.values(own).some((v) => v !== undefined)) {
    deny(`${tool.name} declares objects of its own beside its items, which this server does not check`);
  }
  if (each.length === 0) deny(`${tool.name} was called without items to check against ${rules(policy)}`);
  if (each.length > MAX_SCOPE_ENTRIES) {
    deny(`${tool.name} names ${each.length} items, more than the ${MAX_SCOPE_ENTRIES} this server checks`);
  }
  for (const [i, entry] of each.entries()) {
    if (entry.each !== undefined)
      deny(`${tool.name}'s item ${i} nests items, which this server does not check`);
    try {
      await checkScope(policy, tool, entry, reader);
    } catch (error) {
      // Refusals and the lookups' own errors (a 404) alike name the item they are about.
      if (!(error instanceof AppError)) throw error;
      const { code, hint, retryable, requestId, status } = error;
      throw new AppError(code, `item ${i}: ${error.message}`, { hint, retryable, requestId, status });
    }
  }
}

async function checkProject(
  policy: Policy,
  project: string,
  reader: ScopeReader,
  subject?: string,
): Promise<string | undefined> {
  const { workspaces, projects } = policy;
  const what = subject ? `${subject} is` : `project ${project} is`;
  if (projects && !projects.has(project)) {
    deny(subject ? `${subject} is not in ASANA_PROJECTS` : `project ${project} is not in ASANA_PROJECTS`);
  }
  // Listed or not, a project outside the allowed workspaces is outside: both lists hold.
  if (workspaces) {
    const { data } = await read<{ workspace?: { gid: string } | null }>(
      reader,
      apiPath`/projects/${project}`,
      "workspace",
    );
    const workspace = data.workspace?.gid;
    if (!workspace || !workspaces.has(workspace)) {
      deny(`${what} in workspace ${workspace ?? "(unknown)"}, which ASANA_WORKSPACES does not allow`);
    }
    return workspace;
  }
  return undefined;
}

interface TaskPlace {
  workspace?: { gid: string } | null;
  projects?: Array<{ gid: string }> | null;
}

async function checkTask(
  policy: Policy,
  task: string,
  reader: ScopeReader,
  options: { subject?: string; currentParent?: boolean; everyProject?: boolean } = {},
): Promise<string | undefined> {
  // Detaching or re-parenting changes the current parent too: it is named in the same read, then
  // read itself (Asana offers no parent.projects on a task).
  const { data } = await read<TaskPlace & { parent?: { gid: string } | null }>(
    reader,
    apiPath`/tasks/${task}`,
    options.currentParent || policy.projects ? "workspace,projects,parent" : "workspace,projects",
  );
  judgeTask(
    policy,
    await placeOf(policy, data, reader),
    options.subject ? `${options.subject} is` : `task ${task} is`,
  );
  if (options.everyProject && policy.projects) {
    const outside = (data.projects ?? []).filter((p) => !policy.projects?.has(p.gid)).length;
    if (outside > 0) {
      throw new AppError(
        "policy_denied",
        `task ${task} is also in ${outside} project${outside === 1 ? "" : "s"} outside ASANA_PROJECTS, and deleting it would delete it there too.`,
        {
          hint: "To take it out of an allowed project only, use move_task with action remove_from_project.",
        },
      );
    }
  }
  if (options.everyProject && policy.projects) await checkSubtasks(policy, task, reader);
  const parent = options.currentParent ? data.parent?.gid : undefined;
  if (parent) {
    const { data: place } = await read<TaskPlace>(reader, apiPath`/tasks/${parent}`, "workspace,projects");
    judgeTask(policy, place, `task ${task}'s current parent ${parent} is`);
  }
  return data.workspace?.gid;
}

/** How many subtask listings a delete reads before it refuses as unchecked. */
const SUBTASK_READS = 10;

/**
 * Deleting a task deletes its subtasks with it: under ASANA_PROJECTS each of them, at any depth,
 * must be in allowed projects only (or in none: then it lives under the task alone). One listing
 * per task that has subtasks, at most SUBTASK_READS of them.
 */
async function checkSubtasks(policy: Policy, task: string, reader: ScopeReader): Promise<void> {
  const queue = [task];
  for (let reads = 0; queue.length > 0; reads++) {
    const parent = queue.shift() as string;
    if (reads === SUBTASK_READS) {
      deny(
        `task ${task} has more subtasks than this server checks before a delete; delete its subtasks first`,
      );
    }
    const { data, nextPage } = await reader.asana.request<
      Array<{ gid: string; projects?: Array<{ gid: string }> | null; num_subtasks?: number }>
    >(reader.identity(), {
      method: "GET",
      path: apiPath`/tasks/${parent}/subtasks`,
      query: { limit: 100, opt_fields: "projects,num_subtasks" },
      signal: reader.signal,
    });
    if (nextPage?.offset) {
      deny(
        `task ${task} has more subtasks than this server checks before a delete; delete its subtasks first`,
      );
    }
    for (const sub of data) {
      if ((sub.projects ?? []).some((p) => !policy.projects?.has(p.gid))) {
        throw new AppError(
          "policy_denied",
          `task ${task}'s subtask ${sub.gid} is in a project outside ASANA_PROJECTS, and deleting the task would delete it too.`,
          {
            hint: "The subtask belongs to a project this server may not change, so it can neither delete nor detach it: leave the task, or have the subtask detached in Asana first.",
          },
        );
      }
      if ((sub.num_subtasks ?? 0) > 0) queue.push(sub.gid);
    }
  }
}

/**
 * A mention is of a user, a task or a project (Asana's gids are unique across kinds, and no
 * request answers the kind of a gid): tried in that order, each miss a 404.
 */
async function checkMention(policy: Policy, gid: string, home: string, reader: ScopeReader): Promise<void> {
  if (!/^[0-9]+$/.test(gid)) deny(`rich text mentions "${gid}", which is not a gid`);
  // Asana may answer a gid of another kind with a 400 rather than a 404: a miss all the same.
  const missing = (error: unknown) =>
    error instanceof AppError && ["not_found", "forbidden", "asana_bad_request"].includes(error.code);
  try {
    const { data } = await read<{ workspaces?: Array<{ gid: string }> | null }>(
      reader,
      apiPath`/users/${gid}`,
      "workspaces",
    );
    if (!(data.workspaces ?? []).some((w) => w.gid === home)) {
      deny(
        `rich text mentions user ${gid}, who is not a member of workspace ${home}, which this call touches`,
      );
    }
    return;
  } catch (error) {
    if (!missing(error)) throw error;
  }
  try {
    await checkTask(policy, gid, reader, { subject: `rich text mentions task ${gid}, which` });
    return;
  } catch (error) {
    if (!missing(error)) throw error;
  }
  try {
    await checkProject(policy, gid, reader, `rich text mentions project ${gid}, which`);
    // Under ASANA_PROJECTS alone a listed gid passes unread: it is one of the allowed projects.
    return;
  } catch (error) {
    if (!missing(error)) throw error;
  }
  deny(`rich text mentions ${gid}, which is no user, task or project this server can check`);
}

/** How far up a subtask in no project is followed to the ancestor that is in one. */
const ANCESTOR_READS = 20;

/**
 * Where a task lives for ASANA_PROJECTS: a subtask in no project lives under its parent alone
 * (list_tasks shows it there, create_task makes it there), so it is judged by its nearest
 * ancestor that is in a project; one read per level, at most ANCESTOR_READS.
 */
async function placeOf(
  policy: Policy,
  data: TaskPlace & { parent?: { gid: string } | null },
  reader: ScopeReader,
): Promise<TaskPlace> {
  let place = data;
  for (let level = 0; level < ANCESTOR_READS; level++) {
    if (!policy.projects || (place.projects ?? []).length > 0 || !place.parent) return place;
    const { data: parent } = await read<TaskPlace & { parent?: { gid: string } | null }>(
      reader,
      apiPath`/tasks/${place.parent.gid}`,
      "workspace,projects,parent",
    );
    // The workspace stays the task's own: a parent is always in the same one.
    place = { ...parent, workspace: data.workspace ?? parent.workspace };
  }
  return place;
}

function judgeTask(policy: Policy, data: TaskPlace, what: string): void {
  const { workspaces, projects } = policy;
  const workspace = data.workspace?.gid;
  if (workspaces && (!workspace || !workspaces.has(workspace))) {
    deny(`${what} in workspace ${workspace ?? "(unknown)"}, which ASANA_WORKSPACES does not allow`);
  }
  if (projects) {
    const taskProjects = (data.projects ?? []).map((p) => p.gid);
    // Outside projects stay unnamed: their gids are theirs, not this server's to show.
    if (!taskProjects.some((gid) => projects.has(gid))) {
      deny(
        `${what} in ${taskProjects.length ? `no project ASANA_PROJECTS allows (${[...projects].join(", ")})` : "no project, so in none ASANA_PROJECTS allows"}`,
      );
    }
  }
}

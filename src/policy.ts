// What this server may do, whatever the token could: read-only mode, a tool allow-list, and
// workspace / project allow-lists. Asana tokens reach every workspace their owner can see;
// this is the scoping Asana does not offer. Enforced in one place, the server's call handler,
// before any tool runs, from each tool's kind and its declared scope().
import { type AsanaClient, apiPath } from "./asana/http.js";
import type { Identity } from "./auth/identities.js";
import { type Config, ConfigError } from "./config.js";
import { AppError } from "./errors.js";
import type { CallScope, Tool } from "./tools/define.js";

export interface Policy {
  readOnly: boolean;
  /** ASANA_TOOLS; undefined exposes every tool. */
  tools?: ReadonlySet<string>;
  /** ASANA_WORKSPACES; undefined allows every workspace. */
  workspaces?: ReadonlySet<string>;
  /** ASANA_PROJECTS; undefined allows every project. */
  projects?: ReadonlySet<string>;
}

/** The policy of a configuration; unknown names in ASANA_TOOLS stop start-up. */
export function buildPolicy(
  config: Pick<Config, "readOnly" | "tools" | "workspaces" | "projects">,
  tools: ReadonlyArray<Pick<Tool, "name">>,
): Policy {
  if (config.tools) {
    const known = tools.map((tool) => tool.name);
    const unknown = config.tools.filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      throw new ConfigError(
        `ASANA_TOOLS names ${unknown.length > 1 ? "unknown tools" : "an unknown tool"} ${unknown.join(", ")}; valid names: ${known.join(", ")}.`,
      );
    }
  }
  return {
    readOnly: config.readOnly,
    ...(config.tools ? { tools: new Set(config.tools) } : {}),
    ...(config.workspaces ? { workspaces: new Set(config.workspaces) } : {}),
    ...(config.projects ? { projects: new Set(config.projects) } : {}),
  };
}

/** Why the policy refuses this tool whatever its arguments, or undefined when it may run. */
export function toolRefusal(policy: Policy, tool: Pick<Tool, "name" | "kind">): string | undefined {
  if (policy.readOnly && tool.kind !== "read") {
    return `${tool.name} is a ${tool.kind} tool, and ASANA_READ_ONLY=true makes this server read-only.`;
  }
  if (policy.tools && !policy.tools.has(tool.name)) {
    return `${tool.name} is not in ASANA_TOOLS, which exposes only ${[...policy.tools].join(", ")}.`;
  }
  return undefined;
}

/** Whether tools/list shows the tool: exactly the tools that are not refused outright. */
export function isExposed(policy: Policy, tool: Pick<Tool, "name" | "kind">): boolean {
  return toolRefusal(policy, tool) === undefined;
}

export function hasAllowList(policy: Policy): boolean {
  return policy.workspaces !== undefined || policy.projects !== undefined;
}

/** Whether a project gid may appear in a listing (ASANA_PROJECTS, when set). */
export function projectListed(policy: Policy, projectGid: string): boolean {
  return policy.projects === undefined || policy.projects.has(projectGid);
}

/** Whether a workspace gid may be touched (ASANA_WORKSPACES, when set). */
export function workspaceAllowed(policy: Policy, workspaceGid: string): boolean {
  return policy.workspaces === undefined || policy.workspaces.has(workspaceGid);
}

/** What whoami shows. */
export function describePolicy(policy: Policy, auditLog: string | undefined) {
  const sorted = (set: ReadonlySet<string> | undefined) => (set ? [...set].sort() : null);
  return {
    read_only: policy.readOnly,
    tools: sorted(policy.tools),
    workspaces: sorted(policy.workspaces),
    projects: sorted(policy.projects),
    audit_log: auditLog ?? null,
  };
}

export interface ScopeReader {
  asana: AsanaClient;
  /** The identity the tool acts as; its view of Asana decides where an object lives. */
  identity: () => Identity;
  signal: AbortSignal;
}

/**
 * Refuses (policy_denied) a call whose declared scope leaves the allow-lists. Costs no request
 * without an allow-list; otherwise at most one GET per project (when only workspaces are
 * restricted) and one per task. Errors of those reads (404, 403…) reach the agent as they are.
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

  const touchesObject = scope.project !== undefined || scope.task !== undefined;
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

  if (scope.project !== undefined) {
    if (projects) {
      if (!projects.has(scope.project)) deny(`project ${scope.project} is not in ASANA_PROJECTS`);
    } else if (workspaces) {
      const { data } = await reader.asana.request<{ workspace?: { gid: string } | null }>(reader.identity(), {
        method: "GET",
        path: apiPath`/projects/${scope.project}`,
        query: { opt_fields: "workspace" },
        signal: reader.signal,
      });
      const workspace = data.workspace?.gid;
      if (!workspace || !workspaces.has(workspace)) {
        deny(
          `project ${scope.project} is in workspace ${workspace ?? "(unknown)"}, which ASANA_WORKSPACES does not allow`,
        );
      }
    }
  }

  if (scope.task !== undefined) {
    const { data } = await reader.asana.request<{
      workspace?: { gid: string } | null;
      projects?: Array<{ gid: string }> | null;
    }>(reader.identity(), {
      method: "GET",
      path: apiPath`/tasks/${scope.task}`,
      query: { opt_fields: "workspace,projects" },
      signal: reader.signal,
    });
    const workspace = data.workspace?.gid;
    if (workspaces && (!workspace || !workspaces.has(workspace))) {
      deny(
        `task ${scope.task} is in workspace ${workspace ?? "(unknown)"}, which ASANA_WORKSPACES does not allow`,
      );
    }
    if (projects) {
      const taskProjects = (data.projects ?? []).map((p) => p.gid);
      if (!taskProjects.some((gid) => projects.has(gid))) {
        deny(
          `task ${scope.task} is in ${taskProjects.length ? `projects ${taskProjects.join(", ")}` : "no project"}, none of which ASANA_PROJECTS allows`,
        );
      }
    }
  }
}

function rules(policy: Policy): string {
  return [policy.workspaces && "ASANA_WORKSPACES", policy.projects && "ASANA_PROJECTS"]
    .filter(Boolean)
    .join(" and ");
}

function deny(message: string): never {
  throw new AppError("policy_denied", `${message}.`);
}

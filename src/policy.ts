// What this server may do, whatever the token could: read-only mode, a tool allow-list, and
// workspace / project allow-lists. Asana tokens reach every workspace their owner can see;
// this is the scoping Asana does not offer. The policy and the rules read from it live here;
// src/policy-scope.ts enforces the allow-lists in one place, the server's call handler, before
// any tool runs, from each tool's kind and its declared scope().
import { type Config, ConfigError } from "./config.js";
import type { Tool } from "./tools/define.js";
import { decodeEntities } from "./tools/rich-text.js";
import { TOOLSET_NAMES, type ToolsetName } from "./tools/toolsets.js";

export interface Policy {
  readOnly: boolean;
  /** ASANA_TOOLS; undefined exposes every tool of the toolsets that are on. */
  tools?: ReadonlySet<string>;
  /** The toolsets on (ASANA_TOOLSETS); a session may turn more on (enable_toolset). */
  toolsets: ReadonlySet<ToolsetName>;
  /** ASANA_WORKSPACES; undefined allows every workspace. */
  workspaces?: ReadonlySet<string>;
  /** ASANA_PROJECTS; undefined allows every project. */
  projects?: ReadonlySet<string>;
}

/** The policy of a configuration; unknown names in ASANA_TOOLS stop start-up. */
export function buildPolicy(
  config: Pick<Config, "readOnly" | "tools" | "workspaces" | "projects"> & Partial<Pick<Config, "toolsets">>,
  tools: ReadonlyArray<Pick<Tool, "name" | "toolset">>,
): Policy {
  const toolsets = new Set(config.toolsets ?? TOOLSET_NAMES);
  if (config.tools) {
    const known = tools.map((tool) => tool.name);
    const unknown = config.tools.filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      throw new ConfigError(
        `ASANA_TOOLS names ${unknown.length > 1 ? "unknown tools" : "an unknown tool"} ${unknown.join(", ")}; valid names: ${known.join(", ")}.`,
      );
    }
    // Both set: ASANA_TOOLS narrows the toolsets, so a tool of a set that is off is a mistake.
    const outside = tools.filter(
      (tool) => config.tools?.includes(tool.name) && tool.toolset !== "core" && !toolsets.has(tool.toolset),
    );
    if (outside.length > 0) {
      const sets = [...new Set(outside.map((tool) => tool.toolset))];
      throw new ConfigError(
        `ASANA_TOOLS names ${outside.map((tool) => tool.name).join(", ")}, of the ${sets.join(", ")} toolset${sets.length > 1 ? "s" : ""}, which ASANA_TOOLSETS leaves off: add ${sets.join(",")} to ASANA_TOOLSETS, or leave ASANA_TOOLSETS unset.`,
      );
    }
  }
  return {
    readOnly: config.readOnly,
    toolsets,
    ...(config.tools ? { tools: new Set(config.tools) } : {}),
    ...(config.workspaces ? { workspaces: new Set(config.workspaces) } : {}),
    ...(config.projects ? { projects: new Set(config.projects) } : {}),
  };
}

/** Why the policy refuses this tool whatever its arguments, or undefined when it may run. */
export function toolRefusal(
  policy: Policy,
  tool: Pick<Tool, "name" | "kind" | "toolset">,
): string | undefined {
  if (policy.readOnly && tool.kind !== "read") {
    return `${tool.name} is a ${tool.kind} tool, and ASANA_READ_ONLY=true makes this server read-only.`;
  }
  if (policy.tools && !policy.tools.has(tool.name)) {
    return `${tool.name} is not in ASANA_TOOLS, which exposes only ${[...policy.tools].join(", ")}.`;
  }
  if (tool.toolset !== "core" && !policy.toolsets.has(tool.toolset)) {
    return `${tool.name} is in the ${tool.toolset} toolset, which is off: turn it on with enable_toolset, or add ${tool.toolset} to ASANA_TOOLSETS.`;
  }
  return undefined;
}

/** Whether tools/list shows the tool: exactly the tools that are not refused outright. */
export function isExposed(policy: Policy, tool: Pick<Tool, "name" | "kind" | "toolset">): boolean {
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

/**
 * The gids rich text refers to: mentions (`data-asana-gid`) and link contexts
 * (`data-asana-project`), with entities decoded as Asana decodes them, so an encoded gid is found
 * too; tag contexts (`data-asana-tag`) apart.
 */
export function mentionsIn(html: string | undefined): { mentions: string[]; tags: string[] } {
  const mentions: string[] = [];
  const tags: string[] = [];
  if (html === undefined) return { mentions, tags };
  // data-gid too: inline images name their attachment that way, and an unknown kind fails closed.
  const attribute = /data-(?:asana-)?(gid|project|tag)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
  for (const match of html.matchAll(attribute)) {
    const value = decodeEntities(match[2] ?? match[3] ?? "").trim();
    if (match[1]?.toLowerCase() === "tag") tags.push(value);
    else mentions.push(value);
  }
  return { mentions, tags };
}

/** The projects of a task that the allow-lists let a result show, and how many others it is in. */
export function allowedProjects<T>(
  policy: Policy,
  items: readonly T[],
  gidOf: (item: T) => string | undefined,
): { shown: T[]; outside: number } {
  // A task's projects are all in its own workspace, which checkScope has already allowed, so
  // only ASANA_PROJECTS can leave some of them outside.
  const shown = items.filter((item) => {
    const gid = gidOf(item);
    return gid !== undefined && projectListed(policy, gid);
  });
  return { shown, outside: items.length - shown.length };
}

/** What a result says in place of the projects it leaves out. */
export function outsideNote(outside: number): string | undefined {
  if (outside === 0) return undefined;
  return `and ${outside} project${outside === 1 ? "" : "s"} outside this server's allow-list`;
}

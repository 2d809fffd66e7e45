// Toolsets: the tools in named groups, so a conversation pays in tools/list only for the sets it
// turned on. `tasks` is on by default; ASANA_TOOLSETS chooses others (`all` for every set), and
// enable_toolset turns one on at run time where the client follows tools/list_changed.

export const TOOLSET_NAMES = ["tasks", "batch", "projects", "portfolios", "attachments", "tags"] as const;
export type ToolsetName = (typeof TOOLSET_NAMES)[number];

export const DEFAULT_TOOLSETS: readonly ToolsetName[] = ["tasks"];

/**
 * Where a tool lives: a toolset, or `core` for the few that every conversation needs whichever
 * sets are on (whoami, so an agent can always learn whose name its actions carry, and
 * enable_toolset). Core is not a set: ASANA_TOOLSETS cannot name it or leave it off, though
 * ASANA_TOOLS still narrows it like any tool.
 */
export type ToolHome = ToolsetName | "core";

/** What each set offers, as whoami and the server's instructions tell an agent. */
export const TOOLSET_SUMMARIES: Record<ToolsetName, string> = {
  tasks: "find, read, create, update, move, link and delete tasks; comment, edit and delete comments",
  batch: "create, update or move many tasks in one call",
  projects:
    "create and update projects and their members; create, rename, reorder and delete sections; post status updates",
  portfolios: "read portfolios with their items' status, and goals with their metrics and status",
  attachments: "list and read attachments; attach a local file or a link to a task or project",
  tags: "create and update tags",
};

export function isToolsetName(name: string): name is ToolsetName {
  return (TOOLSET_NAMES as readonly string[]).includes(name);
}

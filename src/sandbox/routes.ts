/** Every endpoint the sandbox answers. Order matters only for readability: templates never overlap. */

import { createAttachment, getAttachment, getAttachments } from "./routes-attachments.js";
import { createBatch } from "./routes-batch.js";
import { getFieldSettings, getWorkspaceFields } from "./routes-custom-fields.js";
import { portfolioRoutes } from "./routes-portfolios.js";
import {
  createProjectIn,
  editMembers,
  getJob,
  getMemberships,
  getTemplate,
  getTemplates,
  instantiateProject,
  updateProject,
} from "./routes-project-writes.js";
import {
  createSection,
  createStatus,
  getProject,
  getProjects,
  getSection,
  getSections,
  getStatuses,
  projectList,
} from "./routes-projects.js";
import { search } from "./routes-search.js";
import { deleteSection, insertSection, updateSection } from "./routes-section-writes.js";
import { createStoryForTask, getStoriesForTask, getStory } from "./routes-stories.js";
import { deleteStory, updateStory } from "./routes-story-edits.js";
import { createTag, createTagForWorkspace, updateTag } from "./routes-tags.js";
import {
  addProject,
  addToSection,
  dependencyEdit,
  followerEdit,
  removeProject,
  setParent,
  tagEdit,
} from "./routes-task-links.js";
import {
  createSubtask,
  createTask,
  deleteTask,
  getProjectTasks,
  getSubtasks,
  getTask,
  getTasks,
  updateTask,
} from "./routes-tasks.js";
import {
  getAgents,
  getOpenIdUserInfo,
  getTag,
  getTags,
  getTagTasks,
  getTeams,
  getUser,
  getUsers,
  getUsersPaged,
  getWorkspace,
  getWorkspaces,
} from "./routes-users.js";
import { capitalize, param, type Route } from "./routing.js";
import { typeaheadRoutes } from "./typeahead.js";

/** Order matters only for readability: templates never overlap. Add new endpoints here. */
export const ROUTES: readonly Route[] = [
  { method: "GET", path: "/users/:user_gid", scope: "users:read", handler: getUser },
  { method: "GET", path: "/workspaces", scope: "workspaces:read", handler: getWorkspaces },
  { method: "GET", path: "/workspaces/:workspace_gid", scope: "workspaces:read", handler: getWorkspace },
  {
    method: "GET",
    path: "/workspaces/:workspace_gid/projects",
    scope: "projects:read",
    handler: (ctx) => projectList(ctx, { workspace: param(ctx, "workspace_gid") }),
  },
  {
    method: "GET",
    path: "/teams/:team_gid/projects",
    scope: "projects:read",
    handler: (ctx) => projectList(ctx, { team: param(ctx, "team_gid") }),
  },
  { method: "GET", path: "/projects", scope: "projects:read", handler: getProjects },
  { method: "GET", path: "/projects/:project_gid", scope: "projects:read", handler: getProject },
  { method: "GET", path: "/tasks/:task_gid", scope: "tasks:read", handler: getTask },
  { method: "GET", path: "/tasks/:task_gid/stories", scope: "stories:read", handler: getStoriesForTask },
  { method: "POST", path: "/tasks/:task_gid/stories", scope: "stories:write", handler: createStoryForTask },
  { method: "GET", path: "/stories/:story_gid", scope: "stories:read", handler: getStory },
  { method: "PUT", path: "/stories/:story_gid", scope: "stories:write", handler: updateStory },
  { method: "DELETE", path: "/stories/:story_gid", scope: "stories:delete", handler: deleteStory },
  { method: "GET", path: "/openid_connect/userinfo", handler: getOpenIdUserInfo },
  ...worldRoutes(),
  ...portfolioRoutes(),
  // No scope of its own (the spec names none): each action is dispatched to its route, whose scope
  // it needs, as Asana dispatches actions "to the already-implemented endpoints".
  { method: "POST", path: "/batch", handler: createBatch },
];

export function worldRoutes(): Route[] {
  return [
    { method: "GET", path: "/tasks", scope: "tasks:read", handler: getTasks },
    { method: "POST", path: "/tasks", scope: "tasks:write", handler: createTask },
    { method: "PUT", path: "/tasks/:task_gid", scope: "tasks:write", handler: updateTask },
    { method: "DELETE", path: "/tasks/:task_gid", scope: "tasks:delete", handler: deleteTask },
    { method: "GET", path: "/tasks/:task_gid/subtasks", scope: "tasks:read", handler: getSubtasks },
    { method: "POST", path: "/tasks/:task_gid/subtasks", scope: "tasks:write", handler: createSubtask },
    { method: "GET", path: "/projects/:project_gid/tasks", scope: "tasks:read", handler: getProjectTasks },
    { method: "POST", path: "/tasks/:task_gid/setParent", scope: "tasks:write", handler: setParent },
    { method: "POST", path: "/tasks/:task_gid/addProject", scope: "tasks:write", handler: addProject },
    { method: "POST", path: "/tasks/:task_gid/removeProject", scope: "tasks:write", handler: removeProject },
    { method: "POST", path: "/tasks/:task_gid/addTag", scope: "tasks:write", handler: tagEdit(true) },
    { method: "POST", path: "/tasks/:task_gid/removeTag", scope: "tasks:write", handler: tagEdit(false) },
    {
      method: "POST",
      path: "/tasks/:task_gid/addFollowers",
      scope: "tasks:write",
      handler: followerEdit(true),
    },
    {
      method: "POST",
      path: "/tasks/:task_gid/removeFollowers",
      scope: "tasks:write",
      handler: followerEdit(false),
    },
    ...(["dependencies", "dependents"] as const).flatMap((kind): Route[] => [
      {
        method: "POST",
        path: `/tasks/:task_gid/add${capitalize(kind)}`,
        scope: "tasks:write",
        handler: dependencyEdit(kind, true),
      },
      {
        method: "POST",
        path: `/tasks/:task_gid/remove${capitalize(kind)}`,
        scope: "tasks:write",
        handler: dependencyEdit(kind, false),
      },
    ]),
    { method: "GET", path: "/workspaces/:workspace_gid/tasks/search", scope: "tasks:read", handler: search },
    // Asana's spec names no granular scope for sections and status updates (`oauth2: []`): only a
    // token with Full permissions (`default`) reaches them.
    { method: "GET", path: "/projects/:project_gid/sections", scope: "default", handler: getSections },
    {
      method: "POST",
      path: "/projects/:project_gid/sections",
      scope: "default",
      handler: createSection,
    },
    { method: "GET", path: "/sections/:section_gid", scope: "default", handler: getSection },
    { method: "POST", path: "/sections/:section_gid/addTask", scope: "tasks:write", handler: addToSection },
    {
      method: "GET",
      path: "/projects/:project_gid/custom_field_settings",
      scope: "projects:read",
      handler: getFieldSettings,
    },
    {
      method: "GET",
      path: "/workspaces/:workspace_gid/custom_fields",
      scope: "custom_fields:read",
      handler: getWorkspaceFields,
    },
    { method: "GET", path: "/workspaces/:workspace_gid/tags", scope: "tags:read", handler: getTags },
    // The spec names no scope for the agents listing: Full permissions (default) only. Asana's
    // reference puts it in early access, opted into with `Asana-Enable: ai_teammate_actors`.
    {
      method: "GET",
      path: "/workspaces/:workspace_gid/agents",
      scope: "default",
      enable: "ai_teammate_actors",
      handler: getAgents,
    },
    { method: "GET", path: "/tags/:tag_gid", scope: "tags:read", handler: getTag },
    { method: "GET", path: "/tags/:tag_gid/tasks", scope: "tasks:read", handler: getTagTasks },
    { method: "POST", path: "/tags", scope: "tags:write", handler: createTag },
    {
      method: "POST",
      path: "/workspaces/:workspace_gid/tags",
      scope: "tags:write",
      handler: createTagForWorkspace,
    },
    { method: "PUT", path: "/tags/:tag_gid", scope: "tags:write", handler: updateTag },
    { method: "GET", path: "/workspaces/:workspace_gid/users", scope: "users:read", handler: getUsers },
    { method: "GET", path: "/users", scope: "users:read", handler: getUsersPaged },
    { method: "GET", path: "/workspaces/:workspace_gid/teams", scope: "teams:read", handler: getTeams },
    { method: "GET", path: "/attachments", scope: "attachments:read", handler: getAttachments },
    {
      method: "GET",
      path: "/attachments/:attachment_gid",
      scope: "attachments:read",
      handler: getAttachment,
    },
    {
      method: "POST",
      path: "/attachments",
      scope: "attachments:write",
      multipart: true,
      handler: createAttachment,
    },
    { method: "GET", path: "/status_updates", scope: "default", handler: getStatuses },
    ...typeaheadRoutes(),
    ...projectWriteRoutes(),
    {
      method: "POST",
      path: "/status_updates",
      scope: "default",
      handler: createStatus,
    },
  ];
}

/** Project and section writes, project templates, jobs and memberships (routes-project-writes.ts). */
function projectWriteRoutes(): Route[] {
  const write = "projects:write";
  return [
    { method: "POST", path: "/projects", scope: write, handler: createProjectIn("body") },
    {
      method: "POST",
      path: "/workspaces/:workspace_gid/projects",
      scope: write,
      handler: createProjectIn("workspace"),
    },
    { method: "POST", path: "/teams/:team_gid/projects", scope: write, handler: createProjectIn("team") },
    { method: "PUT", path: "/projects/:project_gid", scope: write, handler: updateProject },
    { method: "GET", path: "/project_templates", scope: "project_templates:read", handler: getTemplates },
    {
      method: "GET",
      path: "/project_templates/:project_template_gid",
      scope: "project_templates:read",
      handler: getTemplate,
    },
    {
      method: "POST",
      path: "/project_templates/:project_template_gid/instantiateProject",
      scope: write,
      handler: instantiateProject,
    },
    { method: "GET", path: "/jobs/:job_gid", scope: "jobs:read", handler: getJob },
    // No granular scope in the spec for these (`oauth2: []`): Full permissions only.
    {
      method: "POST",
      path: "/projects/:project_gid/addMembers",
      scope: "default",
      handler: editMembers(true),
    },
    {
      method: "POST",
      path: "/projects/:project_gid/removeMembers",
      scope: "default",
      handler: editMembers(false),
    },
    { method: "GET", path: "/memberships", scope: "default", handler: getMemberships },
    { method: "PUT", path: "/sections/:section_gid", scope: "default", handler: updateSection },
    { method: "DELETE", path: "/sections/:section_gid", scope: "default", handler: deleteSection },
    {
      method: "POST",
      path: "/projects/:project_gid/sections/insert",
      scope: "default",
      handler: insertSection,
    },
  ];
}

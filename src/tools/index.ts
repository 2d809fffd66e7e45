import { createComment } from "./create-comment.js";
import type { Tool } from "./define.js";
import { listProjects } from "./list-projects.js";
import { oidcUserinfo } from "./oidc-userinfo.js";
import { getAttachment, getProject, listWorkspace } from "./project-reads.js";
import { createSection, createStatusUpdate } from "./project-writes.js";
import { getTask, listComments, listTasks, searchTasks } from "./task-reads.js";
import { createTask, deleteTask, linkTask, moveTask, updateTask } from "./task-writes.js";
import { whoami } from "./whoami.js";

/** Every tool, in the order tools/list shows them. */
export const ALL_TOOLS: readonly Tool[] = [
  whoami,
  listProjects,
  getProject,
  listWorkspace,
  searchTasks,
  listTasks,
  getTask,
  listComments,
  getAttachment,
  createTask,
  updateTask,
  moveTask,
  linkTask,
  createComment,
  createSection,
  createStatusUpdate,
  deleteTask,
  oidcUserinfo,
];

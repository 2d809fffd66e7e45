import { batchTasks } from "./batch-tasks.js";
import { createComment } from "./create-comment.js";
import { createSection } from "./create-section.js";
import { createStatusUpdate } from "./create-status-update.js";
import { createTask } from "./create-task.js";
import type { Tool } from "./define.js";
import { deleteComment } from "./delete-comment.js";
import { deleteTask } from "./delete-task.js";
import { enableToolset } from "./enable-toolset.js";
import { find } from "./find.js";
import { getAttachment } from "./get-attachment.js";
import { getProject } from "./get-project.js";
import { getTask } from "./get-task.js";
import { listComments } from "./list-comments.js";
import { listProjects } from "./list-projects.js";
import { listTasks } from "./list-tasks.js";
import { listWorkspace } from "./list-workspace.js";
import { moveTask } from "./move-task.js";
import { oidcUserinfo } from "./oidc-userinfo.js";
import { searchTasks } from "./search-tasks.js";
import { taskLinks } from "./task-links.js";
import { updateComment } from "./update-comment.js";
import { updateTask } from "./update-task.js";
import { whoami } from "./whoami.js";

/** Every tool, in the order tools/list shows them. */
export const ALL_TOOLS: readonly Tool[] = [
  whoami,
  listProjects,
  find,
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
  taskLinks,
  createComment,
  createSection,
  createStatusUpdate,
  deleteTask,
  oidcUserinfo,
  enableToolset,
  updateComment,
  deleteComment,
  batchTasks,
];

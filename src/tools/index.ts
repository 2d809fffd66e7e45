import { batchTasks } from "./batch-tasks.js";
import { createComment } from "./create-comment.js";
import { createProject } from "./create-project.js";
import { createSection } from "./create-section.js";
import { createStatusUpdate } from "./create-status-update.js";
import { createTag } from "./create-tag.js";
import { createTask } from "./create-task.js";
import type { Tool } from "./define.js";
import { deleteComment } from "./delete-comment.js";
import { deleteSection } from "./delete-section.js";
import { deleteTask } from "./delete-task.js";
import { enableToolset } from "./enable-toolset.js";
import { find } from "./find.js";
import { getAttachment } from "./get-attachment.js";
import { getGoal } from "./get-goal.js";
import { getPortfolio } from "./get-portfolio.js";
import { getProject } from "./get-project.js";
import { getTask } from "./get-task.js";
import { listAttachments } from "./list-attachments.js";
import { listComments } from "./list-comments.js";
import { listGoals } from "./list-goals.js";
import { listPortfolios } from "./list-portfolios.js";
import { listProjectMembers } from "./list-project-members.js";
import { listProjects } from "./list-projects.js";
import { listTasks } from "./list-tasks.js";
import { listWorkspace } from "./list-workspace.js";
import { moveTask } from "./move-task.js";
import { oidcUserinfo } from "./oidc-userinfo.js";
import { projectMembers } from "./project-members.js";
import { searchTasks } from "./search-tasks.js";
import { taskLinks } from "./task-links.js";
import { updateComment } from "./update-comment.js";
import { updateProject } from "./update-project.js";
import { updateSection } from "./update-section.js";
import { updateTag } from "./update-tag.js";
import { updateTask } from "./update-task.js";
import { uploadAttachment } from "./upload-attachment.js";
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
  listAttachments,
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
  createTag,
  updateTag,
  listPortfolios,
  getPortfolio,
  listGoals,
  getGoal,
  createProject,
  updateProject,
  projectMembers,
  listProjectMembers,
  updateSection,
  deleteSection,
  uploadAttachment,
  batchTasks,
];

import { createComment } from "./create-comment.js";
import type { Tool } from "./define.js";
import { listProjects } from "./list-projects.js";
import { oidcUserinfo } from "./oidc-userinfo.js";
import { whoami } from "./whoami.js";

/** Every tool, in the order tools/list shows them. */
export const ALL_TOOLS: readonly Tool[] = [whoami, listProjects, createComment, oidcUserinfo];

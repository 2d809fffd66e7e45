/** Custom fields of a workspace and custom field settings of a project. */
import type { Reply } from "./model.js";
import { type HandlerContext, list, param, projectOf } from "./routing.js";
import { projectSettings } from "./views-world.js";

export function getFieldSettings(ctx: HandlerContext): Reply {
  const project = projectOf(ctx, param(ctx, "project_gid"));
  return list(
    ctx,
    "custom_field_setting",
    projectSettings(ctx.store, project.gid).map((r) => r.gid),
  );
}

export function getWorkspaceFields(ctx: HandlerContext): Reply {
  const ws = ctx.store.requireWorkspace(param(ctx, "workspace_gid"), ctx.viewer);
  const gids = [...ctx.store.world.fields.values()].filter((f) => f.workspace === ws.gid).map((f) => f.gid);
  return list(ctx, "custom_field", gids);
}

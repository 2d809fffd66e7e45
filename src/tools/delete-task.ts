// delete_task: repeating a delete cannot double it, so an uncertain failure is settled by sending
// it again.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { actingAsOf } from "./task-common.js";

export const deleteTask = defineTool({
  name: "delete_task",
  title: "Delete a task",
  kind: "destructive",
  actsAs: "write",
  input: z.object({ task_gid: gid("task") }).strict(),
  output: z.object({ deleted: z.string(), acting_as: actingAs }),
  scope: (a) => ({ task: a.task_gid }),
  describe: ({ attribution }) => `Delete a task (restorable from trash). Deleted by ${attribution("write")}.`,
  handler: async (a, context) => {
    const call = { method: "DELETE", path: apiPath`/tasks/${a.task_gid}`, signal: context.signal } as const;
    try {
      await context.asana.request(context.identity, call);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "write_unknown") throw error;
      // Repeating a delete cannot double it; a 404 now means the first one went through.
      try {
        await context.asana.request(context.identity, call);
      } catch (again) {
        if (!(again instanceof AppError) || again.code !== "not_found") throw again;
      }
    }
    return { deleted: a.task_gid, acting_as: actingAsOf(context) };
  },
});

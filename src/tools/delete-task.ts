// delete_task: repeating a delete cannot double it, so an uncertain failure is settled by sending
// it again; the task is read first, so that a 404 then proves a deletion.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { actingAsOf } from "./task-common.js";

interface PreviewedTask {
  name?: string;
  completed?: boolean;
  num_subtasks?: number;
  assignee?: { name?: string } | null;
  projects?: Array<{ gid: string; name?: string }>;
  permalink_url?: string;
}

export const deleteTask = defineTool({
  name: "delete_task",
  title: "Delete a task",
  toolset: "tasks",
  kind: "destructive",
  actsAs: "write",
  input: z.object({ task_gid: gid("task") }).strict(),
  output: z.object({ deleted: z.string(), acting_as: actingAs }),
  // Deleting takes the task out of every project it is in: each must be allowed.
  scope: (a) => ({ task: a.task_gid, everyProject: true }),
  describe: ({ attribution }) => `Delete a task (restorable from trash). Deleted by ${attribution("write")}.`,
  confirm: {
    // What a person is shown: the task as it is now, with what goes with it.
    preview: async (a, context) => {
      const { data: task } = await context.asana.request<PreviewedTask>(context.identity, {
        method: "GET",
        path: apiPath`/tasks/${a.task_gid}`,
        query: { opt_fields: "name,completed,num_subtasks,assignee.name,projects.name,permalink_url" },
        signal: context.signal,
      });
      const subtasks = task.num_subtasks ?? 0;
      const projects = (task.projects ?? []).map((p) => p.name ?? p.gid);
      return {
        summary: `Delete the task "${task.name ?? a.task_gid}" (${a.task_gid})${subtasks > 0 ? ` and its ${subtasks} subtask${subtasks === 1 ? "" : "s"}` : ""}${projects.length > 0 ? `, from ${projects.join(", ")}` : ""}. It can be restored from Asana's trash for a while.`,
        changes: [
          {
            action: "delete",
            task: a.task_gid,
            name: task.name ?? null,
            completed: task.completed ?? null,
            assignee: task.assignee?.name ?? null,
            subtasks,
            projects,
            url: task.permalink_url ?? null,
          },
        ],
      };
    },
  },
  handler: async (a, context) => {
    const { asana, identity, signal } = context;
    // After an uncertain DELETE the repeated DELETE's 404 means "deleted" only if the task existed
    // before this call: a gid that never existed answers 404 too. So the task is read first, as
    // the acting identity (one cheap GET per delete, for a destructive tool); an unknown or
    // forbidden task is answered from that read, before anything is sent that could delete.
    await asana.request(identity, {
      method: "GET",
      path: apiPath`/tasks/${a.task_gid}`,
      query: { opt_fields: "name" },
      signal,
    });
    const call = { method: "DELETE", path: apiPath`/tasks/${a.task_gid}`, signal } as const;
    try {
      await asana.request(identity, call);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "write_unknown") throw error;
      // Repeating a delete cannot double it; a 404 now, for a task that existed, means it is gone.
      try {
        await asana.request(identity, call);
      } catch (again) {
        if (!(again instanceof AppError) || again.code !== "not_found") throw again;
      }
    }
    return { deleted: a.task_gid, acting_as: await actingAsOf(context) };
  },
});

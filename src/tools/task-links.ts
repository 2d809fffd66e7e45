// task_links: adding or removing a set member; repeating one after an uncertain failure cannot
// double anything.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { actingAs, gid, gidOf } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { actingAsOf, meOf, userOf } from "./task-common.js";

/** One of gids, as a string; what it must be depends on the relation (memberOf). */
const member = z
  .custom<string | number>((v) => typeof v === "string" || typeof v === "number", "must be a gid")
  .transform((value, ctx) => {
    if (typeof value === "string") return value;
    const parsed = gidOf(value, "other");
    if ("gid" in parsed) return parsed.gid;
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  })
  .meta({ type: "string" });

/** Dependencies and dependents are tasks (gids or links), tags are tag gids, followers are users. */
function memberOf(relation: "dependencies" | "dependents" | "followers" | "tags", value: string) {
  if (relation === "followers") return userOf(value);
  return gidOf(value, relation === "tags" ? "tag" : "task");
}

const LINK_PATH = {
  dependencies: "Dependencies",
  dependents: "Dependents",
  followers: "Followers",
} as const;

export const taskLinks = defineTool({
  name: "task_links",
  title: "Edit a task's dependencies, followers or tags",
  toolset: "tasks",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      task_gid: gid("task"),
      action: z.enum(["add", "remove"]),
      relation: z.enum(["dependencies", "dependents", "followers", "tags"]),
      gids: z.array(member).min(1).max(30),
    })
    .strict()
    .superRefine((a, ctx) => {
      a.gids.forEach((value, i) => {
        const checked = memberOf(a.relation, value);
        if ("error" in checked) ctx.addIssue({ code: "custom", path: ["gids", i], message: checked.error });
      });
    })
    // Task links become the tasks' gids before scope() and the handler see them.
    .overwrite((a) => ({
      ...a,
      gids: a.gids.map((value) => {
        const checked = memberOf(a.relation, value);
        return "gid" in checked ? checked.gid : value;
      }),
    })),
  output: z.object({ task_gid: z.string(), done: z.string(), acting_as: actingAs }),
  // Before the policy reads anything: tasks and tags are given by gid, only followers by email or "me".
  validate: (a) => {
    if (a.relation !== "followers" && a.gids.some((g) => !/^[0-9]+$/.test(g))) {
      throw new AppError("invalid_input", `gids: ${a.relation} are given by gid.`);
    }
  },
  // Linking to a task changes that task too (its dependents or dependencies); a tag must be of the
  // task's workspace and a follower added a member of it (removing one gives nothing away).
  scope: (a) => ({
    task: a.task_gid,
    ...(a.relation === "dependencies" || a.relation === "dependents" ? { linkedTasks: a.gids } : {}),
    ...(a.relation === "tags" ? { tags: a.gids } : {}),
    ...(a.relation === "followers" && a.action === "add" ? { users: a.gids } : {}),
  }),
  describe: ({ attribution, me }) =>
    `Add or remove a task's dependencies, dependents (it blocks), followers, tags. Done by ${attribution("write")}; "me" = ${me()}.`,
  handler: async (args, context) => {
    // "me" is the person, never the bot this write acts as; the result names them.
    const me = args.relation === "followers" && args.gids.includes("me") ? await meOf(context) : undefined;
    const a = me ? { ...args, gids: [...new Set(args.gids.map((g) => (g === "me" ? me.gid : g)))] } : args;
    const verb = a.action === "add" ? "add" : "remove";
    if (a.relation === "tags") {
      // One tag per request, as Asana's addTag/removeTag take a single tag. A failure partway
      // says which tags were already done: the agent must not think nothing happened.
      const done: string[] = [];
      for (const tag of a.gids) {
        try {
          await idempotentWrite(context, {
            method: "POST",
            path: `${apiPath`/tasks/${a.task_gid}`}/${verb}Tag`,
            body: { tag },
            signal: context.signal,
          });
        } catch (error) {
          if (!(error instanceof AppError) || done.length === 0) throw error;
          throw new AppError(
            error.code,
            `Tags ${done.join(", ")} were ${verb === "add" ? "added" : "removed"}; tag ${tag} failed: ${error.message}`,
            {
              requestId: error.requestId,
              status: error.status,
              retryable: error.retryable,
              hint: `${error.hint} Calling again with the same gids is safe: tags already ${verb === "add" ? "added" : "removed"} stay so.`,
            },
          );
        }
        done.push(tag);
      }
    } else {
      await idempotentWrite(context, {
        method: "POST",
        path: `${apiPath`/tasks/${a.task_gid}`}/${verb}${LINK_PATH[a.relation]}`,
        body: { [a.relation]: a.gids },
        signal: context.signal,
      });
    }
    return {
      task_gid: a.task_gid,
      done: `${a.action === "add" ? "added" : "removed"} ${a.relation} ${a.gids.join(", ")}${me ? ` (${me.gid} is ${me.name})` : ""}`,
      acting_as: await actingAsOf(context),
    };
  },
});

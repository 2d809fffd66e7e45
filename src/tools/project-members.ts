// project_members: add or remove a project's members (list_project_members lists them). Adding or
// removing a set member cannot double anything, so an uncertain failure is settled by sending it again.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { actingAsOf, resolveMe, userIn } from "./task-common.js";

/** A member as the write answers: more than this many are cut short (more_members). */
const MAX_SHOWN = 100;

export const projectMembers = defineTool({
  name: "project_members",
  title: "Add or remove a project's members",
  toolset: "projects",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      project_gid: gid("project"),
      action: z.enum(["add", "remove"]),
      users: z.array(userIn()).min(1).max(20),
    })
    .strict(),
  output: z.object({
    project_gid: z.string(),
    members: z.array(z.object({ gid: z.string(), name: z.string().optional() })),
    more_members: z.literal(true).optional(),
    done: z.string(),
    acting_as: actingAs,
  }),
  // Each user added or removed must be a member of the project's workspace: one outside it would
  // be given the project (and its notifications) across the allow-lists.
  scope: (a) => ({ project: a.project_gid, users: a.users }),
  describe: ({ attribution, me }) =>
    `Add or remove a project's members (gid, email, "me" = ${me()}); list_project_members lists them. Changed by ${attribution("write")}.`,
  handler: async (args, context) => {
    const { signal } = context;
    // "me" is the person, never the bot this write acts as.
    const users = [...new Set(await resolveMe(context, args.users))];
    const verb = args.action === "add" ? "addMembers" : "removeMembers";
    const { data } = await idempotentWrite<{ members?: Array<{ gid: string; name?: string }> }>(context, {
      method: "POST",
      path: `${apiPath`/projects/${args.project_gid}`}/${verb}`,
      query: { opt_fields: "members.name" },
      // AddMembersRequest.members is a string in the spec: users comma-separated.
      body: { members: users.join(",") },
      signal,
    });
    const members = data.members ?? [];
    return {
      project_gid: args.project_gid,
      members: members.slice(0, MAX_SHOWN).map((m) => ({ gid: m.gid, ...(m.name ? { name: m.name } : {}) })),
      ...(members.length > MAX_SHOWN ? { more_members: true as const } : {}),
      // Said as the state now, true whether or not each was a member before.
      done:
        args.action === "add"
          ? `the members now include ${users.join(", ")}`
          : `${users.join(", ")} ${users.length === 1 ? "is" : "are"} not a member now`,
      acting_as: await actingAsOf(context),
    };
  },
});

// project_members: list a project's members, or add or remove some. Adding or removing a set member
// cannot double anything, so an uncertain failure is settled by sending it again.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { actingAs, cursor, gid, limit } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { actingAsOf, resolveMe, userIn } from "./task-common.js";

/** A member as the write answers: more than this many are cut short (more_members). */
const MAX_SHOWN = 100;

interface Membership {
  gid: string;
  member?: { gid: string; name?: string; resource_type?: string } | null;
  access_level?: string;
}

export const projectMembers = defineTool({
  name: "project_members",
  title: "List, add or remove a project's members",
  toolset: "projects",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      project_gid: gid("project"),
      action: z.enum(["list", "add", "remove"]),
      users: z.array(userIn()).min(1).max(20).optional(),
      limit: limit(50),
      cursor: cursor(),
    })
    .strict(),
  output: z.object({
    project_gid: z.string(),
    members: z.array(
      z.object({
        gid: z.string(),
        name: z.string().optional(),
        type: z.string().optional(),
        access: z.string().optional(),
      }),
    ),
    more_members: z.literal(true).optional(),
    next_cursor: z.string().nullable().optional(),
    done: z.string().optional(),
    acting_as: actingAs.optional(),
  }),
  validate: (a) => {
    if (a.action === "list" && a.users) throw new AppError("invalid_input", "users: not with action list.");
    if (a.action !== "list" && !a.users) {
      throw new AppError("invalid_input", `users is required for action ${a.action}.`);
    }
    if (a.action !== "list" && a.cursor)
      throw new AppError("invalid_input", "cursor: only with action list.");
  },
  // Each user added or removed must be a member of the project's workspace: one outside it would
  // be given the project (and its notifications) across the allow-lists.
  scope: (a) => ({ project: a.project_gid, ...(a.users ? { users: a.users } : {}) }),
  // ASANA_CONFIRM=writes asks about adding and removing members, never about listing them.
  confirm: { changesNothing: (a) => a.action === "list" },
  describe: ({ attribution, me }) =>
    `A project's members (list), or add/remove users (gid, email, "me" = ${me()}). Changed by ${attribution("write")}; lists read as it too.`,
  handler: async (args, context) => {
    const { asana, identity, signal } = context;
    if (args.action === "list") {
      const scope = `members:${args.project_gid}`;
      // GET /memberships is what Asana documents as current; /projects/{gid}/project_memberships is deprecated.
      const { data, nextPage } = await asana.request<Membership[]>(identity, {
        method: "GET",
        path: "/memberships",
        query: {
          parent: args.project_gid,
          limit: args.limit,
          offset: args.cursor ? decodeCursor(args.cursor, scope) : undefined,
        },
        signal,
      });
      return {
        project_gid: args.project_gid,
        members: data.map((m) => ({
          gid: m.member?.gid ?? m.gid,
          ...(m.member?.name ? { name: m.member.name } : {}),
          ...(m.member?.resource_type ? { type: m.member.resource_type } : {}),
          ...(m.access_level ? { access: m.access_level } : {}),
        })),
        next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
      };
    }
    // "me" is the person, never the bot this write acts as.
    const users = [...new Set(await resolveMe(context, args.users ?? []))];
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

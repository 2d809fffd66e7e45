// list_project_members: a project's members, a page at a time. A read of its own (not an action of
// project_members), so read-only mode lists them and they are read as the read identity.
import { z } from "zod";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { defineTool } from "./define.js";
import { cursor, gid, limit } from "./schemas.js";

interface Membership {
  gid: string;
  member?: { gid: string; name?: string; resource_type?: string } | null;
  access_level?: string;
}

export const listProjectMembers = defineTool({
  name: "list_project_members",
  title: "List a project's members",
  toolset: "projects",
  kind: "read",
  actsAs: "read",
  input: z.object({ project_gid: gid("project"), limit: limit(50), cursor: cursor() }).strict(),
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
    next_cursor: z.string().nullable(),
  }),
  scope: (a) => ({ project: a.project_gid }),
  describe: ({ attribution }) =>
    `A project's members (users and teams) with their access. Reads as ${attribution("read")}.`,
  handler: async (a, { asana, identity, signal }) => {
    const scope = `members:${a.project_gid}`;
    // GET /memberships is what Asana documents as current; /projects/{gid}/project_memberships is deprecated.
    const { data, nextPage } = await asana.request<Membership[]>(identity, {
      method: "GET",
      path: "/memberships",
      query: {
        parent: a.project_gid,
        limit: a.limit,
        offset: a.cursor ? decodeCursor(a.cursor, scope) : undefined,
      },
      signal,
    });
    return {
      project_gid: a.project_gid,
      members: data.map((m) => ({
        gid: m.member?.gid ?? m.gid,
        ...(m.member?.name ? { name: m.member.name } : {}),
        ...(m.member?.resource_type ? { type: m.member.resource_type } : {}),
        ...(m.access_level ? { access: m.access_level } : {}),
      })),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
    };
  },
});

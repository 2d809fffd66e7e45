// list_portfolios: the portfolios of a workspace that a user owns (Asana lists no others, except to
// a service account, which may list the whole workspace's).
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { decodeCursor, encodeCursor } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { cursor, gid, limit } from "./schemas.js";
import { resolveMe, userIn, workspaceOf } from "./task-common.js";

interface AsanaPortfolio {
  gid: string;
  name: string;
  archived?: boolean;
  due_on?: string | null;
  owner?: { gid: string; name?: string } | null;
  current_status_update?: { title?: string } | null;
}

export const listPortfolios = defineTool({
  name: "list_portfolios",
  title: "List portfolios",
  toolset: "portfolios",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      workspace_gid: gid().optional(),
      owner: userIn()
        .nullable()
        .optional()
        .describe("gid, email or me (default); null: every owner, for a service account"),
      limit: limit(50),
      cursor: cursor(),
    })
    .strict(),
  output: z.object({
    workspace_gid: z.string(),
    portfolios: z.array(
      z.object({
        gid: z.string(),
        name: z.string(),
        owner: z.string().optional(),
        due: z.string().optional(),
        archived: z.literal(true).optional(),
        status_title: z.string().optional(),
      }),
    ),
    next_cursor: z.string().nullable(),
    note: z.string().optional(),
  }),
  scope: (a) => (a.workspace_gid ? { workspace: a.workspace_gid } : {}),
  // Picks its default among allowed workspaces; refuses under ASANA_PROJECTS (see the handler).
  filtersByPolicy: true,
  describe: ({ attribution, me }) =>
    `Portfolios a user owns in a workspace; Asana lists only the reader's own (a service account: anyone's). Reads as ${attribution("read")}; "me" = ${me()}.`,
  handler: async (a, context) => {
    const { asana, identity, signal, policy } = context;
    // A portfolio is no project: its name and owner span the workspace, as find's portfolios do.
    if (policy.projects) {
      throw new AppError(
        "policy_denied",
        `list_portfolios works across the workspace, and ASANA_PROJECTS limits this server to projects ${[...policy.projects].join(", ")}; get_portfolio shows a portfolio's allowed projects.`,
      );
    }
    const workspace = await workspaceOf(context, a.workspace_gid);
    // Where "me" would be a service account (configured alone), the default is every owner, as
    // Asana answers a service account that names none.
    const everyone =
      a.owner === null ||
      (a.owner === undefined &&
        identity.kind === "service_account" &&
        context.resolver.person()?.kind === "service_account");
    const owner = everyone ? undefined : await resolveMe(context, a.owner ?? "me");
    const scope = `portfolios:${workspace}:${owner ?? "*"}`;
    const { data, nextPage } = await asana.request<AsanaPortfolio[]>(identity, {
      method: "GET",
      path: apiPath`/portfolios`,
      query: {
        workspace,
        owner,
        limit: a.limit,
        offset: a.cursor ? decodeCursor(a.cursor, scope) : undefined,
        opt_fields: "name,archived,due_on,owner.name,current_status_update.title",
      },
      signal,
    });
    return {
      workspace_gid: workspace,
      portfolios: data.map((p) => ({
        gid: p.gid,
        name: p.name,
        ...(p.owner ? { owner: p.owner.name ?? p.owner.gid } : {}),
        ...(p.due_on ? { due: p.due_on } : {}),
        ...(p.archived ? { archived: true as const } : {}),
        ...(p.current_status_update?.title ? { status_title: p.current_status_update.title } : {}),
      })),
      next_cursor: nextPage?.offset ? encodeCursor(nextPage.offset, scope) : null,
      // Asana lists a person's own portfolios only: the ones they are a member of need find.
      ...(data.length === 0 && !a.cursor
        ? { note: 'None owned by this owner; find (type "portfolio") finds others by name.' }
        : {}),
    };
  },
});

// get_portfolio: a portfolio and the status of each of its items (projects and nested portfolios),
// in one call: the portfolio and its items are two reads in parallel, the items' statuses coming
// with them (opt_fields), so an overview costs no request per item.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { readPages } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { projectListed } from "../policy.js";
import { defineTool } from "./define.js";
import { gid, limit } from "./schemas.js";
import { statusOfColor } from "./strategy-common.js";

interface AsanaPortfolio {
  gid: string;
  name: string;
  archived?: boolean;
  color?: string | null;
  due_on?: string | null;
  start_on?: string | null;
  permalink_url?: string;
  owner?: { gid: string; name?: string } | null;
  workspace?: { gid: string; name?: string } | null;
  current_status_update?: { title?: string } | null;
}

interface AsanaItem {
  gid: string;
  resource_type?: string;
  name?: string;
  archived?: boolean;
  completed?: boolean;
  due_on?: string | null;
  owner?: { gid: string } | null;
  /** A project's latest status as Asana's legacy record: the only one whose color the items listing answers. */
  current_status?: {
    color?: string | null;
    title?: string;
    created_at?: string;
    author?: { name?: string } | null;
  } | null;
  current_status_update?: { title?: string } | null;
}

/** Item pages read at most (100 items each): Asana allows 1500 items in a portfolio. */
const ITEM_PAGES = 2;

const PORTFOLIO_FIELDS =
  "name,archived,color,due_on,start_on,permalink_url,owner.name,workspace.name,current_status_update.title";
const ITEM_FIELDS = [
  "name",
  "archived",
  "completed",
  "due_on",
  "owner",
  "current_status.color",
  "current_status.title",
  "current_status.created_at",
  "current_status.author.name",
  "current_status_update.title",
].join(",");

const statusOut = z.object({
  status: z.string().optional(),
  title: z.string().optional(),
  by: z.string().optional(),
  at: z.string().optional(),
});

export const getPortfolio = defineTool({
  name: "get_portfolio",
  title: "Get a portfolio",
  toolset: "portfolios",
  kind: "read",
  actsAs: "read",
  input: z
    .object({
      portfolio_gid: gid(),
      limit: limit(50).describe("items shown, at most"),
    })
    .strict(),
  output: z.object({
    portfolio: z.object({
      gid: z.string(),
      name: z.string(),
      owner: z.string().optional(),
      workspace: z.string().optional(),
      due: z.string().optional(),
      start: z.string().optional(),
      archived: z.literal(true).optional(),
      url: z.string().optional(),
      status_title: z.string().optional(),
    }),
    items: z.array(
      z.object({
        gid: z.string(),
        type: z.enum(["project", "portfolio"]),
        name: z.string(),
        owner_gid: z.string().optional(),
        due: z.string().optional(),
        done: z.literal(true).optional(),
        archived: z.literal(true).optional(),
        current_status: statusOut.optional(),
      }),
    ),
    outside_items: z.string().optional(),
    truncated: z.string().optional(),
  }),
  scope: (a) => ({ portfolio: a.portfolio_gid }),
  // Under ASANA_PROJECTS it shows the allowed projects among the items alone (see the handler).
  filtersByPolicy: true,
  describe: ({ attribution }) =>
    `A portfolio with each item's status (projects, nested portfolios): current status, owner, due, done. Reads as ${attribution("read")}.`,
  handler: async (a, { asana, identity, signal, policy }) => {
    const [portfolio, items] = await Promise.all([
      asana.request<AsanaPortfolio>(identity, {
        method: "GET",
        path: apiPath`/portfolios/${a.portfolio_gid}`,
        query: { opt_fields: PORTFOLIO_FIELDS },
        signal,
      }),
      readPages<AsanaItem>(
        asana,
        identity,
        { path: apiPath`/portfolios/${a.portfolio_gid}/items`, query: { opt_fields: ITEM_FIELDS }, signal },
        ITEM_PAGES,
      ),
    ]);
    const p = portfolio.data;
    // Under ASANA_PROJECTS a portfolio is shown through its allowed projects, as a task is through
    // its projects: one with none is refused, and nested portfolios (no projects) are left out.
    const shown = items.items.filter(
      (item) => !policy.projects || (item.resource_type === "project" && projectListed(policy, item.gid)),
    );
    const projectsOut = items.items.filter((i) => i.resource_type !== "portfolio").length;
    const outsideProjects = projectsOut - shown.filter((i) => i.resource_type !== "portfolio").length;
    const outsidePortfolios = items.items.length - shown.length - outsideProjects;
    if (policy.projects && shown.length === 0) {
      throw new AppError(
        "policy_denied",
        `portfolio ${a.portfolio_gid} holds no project ASANA_PROJECTS allows${items.complete ? "" : " among its first items read"}.`,
      );
    }
    const listed = shown.slice(0, a.limit);
    const more = shown.length > listed.length || !items.complete;
    return {
      portfolio: {
        gid: p.gid,
        name: p.name,
        ...(p.owner ? { owner: p.owner.name ?? p.owner.gid } : {}),
        ...(p.workspace ? { workspace: p.workspace.name ?? p.workspace.gid } : {}),
        ...(p.due_on ? { due: p.due_on } : {}),
        ...(p.start_on ? { start: p.start_on } : {}),
        ...(p.archived ? { archived: true as const } : {}),
        ...(p.permalink_url ? { url: p.permalink_url } : {}),
        ...(p.current_status_update?.title ? { status_title: p.current_status_update.title } : {}),
      },
      items: listed.map((item) => itemOut(item)),
      ...(outsideProjects + outsidePortfolios > 0
        ? { outside_items: outsideNote(outsideProjects, outsidePortfolios) }
        : {}),
      ...(more
        ? {
            truncated: `showing ${listed.length} of ${shown.length}${items.complete ? "" : "+"} items${items.complete ? "; raise limit for more" : `: only the first ${ITEM_PAGES * 100} are read`}`,
          }
        : {}),
    };
  },
});

function itemOut(item: AsanaItem) {
  const s = item.current_status;
  const title = item.current_status_update?.title ?? s?.title;
  const status = statusOfColor(s?.color);
  const current =
    s || title
      ? {
          ...(status ? { status } : {}),
          ...(title ? { title } : {}),
          ...(s?.author?.name ? { by: s.author.name } : {}),
          ...(s?.created_at ? { at: s.created_at } : {}),
        }
      : undefined;
  return {
    gid: item.gid,
    type: item.resource_type === "portfolio" ? ("portfolio" as const) : ("project" as const),
    name: item.name ?? "",
    ...(item.owner ? { owner_gid: item.owner.gid } : {}),
    ...(item.due_on ? { due: item.due_on } : {}),
    ...(item.completed ? { done: true as const } : {}),
    ...(item.archived ? { archived: true as const } : {}),
    ...(current ? { current_status: current } : {}),
  };
}

function outsideNote(projects: number, portfolios: number): string {
  const parts = [
    projects > 0 ? `${projects} project${projects === 1 ? "" : "s"}` : "",
    portfolios > 0 ? `${portfolios} portfolio${portfolios === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  return `${parts.join(" and ")} outside this server's allow-list`;
}

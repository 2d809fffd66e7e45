// create_status_update: a POST that could double, so an uncertain failure is settled by reading the
// project's status updates back.
import { z } from "zod";
import { readPages } from "../asana/paginate.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { createOnce, squash } from "./settle.js";
import { actingAsOf } from "./task-common.js";

interface Status {
  gid: string;
  title?: string;
  status_type?: string;
  text?: string;
  created_at: string;
  author?: { gid: string; name?: string } | null;
}

const STATUS_FIELDS = "title,status_type,text,created_at,author.name";
/** Bounded read-back: status updates come newest first, 100 a page. */
const MAX_PAGES = 10;

export const createStatusUpdate = defineTool({
  name: "create_status_update",
  title: "Post a project status update",
  toolset: "projects",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      project_gid: gid("project"),
      status: z.enum(["on_track", "at_risk", "off_track", "on_hold", "complete"]),
      title: z.string().trim().min(1).max(1024),
      text: z.string().trim().min(1).max(65_536),
    })
    .strict(),
  output: z.object({
    status_update: z.record(z.string(), z.unknown()),
    acting_as: actingAs,
    verified_after_uncertain_failure: z.boolean().optional(),
  }),
  scope: (a) => ({ project: a.project_gid }),
  describe: ({ attribution }) =>
    `Post a project status update. Posted as ${attribution("write")}; never twice.`,
  handler: async (a, context) => {
    const { asana, identity, signal } = context;
    const body = { parent: a.project_gid, status_type: a.status, title: a.title, text: a.text };
    const { created: status, verified } = await createOnce<Status>({
      context,
      what: "the status update",
      where: "the project's status updates",
      readBack: `get_project ${a.project_gid} (its latest status updates)`,
      key: JSON.stringify(["status_update", body]),
      send: async () =>
        (
          await asana.request<Status>(identity, {
            method: "POST",
            path: "/status_updates",
            query: { opt_fields: STATUS_FIELDS },
            body,
            signal,
          })
        ).data,
      maxItems: MAX_PAGES * 100,
      list: () =>
        readPages<Status>(
          asana,
          identity,
          { path: "/status_updates", query: { parent: a.project_gid, opt_fields: STATUS_FIELDS }, signal },
          MAX_PAGES,
        ),
      authorOf: (s) => s.author?.gid,
      createdAtOf: (s) => s.created_at,
      // Every field the call set: an off_track update is not the on_track one with the same title.
      matches: (s) =>
        s.status_type === a.status &&
        squash(s.title) === squash(a.title) &&
        squash(s.text) === squash(a.text),
    });
    return {
      status_update: {
        gid: status.gid,
        status: status.status_type,
        title: status.title,
        at: status.created_at,
      },
      acting_as: await actingAsOf(context),
      ...(verified ? { verified_after_uncertain_failure: true } : {}),
    };
  },
});

// create_status_update: a POST that could double, so an uncertain failure is settled by reading the
// project's status updates back.
import { z } from "zod";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { SKEW_MS, settleCreate } from "./settle.js";
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

export const createStatusUpdate = defineTool({
  name: "create_status_update",
  title: "Post a project status update",
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
    const { asana, identity, signal, resolver, config } = context;
    const startedAt = Date.now();
    let status: Status;
    let verified = false;
    try {
      ({ data: status } = await asana.request<Status>(identity, {
        method: "POST",
        path: "/status_updates",
        query: { opt_fields: STATUS_FIELDS },
        body: { parent: a.project_gid, status_type: a.status, title: a.title, text: a.text },
        signal,
      }));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "write_unknown") throw error;
      const author = (await resolver.current(identity, asana, config.requestTimeoutMs, signal)).user?.gid;
      status = await settleCreate({
        cause: error,
        signal,
        what: "the status update",
        where: "the project's status updates",
        find: async () => {
          const { data } = await asana.request<Status[]>(identity, {
            method: "GET",
            path: "/status_updates",
            query: { parent: a.project_gid, limit: 20, opt_fields: STATUS_FIELDS },
            signal,
          });
          return data.find(
            (s) =>
              s.title === a.title &&
              Date.parse(s.created_at) >= startedAt - SKEW_MS &&
              (author === undefined || s.author?.gid === author),
          );
        },
      });
      verified = true;
    }
    return {
      status_update: {
        gid: status.gid,
        status: status.status_type,
        title: status.title,
        at: status.created_at,
      },
      acting_as: actingAsOf(context),
      ...(verified ? { verified_after_uncertain_failure: true } : {}),
    };
  },
});

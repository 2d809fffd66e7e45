// get_attachment: an attachment's details and its short-lived download URL.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { defineTool } from "./define.js";
import { gid } from "./schemas.js";

export const getAttachment = defineTool({
  name: "get_attachment",
  title: "Get an attachment",
  toolset: "attachments",
  kind: "read",
  actsAs: "read",
  input: z.object({ attachment_gid: gid() }).strict(),
  output: z.object({ attachment: z.record(z.string(), z.unknown()) }),
  scope: (a) => ({ attachment: a.attachment_gid }),
  describe: ({ attribution }) =>
    `An attachment with a short-lived download_url. Reads as ${attribution("read")}.`,
  handler: async (a, { asana, identity, signal }) => {
    const { data } = await asana.request<Record<string, unknown>>(identity, {
      method: "GET",
      path: apiPath`/attachments/${a.attachment_gid}`,
      query: { opt_fields: "name,size,host,created_at,download_url,permanent_url,parent.name" },
      signal,
    });
    return { attachment: data };
  },
});

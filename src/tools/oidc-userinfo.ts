import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";

interface UserInfo {
  sub?: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
  picture?: string;
}

export const oidcUserinfo = defineTool({
  name: "oidc_userinfo",
  title: "OpenID Connect profile",
  toolset: "tasks",
  kind: "read",
  actsAs: "oauth",
  input: z.object({}).strict(),
  output: z.object({
    sub: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    email_verified: z.boolean().nullable(),
    picture: z.string().nullable(),
  }),
  describe: ({ attribution }) =>
    `Verified OpenID Connect profile (sub, name, email) of the OAuth login: ${attribution("oauth")}. Needs scope openid; else use whoami.`,
  handler: async (_args, { asana, identity, signal }) => {
    try {
      const { data } = await asana.request<UserInfo>(identity, {
        method: "GET",
        path: apiPath`/openid_connect/userinfo`,
        unwrapped: true,
        signal,
      });
      if (typeof data.sub !== "string") {
        throw new AppError("bad_response", "Asana's userinfo answer has no sub claim.");
      }
      return {
        sub: data.sub,
        name: data.name ?? null,
        email: data.email ?? null,
        email_verified: typeof data.email_verified === "boolean" ? data.email_verified : null,
        picture: data.picture ?? null,
      };
    } catch (error) {
      if (error instanceof AppError && error.code === "forbidden") {
        throw new AppError(
          "oidc_unavailable",
          `Asana refused the userinfo request: the OAuth login lacks the openid scope (${error.message})`,
          { requestId: error.requestId, status: error.status },
        );
      }
      throw error;
    }
  },
});

import { z } from "zod";
import { KIND_LABEL, verifiedClaimsSchema } from "../auth/identities.js";
import type { ConfirmMode } from "../config.js";
import { describePolicy, workspaceAllowed } from "../policy.js";
import { defineTool, type ToolsetControl } from "./define.js";
import { TOOLSET_NAMES, TOOLSET_SUMMARIES } from "./toolsets.js";

const CONFIRM_MEANING: Record<ConfirmMode, string> = {
  destructive: "destructive: a person confirms deletes and large batches before they run",
  writes: "writes: a person confirms every change before it runs",
  off: "off: nothing is confirmed by a person",
};

function toolsetsOf(toolsets: ToolsetControl) {
  const on = toolsets.enabled();
  const off = TOOLSET_NAMES.filter((name) => !on.has(name));
  return {
    on: TOOLSET_NAMES.filter((name) => on.has(name)),
    off: off.map((name) => ({ name, offers: TOOLSET_SUMMARIES[name] })),
    how_to_enable:
      off.length === 0
        ? null
        : toolsets.enable
          ? "call enable_toolset"
          : "the server's operator sets ASANA_TOOLSETS",
  };
}

const identityOut = z.object({
  kind: z.enum(["pat", "bot", "service_account", "oauth"]),
  label: z.string(),
  source: z.string(),
  status: z.enum(["ok", "error", "pending"]),
  user: z.object({ gid: z.string(), name: z.string(), email: z.string().nullable() }).nullable(),
  workspaces: z.array(z.object({ gid: z.string(), name: z.string() })),
  acts_for: z.array(z.enum(["read", "write"])),
  tools: z.array(z.string()),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string() }).optional(),
  /** OAuth logins made with `openid`: the claims of the id_token verified at sign-in. */
  verified_claims: verifiedClaimsSchema.optional(),
});

export const whoami = defineTool({
  name: "whoami",
  title: "Who am I in Asana",
  toolset: "core",
  kind: "read",
  actsAs: "none",
  input: z.object({}).strict(),
  output: z.object({
    sandbox: z.boolean(),
    read_as: z.string().nullable(),
    write_as: z.string().nullable(),
    /** Whom "me" means in every tool's arguments, reads and writes alike. */
    me: z.object({ kind: z.string(), gid: z.string().nullable(), name: z.string() }).nullable(),
    identities: z.array(identityOut),
    policy: z.object({
      read_only: z.boolean(),
      tools: z.array(z.string()).nullable(),
      workspaces: z.array(z.string()).nullable(),
      projects: z.array(z.string()).nullable(),
      audit_log: z.string().nullable(),
    }),
    /** The toolsets on, and what each of the others offers. */
    toolsets: z.object({
      on: z.array(z.string()),
      off: z.array(z.object({ name: z.string(), offers: z.string() })),
      how_to_enable: z.string().nullable(),
    }),
    /** Which calls a person confirms first (ASANA_CONFIRM). */
    confirm: z.string(),
    /** Settings that are probably mistakes (an unknown ASANA_* variable): the server ignored them. */
    configuration_warnings: z.array(z.string()),
  }),
  // Every other tool names who it acts as; this one only has to say what it is for.
  describe: () =>
    "Whose name your Asana actions carry: each identity's Asana user, workspaces and tools, and this server's policy. Call it first.",
  handler: async (_args, { resolver, asana, config, signal, tools, policy, toolsets }) => {
    // Fresh start-up resolutions are reused; failed or stale ones are asked again.
    const resolutions = await Promise.all(
      resolver.identities.map((identity) =>
        resolver.current(identity, asana, config.requestTimeoutMs, signal),
      ),
    );
    const describeRoute = (kind: string | undefined) => {
      if (!kind) return null;
      const identity = resolver.identities.find((i) => i.kind === kind);
      const name = identity && resolver.resolution(identity).user?.name;
      return name ? `${kind} (${name})` : (kind ?? null);
    };
    const person = resolver.person();
    const personUser = person && resolver.resolution(person).user;
    return {
      sandbox: config.sandbox,
      read_as: describeRoute(resolver.readAs),
      write_as: describeRoute(resolver.writeAs),
      me: person ? { kind: person.kind, gid: personUser?.gid ?? null, name: resolver.personName() } : null,
      identities: resolver.identities.map((identity, i) => {
        const resolution = resolutions[i] ?? { status: "pending" as const };
        const routes = resolver.routesOf(identity);
        return {
          kind: identity.kind,
          label: KIND_LABEL[identity.kind],
          source: `${identity.variable} (${identity.source})`,
          status: resolution.status,
          user: resolution.user
            ? { gid: resolution.user.gid, name: resolution.user.name, email: resolution.user.email ?? null }
            : null,
          // Under ASANA_WORKSPACES, only the allowed ones: the others are outside this server's view.
          workspaces: (resolution.workspaces ?? []).filter((w) => workspaceAllowed(policy, w.gid)),
          acts_for: routes,
          tools: tools
            .filter(
              (tool) =>
                (tool.actsAs === "read" && routes.includes("read")) ||
                (tool.actsAs === "write" && routes.includes("write")) ||
                (tool.actsAs === "oauth" && identity.kind === "oauth"),
            )
            .map((tool) => tool.name),
          ...(identity.verifiedClaims ? { verified_claims: { ...identity.verifiedClaims } } : {}),
          ...(resolution.error
            ? {
                error: {
                  code: resolution.error.code,
                  message: resolution.error.message,
                  hint: resolution.error.hint,
                },
              }
            : {}),
        };
      }),
      policy: describePolicy(policy, config.auditLog),
      toolsets: toolsetsOf(toolsets),
      confirm: CONFIRM_MEANING[config.confirm],
      configuration_warnings: config.warnings.map((warning) => warning.message),
    };
  },
});

// What the server tells an agent about itself: its instructions (sandbox, identities, limits,
// toolsets) and the context every tool description is written in (whose name each route carries).
import type { CredentialResolver } from "./auth/resolver.js";
import type { Config } from "./config.js";
import { redact } from "./log.js";
import type { Policy } from "./policy.js";
import type { DescribeContext } from "./tools/define.js";
import { TOOLSET_NAMES, TOOLSET_SUMMARIES } from "./tools/toolsets.js";

export function describeContext(resolver: CredentialResolver): DescribeContext {
  return {
    me: () => resolver.personName(),
    attribution: (route) => {
      if (route !== "oauth") return resolver.attribution(route);
      const oauth = resolver.get("oauth");
      const user = oauth && resolver.resolution(oauth).user;
      if (!oauth) return "no OAuth login is configured";
      return user
        ? `${user.name}${user.email ? ` (${user.email})` : ""}`
        : `the OAuth login from ${oauth.variable}`;
    },
  };
}

/**
 * A call the client gave up on (a timeout, a cancel) gets no answer, yet its write may have reached
 * Asana: the server cannot say so afterwards, so the agent is told up front.
 */
const REPEAT_NOTE =
  " A write whose call timed out or was cancelled may still have been made: read it back (find, list_tasks, get_task) before repeating it.";

export function instructions(
  config: Config,
  resolver: CredentialResolver,
  policy: Policy,
  canEnable: boolean,
): string {
  const sandbox = config.sandbox
    ? "SANDBOX MODE: these tools act on a built-in demo Asana with made-up data, not on a real Asana account. "
    : "";
  const limits = [
    policy.readOnly && "read-only",
    policy.workspaces && `workspaces ${[...policy.workspaces].join(", ")} only`,
    policy.projects && `projects ${[...policy.projects].join(", ")} only`,
  ].filter(Boolean);
  // ASANA_TOOLS may leave whoami out, core though it is: then it is not offered.
  const whoami = !policy.tools || policy.tools.has("whoami");
  const scoped = limits.length
    ? ` This server is limited to: ${limits.join("; ")}${whoami ? " (see whoami's policy)" : ""}.`
    : "";
  return redact(
    `${sandbox}Asana tools. Every tool description says whose name its actions carry in Asana${whoami ? "; call whoami to see every identity" : ""} (reads as ${resolver.attribution("read")}, writes as ${resolver.attribution("write")}). A task or project gid may be given as its Asana link.${policy.readOnly ? "" : REPEAT_NOTE}${scoped}${toolsetsNote(policy, canEnable)}`,
  );
}

/** Which toolsets are on, and what the others would offer. */
function toolsetsNote(policy: Policy, canEnable: boolean): string {
  const off = TOOLSET_NAMES.filter((name) => !policy.toolsets.has(name));
  if (off.length === 0) return "";
  const offers = off.map((name) => `${name} (${TOOLSET_SUMMARIES[name]})`).join("; ");
  const how = canEnable ? "enable_toolset turns one on" : "the server's ASANA_TOOLSETS turns them on";
  return ` Toolsets on: ${[...policy.toolsets].join(", ")}. Off: ${offers}; ${how}.`;
}

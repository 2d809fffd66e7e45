// `asana-mcp doctor [--json]`: staged checks of the configuration and of every identity against
// Asana (token accepted, /users/me, workspaces, scopes the tools need, what each identity is used
// for). Read-only: it never writes to Asana. Output names variables, never token values.
import { AsanaClient, apiPath } from "./asana/http.js";
import { type Identity, identitiesFromConfig, KIND_LABEL } from "./auth/identities.js";
import { CredentialResolver, type Resolution } from "./auth/resolver.js";
import { type Config, ConfigError, type LoadOptions, loadConfig } from "./config.js";
import { toToolError } from "./errors.js";
import { redact, setLogLevel } from "./log.js";
import { buildPolicy, isExposed, type Policy } from "./policy.js";
import type { Tool } from "./tools/define.js";
import { VERSION } from "./version.js";

export type StageStatus = "ok" | "warn" | "fail" | "skip";

export interface Stage {
  name: "config" | "variables" | "token" | "users_me" | "workspaces" | "scopes" | "policy";
  status: StageStatus;
  detail: string;
  hint?: string;
}

export interface IdentityReport {
  kind: Identity["kind"];
  label: string;
  variable: string;
  source: string;
  stages: Stage[];
}

export interface DoctorReport {
  ok: boolean;
  version: string;
  config: Stage;
  /** Checks of the whole configuration: unknown variables, then the policy the server applies. */
  checks: Stage[];
  identities: IdentityReport[];
}

export interface DoctorOptions extends LoadOptions {
  tools: readonly Tool[];
}

/** Doctor's requests wait at most this long each, whatever ASANA_TIMEOUT_MS says. */
const DOCTOR_TIMEOUT_MS = 15_000;

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  let config: Config;
  let policy: Policy;
  try {
    config = loadConfig(options);
    // As `serve` does: unknown ASANA_TOOLS names stop start-up.
    policy = buildPolicy(config, options.tools);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const stage: Stage = { name: "config", status: "fail", detail: error.message };
    return { ok: false, version: VERSION, config: stage, checks: [], identities: [] };
  }
  const variables = variablesStage(config);
  // Stages report problems themselves; the resolver's log lines would only repeat them.
  setLogLevel("error");
  let identities = identitiesFromConfig(config.tokens);
  // Sandbox mode checks the built-in demo Asana, exactly as `serve` would use it.
  const sandbox = config.sandbox ? await (await import("./sandbox/start.js")).startSandbox() : undefined;
  if (sandbox) {
    config = { ...config, baseUrl: sandbox.baseUrl };
    identities = sandbox.identities;
  }
  // As `serve` does: without ASANA_OAUTH_ACCESS_TOKEN, a login stored by `auth login` is used.
  if (!config.sandbox && !config.tokens.oauth) {
    const { storedIdentity } = await import("./auth/stored-identity.js");
    const stored = await storedIdentity(config);
    if (stored) identities.push(stored);
  }
  const resolver = new CredentialResolver(identities, config);
  const configStage = describeConfig(config, resolver, identities);
  if (identities.length === 0) {
    const checks = [variables, describePolicyStage(config, policy, options.tools)];
    return { ok: false, version: VERSION, config: configStage, checks, identities: [] };
  }

  const timeoutMs = Math.min(config.requestTimeoutMs, DOCTOR_TIMEOUT_MS);
  const asana = new AsanaClient({ baseUrl: config.baseUrl, requestTimeoutMs: timeoutMs, maxReadRetries: 1 });
  try {
    const reports = await Promise.all(
      identities.map((identity) =>
        checkIdentity(identity, resolver, asana, options.tools, policy, timeoutMs),
      ),
    );
    const policyCheck = await checkPolicy(config, policy, options.tools, resolver, asana, timeoutMs);
    const checks = [variables, policyCheck];
    const ok = [configStage, ...checks, ...reports.flatMap((report) => report.stages)].every(
      (stage) => stage.status !== "fail",
    );
    return { ok, version: VERSION, config: configStage, checks, identities: reports };
  } finally {
    await asana.close();
    await sandbox?.close();
  }
}

function describeConfig(config: Config, resolver: CredentialResolver, identities: Identity[]): Stage {
  const env = config.envFile ? `.env ${config.envFile}` : "no .env file";
  if (config.sandbox) {
    return {
      name: "config",
      status: "warn",
      detail: `ASANA_SANDBOX is on: checking the built-in demo Asana at ${config.baseUrl}, not a real one (${env}).`,
      hint: "Unset ASANA_SANDBOX to use a real Asana.",
    };
  }
  if (identities.length === 0) {
    return {
      name: "config",
      status: "fail",
      detail: `no Asana token is configured (${env}).`,
      hint: "Set ASANA_PAT (or ASANA_BOT_PAT, ASANA_SERVICE_ACCOUNT_TOKEN, ASANA_OAUTH_ACCESS_TOKEN) in the MCP client's env or in .env.",
    };
  }
  const held = identities.map((i) => `${i.kind} (${i.variable}, ${i.source})`).join(", ");
  return {
    name: "config",
    status: "ok",
    detail: `base URL ${config.baseUrl}; ${env}; ${identities.length} identit${identities.length === 1 ? "y" : "ies"}: ${held}; reads as ${resolver.readAs}, writes as ${resolver.writeAs}.`,
  };
}

async function checkIdentity(
  identity: Identity,
  resolver: CredentialResolver,
  asana: AsanaClient,
  tools: readonly Tool[],
  policy: Policy,
  timeoutMs: number,
): Promise<IdentityReport> {
  const stages: Stage[] = [];
  const report: IdentityReport = {
    kind: identity.kind,
    label: KIND_LABEL[identity.kind],
    variable: identity.variable,
    source: identity.source,
    stages,
  };
  const resolution = await resolver.resolve(identity, asana, timeoutMs);
  const token = tokenStage(resolution);
  stages.push(token);
  if (resolution.status !== "ok" || !resolution.user) {
    if (token.status !== "fail") {
      stages.push(failed("users_me", resolution));
    }
    const why = token.status === "fail" ? "the token was not accepted" : "/users/me did not answer";
    for (const name of ["users_me", "workspaces", "scopes"] as const) {
      if (!stages.some((s) => s.name === name)) stages.push(skipped(name, why));
    }
    stages.push(policyStage(identity, resolver, tools, policy));
    return report;
  }
  const { user } = resolution;
  stages.push({
    name: "users_me",
    status: "ok",
    detail: `${user.name}${user.email ? ` <${user.email}>` : ""} (gid ${user.gid})`,
  });
  const workspaces = resolution.workspaces ?? [];
  stages.push(
    workspaces.length === 0
      ? {
          name: "workspaces",
          status: "fail",
          detail: `${user.name} belongs to no workspace.`,
          hint: "Invite this user to the workspace or organization the agent should work in.",
        }
      : {
          name: "workspaces",
          status: "ok",
          detail: `${workspaces.length}: ${workspaces.map((w) => `${w.name} (${w.gid})`).join(", ")}`,
        },
  );
  stages.push(await scopesStage(identity, resolver, asana, workspaces[0]?.gid, timeoutMs));
  stages.push(policyStage(identity, resolver, tools, policy));
  return report;
}

function tokenStage(resolution: Resolution): Stage {
  if (resolution.status === "ok") return { name: "token", status: "ok", detail: "accepted by Asana" };
  const error = resolution.error;
  if (error?.code === "unauthorized" || error?.code === "forbidden") {
    return { name: "token", status: "fail", detail: error.message, hint: error.hint };
  }
  return {
    name: "token",
    status: "skip",
    detail: "not checked: Asana did not answer (see /users/me)",
  };
}

function failed(name: Stage["name"], resolution: Resolution): Stage {
  return {
    name,
    status: "fail",
    detail: resolution.error?.message ?? "no answer",
    ...(resolution.error?.hint ? { hint: resolution.error.hint } : {}),
  };
}

function skipped(name: Stage["name"], why: string): Stage {
  return { name, status: "skip", detail: `skipped: ${why}` };
}

/**
 * Probes, read-only, what the identity's tools need: projects:read for the reader, openid for
 * an OAuth login. Write scopes are not probed: checking stories:write would post a comment.
 */
async function scopesStage(
  identity: Identity,
  resolver: CredentialResolver,
  asana: AsanaClient,
  workspaceGid: string | undefined,
  timeoutMs: number,
): Promise<Stage> {
  const routes = resolver.routesOf(identity);
  const passed: string[] = [];
  const problems: Array<{ status: "fail" | "warn"; text: string; hint: string }> = [];
  const probe = async (
    scope: string,
    severity: "fail" | "warn",
    call: Parameters<AsanaClient["request"]>[1],
  ) => {
    try {
      await asana.request(identity, { ...call, signal: AbortSignal.timeout(timeoutMs) });
      passed.push(scope);
    } catch (error) {
      const { error: body } = toToolError(error);
      problems.push({ status: severity, text: `${scope}: ${body.message}`, hint: body.hint });
    }
  };
  if (routes.includes("read") && workspaceGid) {
    await probe("projects:read", "fail", {
      method: "GET",
      path: apiPath`/projects`,
      query: { workspace: workspaceGid, limit: 1, opt_fields: "name" },
    });
  }
  if (identity.kind === "oauth") {
    await probe("openid", "warn", {
      method: "GET",
      path: apiPath`/openid_connect/userinfo`,
      unwrapped: true,
    });
  }
  const notes = routes.includes("write") ? ["stories:write not probed (checking it would post)"] : [];
  const detail = [...(passed.length ? [`${passed.join(", ")} granted`] : []), ...notes].join("; ");
  if (problems.length === 0) return { name: "scopes", status: "ok", detail: detail || "nothing to probe" };
  return {
    name: "scopes",
    status: problems.some((p) => p.status === "fail") ? "fail" : "warn",
    detail: [...problems.map((p) => p.text), ...(detail ? [detail] : [])].join("; "),
    hint: problems[0]?.hint,
  };
}

function policyStage(
  identity: Identity,
  resolver: CredentialResolver,
  tools: readonly Tool[],
  policy: Policy,
): Stage {
  const routes = resolver.routesOf(identity);
  // Only the tools the policy exposes: a hidden tool never acts as anyone.
  const uses = routes.map((route) => {
    if (route === "write" && policy.readOnly) return "writes for no tool (read-only: ASANA_READ_ONLY)";
    const names = tools
      .filter((tool) => tool.actsAs === route && isExposed(policy, tool))
      .map((tool) => tool.name);
    return `${route === "read" ? "reads" : "writes"} for ${names.join(", ") || "no tool (ASANA_TOOLS)"}`;
  });
  if (identity.kind === "oauth") uses.push("answers oidc_userinfo");
  if (uses.length === 0) {
    return {
      name: "policy",
      status: "warn",
      detail: "unused: other identities read and write (ASANA_READ_AS, ASANA_WRITE_AS)",
      hint: "Remove this token, or route reads or writes to it with ASANA_READ_AS / ASANA_WRITE_AS.",
    };
  }
  const writesAs =
    routes.includes("write") && identity.kind === "pat" && !policy.readOnly
      ? "; comments carry this person's name (configure ASANA_BOT_PAT to write as a bot)"
      : "";
  return { name: "policy", status: "ok", detail: `${uses.join("; ")}${writesAs}` };
}

const MARK: Record<StageStatus, string> = { ok: "ok  ", warn: "warn", fail: "FAIL", skip: "skip" };
const STAGE_LABEL: Record<Stage["name"], string> = {
  config: "config",
  variables: "variables",
  token: "token",
  users_me: "/users/me",
  workspaces: "workspaces",
  scopes: "scopes",
  policy: "policy",
};

/** The report for people: one line per stage, a hint under each problem, a verdict at the end. */
export function formatReport(report: DoctorReport): string {
  const lines = [`asana-mcp doctor ${report.version}`, "", stageLine(report.config)];
  for (const stage of report.checks) lines.push(stageLine(stage));
  for (const identity of report.identities) {
    lines.push("", `${identity.label} (${identity.variable}, ${identity.source})`);
    for (const stage of identity.stages) lines.push(stageLine(stage));
  }
  const all = [report.config, ...report.checks, ...report.identities.flatMap((i) => i.stages)];
  const failures = all.filter((s) => s.status === "fail").length;
  const warnings = all.filter((s) => s.status === "warn").length;
  lines.push(
    "",
    failures > 0
      ? `${failures} check${failures === 1 ? "" : "s"} failed${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}.`
      : `All checks passed${warnings ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : ""}.`,
  );
  return redact(`${lines.join("\n")}\n`);
}

function stageLine(stage: Stage): string {
  const line = `  ${MARK[stage.status]}  ${STAGE_LABEL[stage.name].padEnd(10)}  ${stage.detail}`;
  return stage.hint && stage.status !== "ok" ? `${line}\n                    → ${stage.hint}` : line;
}

/** Unknown ASANA_* variables fail: the setting the person meant (read-only…) is not in effect. */
function variablesStage(config: Config): Stage {
  const unknown = config.warnings.filter((w) => w.code === "unknown_variable");
  const other = config.warnings.filter((w) => w.code !== "unknown_variable");
  if (unknown.length > 0) {
    return {
      name: "variables",
      status: "fail",
      detail: config.warnings.map((w) => w.message).join(" "),
      hint: "Rename or remove the variable; the README's configuration table lists every variable.",
    };
  }
  if (other.length > 0) {
    return { name: "variables", status: "warn", detail: other.map((w) => w.message).join(" ") };
  }
  return { name: "variables", status: "ok", detail: "every ASANA_* variable set is one asana-mcp reads" };
}

/** The policy `serve` will apply, in one line. */
function policySummary(config: Config, policy: Policy, tools: readonly Tool[]): string {
  const exposed = tools.filter((tool) => isExposed(policy, tool)).map((tool) => tool.name);
  const list = (set: ReadonlySet<string> | undefined) => (set ? [...set].join(", ") : "any");
  return [
    policy.readOnly ? "read-only (ASANA_READ_ONLY): no write tool is served" : "writes allowed",
    `tools: ${policy.tools || policy.readOnly ? `${exposed.length} of ${tools.length} (${exposed.join(", ")})` : `all ${tools.length}`}`,
    `workspaces: ${list(policy.workspaces)}`,
    `projects: ${list(policy.projects)}`,
    `audit log: ${config.auditLog ?? "off"}`,
  ].join("; ");
}

function describePolicyStage(config: Config, policy: Policy, tools: readonly Tool[]): Stage {
  return { name: "policy", status: "ok", detail: policySummary(config, policy, tools) };
}

/**
 * The policy against what the identities see: an allow-listed workspace or project no identity
 * can reach fails (every call there would be refused or 404), and a reader and writer in
 * different workspaces warn, naming where writes will fail.
 */
async function checkPolicy(
  config: Config,
  policy: Policy,
  tools: readonly Tool[],
  resolver: CredentialResolver,
  asana: AsanaClient,
  timeoutMs: number,
): Promise<Stage> {
  const summary = policySummary(config, policy, tools);
  const resolved = resolver.identities.filter((identity) => resolver.resolution(identity).status === "ok");
  if (resolved.length === 0) {
    return { name: "policy", status: "skip", detail: `${summary}; not checked: no identity answered` };
  }
  const seenBy = (identity: Identity) => resolver.resolution(identity).workspaces ?? [];
  const visible = new Map(resolved.flatMap((identity) => seenBy(identity).map((w) => [w.gid, w.name])));
  const failures: string[] = [];
  const hints: string[] = [];
  for (const gid of policy.workspaces ?? []) {
    if (!visible.has(gid)) {
      failures.push(`ASANA_WORKSPACES names workspace ${gid}, which no configured identity belongs to`);
      hints.push("Check the gid (whoami lists each identity's workspaces) or invite the identity to it.");
    }
  }
  for (const gid of policy.projects ?? []) {
    const problem = await projectProblem(gid, policy, resolved, asana, timeoutMs);
    if (problem) {
      failures.push(problem);
      hints.push("Check the gid (the number in the project's URL) and that an identity is a member of it.");
    }
  }
  const warnings: string[] = [];
  const reader = resolver.identities.find((i) => i.kind === resolver.readAs);
  const writer = resolver.identities.find((i) => i.kind === resolver.writeAs);
  if (
    !policy.readOnly &&
    reader &&
    writer &&
    reader !== writer &&
    resolved.includes(reader) &&
    resolved.includes(writer)
  ) {
    const writerSees = new Set(seenBy(writer).map((w) => w.gid));
    const missing = seenBy(reader).filter(
      (w) => !writerSees.has(w.gid) && (!policy.workspaces || policy.workspaces.has(w.gid)),
    );
    if (missing.length > 0) {
      warnings.push(
        `${reader.kind} reads in ${missing.map((w) => `${w.name} (${w.gid})`).join(", ")}, where ${writer.kind} (the writer) is not a member: writes there will fail`,
      );
      hints.push(`Invite the ${KIND_LABEL[writer.kind]} to those workspaces, or limit ASANA_WORKSPACES.`);
    }
  }
  const problems = [...failures, ...warnings];
  return {
    name: "policy",
    status: failures.length ? "fail" : warnings.length ? "warn" : "ok",
    detail: problems.length ? `${problems.join("; ")}. Policy: ${summary}` : summary,
    ...(hints[0] ? { hint: hints[0] } : {}),
  };
}

/** Why an allow-listed project is out of reach, or undefined when some identity can read it. */
async function projectProblem(
  gid: string,
  policy: Policy,
  identities: Identity[],
  asana: AsanaClient,
  timeoutMs: number,
): Promise<string | undefined> {
  const answers: string[] = [];
  for (const identity of identities) {
    try {
      const { data } = await asana.request<{ workspace?: { gid?: string } | null }>(identity, {
        method: "GET",
        path: apiPath`/projects/${gid}`,
        query: { opt_fields: "name,workspace" },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const workspace = data.workspace?.gid;
      if (workspace && policy.workspaces && !policy.workspaces.has(workspace)) {
        return `ASANA_PROJECTS names project ${gid}, which is in workspace ${workspace}, outside ASANA_WORKSPACES`;
      }
      return undefined;
    } catch (error) {
      answers.push(`${identity.kind}: ${toToolError(error).error.code}`);
    }
  }
  return `ASANA_PROJECTS names project ${gid}, which no configured identity can read (${answers.join(", ")})`;
}

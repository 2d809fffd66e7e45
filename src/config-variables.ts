// Every variable the server reads: its schema, its default and how its value is spelled. Only
// src/config.ts reads them (it is the one reader of the environment); this file says what they are.
import { z } from "zod";

export const IDENTITY_KINDS = ["pat", "bot", "service_account", "oauth"] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/**
 * Common MCP clients give up on a request after 60 s (the TypeScript SDK's default). The tool
 * deadline bounds every call, retries and settlement read-backs included (they share its signal),
 * so its default leaves a wide margin; each request's own timeout lets a retry fit inside it.
 */
export const CLIENT_TIMEOUT_MS = 60_000;
export const DEFAULT_TOOL_DEADLINE_MS = 45_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

/** ASANA_CONFIRM: which calls a human confirms first (src/confirm.ts). */
export const CONFIRM_MODES = ["destructive", "writes", "off"] as const;
export type ConfirmMode = (typeof CONFIRM_MODES)[number];

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const TOKEN_VARIABLES: Record<IdentityKind, readonly string[]> = {
  pat: ["ASANA_PAT", "ASANA_ACCESS_TOKEN"],
  bot: ["ASANA_BOT_PAT"],
  service_account: ["ASANA_SERVICE_ACCOUNT_TOKEN"],
  oauth: ["ASANA_OAUTH_ACCESS_TOKEN"],
};

/** Case-insensitive (a form field may get "Bot"). */
const kind = z
  .string()
  .transform((v) => v.toLowerCase())
  .pipe(z.enum(IDENTITY_KINDS));
/** Case-insensitive: TRUE, Yes and on all mean true. */
const booleanFlag = z
  .string()
  .optional()
  .transform((v) => v?.toLowerCase())
  .pipe(z.enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""]).optional())
  .transform((v) => ["1", "true", "yes", "on"].includes(v ?? ""));
/** A comma-separated list; empty items (a trailing comma) are ignored. */
const list = (item: RegExp, what: string) =>
  z
    .string()
    .optional()
    .transform((raw) =>
      raw === undefined
        ? undefined
        : raw
            .split(",")
            .map((v) => v.trim())
            .filter(Boolean),
    )
    .refine((items) => items === undefined || (items.length > 0 && items.every((v) => item.test(v))), {
      message: `must be a comma-separated list of ${what}`,
    });
const gidList = list(/^[0-9]{1,32}$/, "Asana gids (digits only), e.g. 1202000000000001,1202000000000002");
const milliseconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Each variable's schema; the message of a failure names the variable and what it accepts. */
export const VARIABLES = {
  ASANA_READ_AS: kind.optional(),
  ASANA_WRITE_AS: kind.optional(),
  ASANA_BASE_URL: z.string().optional(),
  ASANA_TIMEOUT_MS: milliseconds(100, 600_000).default(DEFAULT_REQUEST_TIMEOUT_MS),
  ASANA_TOOL_DEADLINE_MS: milliseconds(100, 3_600_000).default(DEFAULT_TOOL_DEADLINE_MS),
  ASANA_LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  ASANA_SANDBOX: booleanFlag,
  ASANA_OAUTH_CLIENT_ID: z.string().optional(),
  ASANA_OAUTH_CLIENT_SECRET: z.string().optional(),
  ASANA_TOKEN_STORE: z.string().optional(),
  ASANA_BROWSER: z.string().optional(),
  ASANA_READ_ONLY: booleanFlag,
  ASANA_TOOLS: list(/^[a-z][a-z0-9_]*$/, "tool names, e.g. whoami,list_projects"),
  ASANA_TOOLSETS: list(/^[a-z]+$/, "toolset names, e.g. tasks,projects (or all)"),
  ASANA_CONFIRM: z
    .string()
    .optional()
    .transform((v) => v?.toLowerCase())
    .pipe(z.enum(CONFIRM_MODES).default("destructive")),
  ASANA_WORKSPACES: gidList,
  ASANA_PROJECTS: gidList,
  ASANA_AUDIT_LOG: z.string().optional(),
  ASANA_AUDIT_LOG_BODIES: booleanFlag,
  ASANA_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(1024 * 1024 * 1024)
    .default(16 * 1024 * 1024),
  ASANA_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(1024 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  ASANA_SHUTDOWN_GRACE_MS: milliseconds(0, 600_000).default(10_000),
  ASANA_HTTP_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  ASANA_HTTP_HOST: z.string().optional(),
  ASANA_HTTP_TRUST_PROXY: z.string().optional(),
  ASANA_PUBLIC_URL: z.string().optional(),
  ASANA_DATABASE_URL: z.string().optional(),
  ASANA_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  // Secrets: checked by src/http/settings.ts, whose messages never show the value.
  ASANA_SECRET_KEY: z.string().optional(),
  ASANA_SECRET_KEY_PREVIOUS: z.string().optional(),
} satisfies Record<string, z.ZodType>;

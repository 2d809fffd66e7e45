// What tools/list puts on the wire for a tool: its description, its input schema in JSON Schema
// 2020-12 (compacted), and the annotations that differ from MCP's defaults.
import type { Tool as McpTool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { CONFIRMATION_ARGUMENT } from "./confirm.js";
import { redact } from "./log.js";
import type { DescribeContext, Tool } from "./tools/define.js";

/**
 * Compact on purpose: every tools/list is re-read into the agent's context. Input schemas carry no
 * `$schema` (MCP's default dialect is 2020-12), results are described in each description rather
 * than by an outputSchema, and annotations say only what differs from the MCP defaults' intent.
 */
export function toWire(tool: Tool, context: DescribeContext, confirmable = false): McpTool {
  const readOnly = tool.kind === "read";
  return {
    name: tool.name,
    title: tool.title,
    // Descriptions carry names read from Asana (who each route acts as).
    description: redact(tool.describe(context)),
    inputSchema: withConfirmation(PRECOMPUTED_SCHEMAS?.[tool.name] ?? inputSchemaOf(tool), confirmable),
    // Only what differs from MCP's defaults (not read-only, destructive, not idempotent, open world).
    annotations: readOnly ? { readOnlyHint: true } : { destructiveHint: tool.kind === "destructive" },
  };
}

/**
 * The bundle carries every tool's wire input schema, computed by scripts/build.mjs with
 * inputSchemaOf: z.toJSONSchema over all tools costs ~14 ms of the first tools/list otherwise.
 * Running from src (tests), they are computed here.
 */
declare const __ASANA_MCP_TOOL_SCHEMAS__: Record<string, McpTool["inputSchema"]> | undefined;
const PRECOMPUTED_SCHEMAS =
  typeof __ASANA_MCP_TOOL_SCHEMAS__ === "object" ? __ASANA_MCP_TOOL_SCHEMAS__ : undefined;

/** A tool's input schema as tools/list advertises it. */
export function inputSchemaOf(tool: Pick<Tool, "input">): McpTool["inputSchema"] {
  return wireSchema(tool.input, "input");
}

/**
 * JSON Schema 2020-12, which current MCP clients expect (SDK 1.x would emit draft-07 from its
 * own tools/list handler; serving tools/list here avoids that).
 */
function wireSchema(schema: z.ZodType, io: "input" | "output"): McpTool["inputSchema"] {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as McpTool["inputSchema"] & { $schema?: string };
  return compact(rest) as McpTool["inputSchema"];
}

/** Length limits are enforced by the server with clear errors; on the wire they only cost tokens. */
const DROPPED_KEYWORDS = new Set(["maxLength", "minLength", "maxItems", "propertyNames"]);

/** Drops DROPPED_KEYWORDS and writes `anyOf [{type: T, …}, {type: null}]` as `type: [T, "null"]`. */
function compact(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(compact);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // Inside `properties` the keys are argument names, never keywords.
    if (key === "properties" && value && typeof value === "object") {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
    } else if (!DROPPED_KEYWORDS.has(key)) out[key] = compact(value);
  }
  const anyOf = out.anyOf;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const [first, second] = anyOf as Array<Record<string, unknown>>;
    if (second?.type === "null" && Object.keys(second).length === 1 && typeof first?.type === "string") {
      delete out.anyOf;
      return { ...out, ...first, type: [first.type, "null"] };
    }
  }
  return out;
}

/** A tool a person may have to confirm takes the token of its second call (src/confirm.ts). */
function withConfirmation(schema: McpTool["inputSchema"], confirmable: boolean): McpTool["inputSchema"] {
  if (!confirmable) return schema;
  return {
    ...schema,
    properties: {
      ...schema.properties,
      [CONFIRMATION_ARGUMENT]: {
        type: "string",
        description: "Only from this tool's own confirmation_required answer, after the person agreed.",
      },
    },
  };
}

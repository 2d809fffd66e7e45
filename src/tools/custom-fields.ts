// Custom fields by name: resolved from a project's settings (cached per process), checked before
// anything is written, and shown by name.
import { z } from "zod";
import { type AsanaClient, apiPath } from "../asana/http.js";
import type { Identity } from "../auth/identities.js";
import { AppError } from "../errors.js";
import { allowedProjects } from "../policy.js";
import type { ToolContext } from "./define.js";

export interface FieldDef {
  gid: string;
  name: string;
  type: string;
  enum_options?: Array<{ gid: string; name: string; enabled?: boolean }>;
}

/** Field definitions change rarely; a short cache spares a request per write. */
const FIELD_TTL_MS = 5 * 60_000;
const FIELD_CACHE_ENTRIES = 256;
const fieldCache = new Map<string, { at: number; fields: FieldDef[] }>();

export async function projectFields(
  asana: AsanaClient,
  identity: Identity,
  project: string,
  signal: AbortSignal,
): Promise<FieldDef[]> {
  const key = `${identity.kind}:${project}`;
  const cached = fieldCache.get(key);
  if (cached && Date.now() - cached.at < FIELD_TTL_MS) return cached.fields;
  const fields: FieldDef[] = [];
  let offset: string | undefined;
  for (let page = 0; page < 10; page++) {
    const { data, nextPage } = await asana.request<Array<{ custom_field: FieldDef }>>(identity, {
      method: "GET",
      path: apiPath`/projects/${project}/custom_field_settings`,
      query: {
        limit: 100,
        offset,
        opt_fields:
          "custom_field.name,custom_field.type,custom_field.enum_options.name,custom_field.enum_options.enabled",
      },
      signal,
    });
    fields.push(...data.map((s) => s.custom_field));
    offset = nextPage?.offset;
    if (!offset) break;
  }
  // Bounded: one entry per project written to; past the cap the oldest goes (Map keeps insertion order).
  fieldCache.delete(key);
  if (fieldCache.size >= FIELD_CACHE_ENTRIES) fieldCache.delete(fieldCache.keys().next().value!);
  fieldCache.set(key, { at: Date.now(), fields });
  return fields;
}

export const customFieldsIn = z
  .record(
    z.string().min(1).max(200),
    z.union([z.string().max(10_000), z.number(), z.array(z.string()).max(50), z.null()]),
  )
  .optional()
  .describe("{name or gid: value}; enum by option name");

export type CustomFieldsIn = NonNullable<z.output<typeof customFieldsIn>>;

/**
 * The field definitions of a task's projects that the allow-lists let this server read: those of
 * its allowed projects only. An outside project's settings are never requested, so its fields
 * and options can be neither named in an error nor set through the task.
 */
export async function allowedFields(
  context: ToolContext,
  projects: string[],
): Promise<{ fields: FieldDef[]; outside: number }> {
  const { shown, outside } = allowedProjects(context.policy, projects, (p) => p);
  const { asana, identity, signal } = context;
  const fields = (await Promise.all(shown.map((p) => projectFields(asana, identity, p, signal)))).flat();
  return { fields, outside };
}

/**
 * Turns {name or gid: value} into Asana's {field gid: value}, with enum options by name. An unknown
 * field or option is an invalid_input error naming the valid ones, before anything is written.
 * Only the fields of projects inside the allow-lists are candidates.
 */
export async function resolveCustomFields(
  context: ToolContext,
  projects: string[],
  input: CustomFieldsIn,
): Promise<Record<string, string | number | string[] | null>> {
  if (projects.length === 0) {
    throw new AppError(
      "invalid_input",
      "custom_fields: the task is in no project, so it has no custom fields; add it to a project first.",
    );
  }
  const { fields: all, outside } = await allowedFields(context, projects);
  const beyond = outside ? ` (fields of projects outside this server's allow-list cannot be set)` : "";
  const out: Record<string, string | number | string[] | null> = {};
  for (const [key, value] of Object.entries(input)) {
    const wanted = key.trim().toLowerCase();
    const field = all.find((f) => f.gid === key) ?? all.find((f) => f.name.trim().toLowerCase() === wanted);
    if (!field) {
      const names = [...new Set(all.map((f) => f.name))].join(", ") || "none";
      throw new AppError(
        "invalid_input",
        `custom_fields: no field "${key}" on this task's projects; fields: ${names}${beyond}.`,
      );
    }
    out[field.gid] = fieldValue(field, value);
  }
  return out;
}

function fieldValue(field: FieldDef, value: CustomFieldsIn[string]): string | number | string[] | null {
  if (value === null) return null;
  const options = (field.enum_options ?? []).filter((o) => o.enabled !== false);
  const option = (v: string) => {
    const hit =
      options.find((o) => o.gid === v) ??
      options.find((o) => o.name.toLowerCase() === v.trim().toLowerCase());
    if (!hit) {
      throw new AppError(
        "invalid_input",
        `custom_fields: "${v}" is not an option of ${field.name}; options: ${options.map((o) => o.name).join(", ")}.`,
      );
    }
    return hit.gid;
  };
  const mismatch = (want: string) =>
    new AppError("invalid_input", `custom_fields: ${field.name} is a ${field.type} field; give ${want}.`);
  switch (field.type) {
    case "enum":
      if (typeof value !== "string") throw mismatch("an option name");
      return option(value);
    case "multi_enum":
      if (!Array.isArray(value)) throw mismatch("a list of option names");
      return value.map(option);
    case "number": {
      const n = typeof value === "string" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isFinite(n)) throw mismatch("a number");
      return n;
    }
    case "text":
      if (typeof value !== "string") throw mismatch("text");
      return value;
    default:
      throw new AppError(
        "invalid_input",
        `custom_fields: ${field.name} (${field.type}) cannot be set by this tool.`,
      );
  }
}

/** A task's custom field as Asana answers it (opt_fields SHOWN_FIELD_OPTS). */
export interface ShownField {
  gid?: string;
  name: string;
  display_value?: string | null;
  number_value?: number | null;
}

/** What a task read or write asks for to show its custom fields. */
export const SHOWN_FIELD_OPTS = "custom_fields.name,custom_fields.display_value,custom_fields.number_value";

/**
 * A field's value as shown: a number field as a number (its display_value is text such as "2.0"),
 * every other as Asana displays it; null when unset.
 */
export function shownValue(f: ShownField): string | number | null {
  if (typeof f.number_value === "number") return f.number_value;
  return f.display_value == null || f.display_value === "" ? null : f.display_value;
}

/** A task's custom fields as {name: value}, only those that are set. */
export function fieldsByName(fields: ShownField[] | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const f of fields ?? []) {
    const value = shownValue(f);
    if (value !== null) out[f.name] = value;
  }
  return out;
}

// Custom fields by name: resolved from definitions read in the same call (the task's own, or its
// projects' settings), checked before anything is written, and shown by name.
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

/**
 * Field definitions change rarely; a short cache per identity spares reads (get_project fills it,
 * the allow-list filter of task results reads it). Writes never resolve from it: an option renamed
 * in Asana keeps its gid, so a cached name → gid would write the wrong option and Asana would
 * accept it. Writes resolve from definitions read in the same call (see resolveCustomFields).
 */
const FIELD_TTL_MS = 60_000;
const FIELD_CACHE_ENTRIES = 256;
// Keyed by the identity object: what one identity may read says nothing of another's.
const fieldCache = new WeakMap<Identity, Map<string, { at: number; fields: FieldDef[] }>>();

/** The opt_fields that read a field's definition, under a prefix such as "custom_fields.". */
export const fieldDefOptFields = (prefix: string): string =>
  ["name", "type", "enum_options.name", "enum_options.enabled"].map((f) => prefix + f).join(",");

/** Keeps a project's field definitions just read (by get_project, or the settings listing). */
export function rememberFields(identity: Identity, project: string, fields: FieldDef[]): void {
  const entries = fieldCache.get(identity) ?? new Map<string, { at: number; fields: FieldDef[] }>();
  fieldCache.set(identity, entries);
  // Bounded: one entry per project read; past the cap the oldest goes (Map keeps insertion order).
  entries.delete(project);
  if (entries.size >= FIELD_CACHE_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(project, { at: Date.now(), fields });
}

export async function projectFields(
  asana: AsanaClient,
  identity: Identity,
  project: string,
  signal: AbortSignal,
  options: { fresh?: boolean } = {},
): Promise<FieldDef[]> {
  const cached = fieldCache.get(identity)?.get(project);
  if (!options.fresh && cached && Date.now() - cached.at < FIELD_TTL_MS) return cached.fields;
  const fields: FieldDef[] = [];
  let offset: string | undefined;
  for (let page = 0; page < 10; page++) {
    const { data, nextPage } = await asana.request<Array<{ custom_field: FieldDef }>>(identity, {
      method: "GET",
      path: apiPath`/projects/${project}/custom_field_settings`,
      query: { limit: 100, offset, opt_fields: fieldDefOptFields("custom_field.") },
      signal,
    });
    fields.push(...data.map((s) => s.custom_field));
    offset = nextPage?.offset;
    if (!offset) break;
  }
  rememberFields(identity, project, fields);
  return fields;
}

/**
 * What a write reads with the task to resolve its custom fields in the same request: the task's own
 * field definitions (every field of its projects), when no project allow-list applies. Under
 * ASANA_PROJECTS the task may be in an outside project whose fields must not be read, so the
 * allowed projects' settings are read instead (resolveCustomFields without definitions).
 */
export const taskFieldDefs = (context: ToolContext): string | undefined =>
  context.policy.projects ? undefined : fieldDefOptFields("custom_fields.");

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
  options: { fresh?: boolean } = {},
): Promise<{ fields: FieldDef[]; outside: number }> {
  const { shown, outside } = allowedProjects(context.policy, projects, (p) => p);
  const { asana, identity, signal } = context;
  const fields = (
    await Promise.all(shown.map((p) => projectFields(asana, identity, p, signal, options)))
  ).flat();
  return { fields, outside };
}

/**
 * Turns {name or gid: value} into Asana's {field gid: value}, with enum options by name. An unknown
 * field or option is an invalid_input error naming the valid ones, before anything is written.
 * Only the fields of projects inside the allow-lists are candidates. `carried`: the task's own field
 * definitions, read with its projects (taskFieldDefs); otherwise the projects' settings are read
 * now, never taken from the cache (see FIELD_TTL_MS).
 */
export async function resolveCustomFields(
  context: ToolContext,
  projects: string[],
  input: CustomFieldsIn,
  carried?: FieldDef[],
): Promise<Record<string, string | number | string[] | null>> {
  if (projects.length === 0) {
    throw new AppError(
      "invalid_input",
      "custom_fields: the task is in no project, so it has no custom fields; add it to a project first.",
    );
  }
  const { fields: all, outside } = carried
    ? { fields: carried, outside: 0 }
    : await allowedFields(context, projects, { fresh: true });
  const beyond = outside ? ` (fields of projects outside this server's allow-list cannot be set)` : "";
  const out: Record<string, string | number | string[] | null> = {};
  for (const [key, value] of Object.entries(input)) {
    const wanted = key.trim().toLowerCase();
    // A field shared by two projects is one field (one gid); two fields of one name are a choice the
    // agent must make: writing "the first" could set the wrong one.
    const named = [
      ...new Map(all.filter((f) => f.name.trim().toLowerCase() === wanted).map((f) => [f.gid, f])).values(),
    ];
    if (!all.some((f) => f.gid === key) && named.length > 1) {
      throw new AppError(
        "invalid_input",
        `custom_fields: ${named.length} fields on this task's projects are named "${key}" (gids ${named.map((f) => f.gid).join(", ")}); give the gid of the one to set.`,
      );
    }
    const field = all.find((f) => f.gid === key) ?? named[0];
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
    const byName = options.filter((o) => o.name.toLowerCase() === v.trim().toLowerCase());
    if (!options.some((o) => o.gid === v) && byName.length > 1) {
      throw new AppError(
        "invalid_input",
        `custom_fields: ${field.name} has ${byName.length} options named "${v}" (gids ${byName.map((o) => o.gid).join(", ")}); give the option's gid.`,
      );
    }
    const hit = options.find((o) => o.gid === v) ?? byName[0];
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

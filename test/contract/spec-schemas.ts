// OpenAPI 3.0 request schemas converted to JSON Schema for Ajv (see spec.ts), the validators cached
// by operation, and Ajv's errors written as one line each.

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { isObject, type JsonObject, type JsonSchema, resolveRef } from "./spec-operations.js";

// --- schema conversion (OpenAPI 3.0 -> JSON Schema draft-07, request direction) ----------------------

/** Follows `$ref` chains and flattens `allOf`, returning a schema with neither at the top level. */
export function flatten(
  components: JsonObject,
  input: unknown,
  refs: readonly string[],
): { schema: JsonObject; refs: string[] } {
  let schema = input;
  const seen = [...refs];
  const chain: string[] = [];
  while (isObject(schema) && typeof schema.$ref === "string") {
    // OpenAPI 3.0 ignores keywords next to $ref, so following the ref is the whole story.
    if (seen.includes(schema.$ref)) return { schema: { "x-recursive": schema.$ref }, refs: seen };
    seen.push(schema.$ref);
    chain.push(schema.$ref);
    schema = resolveRef(components, schema.$ref);
  }
  if (!isObject(schema)) return { schema: {}, refs: seen };
  let result = schema;
  if (Array.isArray(schema.allOf)) {
    const { allOf, ...own } = schema;
    let merged: JsonObject = {};
    for (const branch of allOf)
      merged = mergeSchemas(components, merged, flatten(components, branch, seen).schema, seen);
    result = mergeSchemas(components, merged, own, seen);
  }
  for (const ref of chain) result = applyErrata(components, ref, result, seen);
  return { schema: result, refs: seen };
}

// Places where the spec's schema contradicts the spec's own description of the same field, so a
// request Asana documents as valid would be reported invalid. Each overlay is merged over the
// (flattened) property schema. Keep this list short and quote the description that justifies it.
const SCHEMA_ERRATA: Record<string, Record<string, JsonObject>> = {
  // "The new parent of the task, or `null` for no parent." / "… or `null` to insert at the
  // beginning/end of the list." — but all three are declared `type: string` without `nullable`.
  "#/components/schemas/TaskSetParentRequest": {
    parent: { nullable: true },
    insert_after: { nullable: true },
    insert_before: { nullable: true },
  },
  // custom_fields: "each key is the GID of a custom field and its corresponding value is either an
  // enum GID, string, number, object, or array (depending on the custom field type)" — but the schema
  // says `additionalProperties: {type: string}`. null clears a value.
  "#/components/schemas/TaskRequestBase": {
    custom_fields: {
      additionalProperties: { type: ["string", "number", "object", "array"], nullable: true },
    },
  },
  // memberships: "*Create-only*. … At task creation time, this array can be used to add the task to
  // specific sections." — but TaskBase marks it `readOnly: true`. In a request each item names the
  // project and section by gid.
  "#/components/schemas/TaskCreateRequest": {
    memberships: {
      readOnly: false,
      items: { type: "object", properties: { project: { type: "string" }, section: { type: "string" } } },
    },
  },
};

function applyErrata(
  components: JsonObject,
  ref: string,
  schema: JsonObject,
  refs: readonly string[],
): JsonObject {
  const patches = SCHEMA_ERRATA[ref];
  if (!patches || !isObject(schema.properties)) return schema;
  const properties: JsonObject = { ...schema.properties };
  for (const [name, overlay] of Object.entries(patches)) {
    const current = properties[name];
    if (current === undefined)
      throw new Error(`SCHEMA_ERRATA: ${ref} has no property ${name}; is the erratum obsolete?`);
    properties[name] = { ...flatten(components, current, refs).schema, ...overlay };
  }
  return { ...schema, properties };
}

/**
 * Merges two flattened schemas as Asana's spec uses allOf: a base type plus a subtype that adds
 * properties or overrides keywords. Later keywords win (TaskCreateRequest re-declares `workspace`
 * with `readOnly: false`, and `{allOf: [UserCompact, {readOnly: true, nullable: true}]}` marks a
 * whole object read-only); `required` lists are unioned; same-named properties are merged recursively.
 */
function mergeSchemas(
  components: JsonObject,
  a: JsonObject,
  b: JsonObject,
  refs: readonly string[],
): JsonObject {
  const out: JsonObject = { ...a, ...b };
  if (isObject(a.properties) && isObject(b.properties)) {
    const props: JsonObject = { ...a.properties };
    for (const [name, sub] of Object.entries(b.properties)) {
      const prev = props[name];
      props[name] =
        prev === undefined
          ? sub
          : mergeSchemas(
              components,
              flatten(components, prev, refs).schema,
              flatten(components, sub, refs).schema,
              refs,
            );
    }
    out.properties = props;
  }
  if (Array.isArray(a.required) || Array.isArray(b.required)) {
    const req = [
      ...(Array.isArray(a.required) ? a.required : []),
      ...(Array.isArray(b.required) ? b.required : []),
    ];
    out.required = [...new Set(req)];
  }
  return out;
}

// Keywords whose meaning is the same in OpenAPI 3.0 and JSON Schema draft-07; copied verbatim.
const PLAIN_KEYWORDS = [
  "type",
  "enum",
  "format",
  "pattern",
  "minimum",
  "maximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "default",
] as const;

let errataChecked = false;

export function toRequestSchema(components: JsonObject, input: unknown, refs: readonly string[]): JsonSchema {
  // A renamed schema would make its erratum silently stop applying; fail instead.
  if (!errataChecked) {
    for (const ref of Object.keys(SCHEMA_ERRATA)) resolveRef(components, ref);
    errataChecked = true;
  }
  const { schema, refs: seen } = flatten(components, input, refs);
  // A schema that contains itself cannot be inlined; accept anything below that point rather than
  // loop. No request schema in the current subset is recursive.
  if (typeof schema["x-recursive"] === "string") return true;
  const out: JsonObject = {};
  for (const key of PLAIN_KEYWORDS) if (schema[key] !== undefined) out[key] = structuredClone(schema[key]);
  // OpenAPI 3.0 exclusiveMinimum/Maximum are booleans modifying minimum/maximum; draft-07 wants numbers.
  if (schema.exclusiveMinimum === true && typeof schema.minimum === "number") {
    out.exclusiveMinimum = schema.minimum;
    delete out.minimum;
  }
  if (schema.exclusiveMaximum === true && typeof schema.maximum === "number") {
    out.exclusiveMaximum = schema.maximum;
    delete out.maximum;
  }
  if (schema.items !== undefined) out.items = toRequestSchema(components, schema.items, seen);
  if (isObject(schema.properties)) {
    const props: Record<string, JsonSchema> = {};
    const readOnly = new Set<string>();
    for (const [name, sub] of Object.entries(schema.properties)) {
      if (flatten(components, sub, seen).schema.readOnly === true) {
        // `false` rejects any value; formatProblem() turns that into a "readOnly" message.
        props[name] = false;
        readOnly.add(name);
      } else {
        props[name] = toRequestSchema(components, sub, seen);
      }
    }
    out.properties = props;
    // OpenAPI: a required readOnly property is required in responses only.
    if (Array.isArray(schema.required)) {
      const required = schema.required.filter((n): n is string => typeof n === "string" && !readOnly.has(n));
      if (required.length > 0) out.required = required;
    }
    // Asana rejects fields it does not know, so a declared property list is closed unless the spec
    // says otherwise.
    out.additionalProperties = false;
  }
  if (isObject(schema.additionalProperties)) {
    out.additionalProperties = toRequestSchema(components, schema.additionalProperties, seen);
  } else if (typeof schema.additionalProperties === "boolean") {
    out.additionalProperties = schema.additionalProperties;
  }
  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = schema[key];
    if (Array.isArray(branches))
      out[key] = branches.map((b: unknown) => toRequestSchema(components, b, seen));
  }
  if (schema.not !== undefined) out.not = toRequestSchema(components, schema.not, seen);
  return schema.nullable === true ? makeNullable(out) : out;
}

function makeNullable(schema: JsonObject): JsonObject {
  const out = { ...schema };
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (typeof out.type === "string") {
    out.type = [out.type, "null"];
    return out;
  }
  if (Array.isArray(out.type)) {
    if (!out.type.includes("null")) out.type = [...out.type, "null"];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}

// --- Ajv ---------------------------------------------------------------------------------------------

let ajvInstance: Ajv | undefined;

function ajv(): Ajv {
  ajvInstance ??= new Ajv({
    allErrors: true,
    // `verbose` puts the offending value on each error so messages can quote it.
    verbose: true,
    // strictSchema stays on, so a conversion bug that leaks an OpenAPI-only keyword fails loudly.
    // strictTypes is off: OpenAPI schemas routinely declare `properties` without `type: object`.
    strictTypes: false,
    strictTuples: false,
    // The formats the subset uses, defined here rather than via ajv-formats (not a dependency).
    // `binary` is an upload's file part: checkForm checks it is sent as one (with a filename).
    formats: {
      binary: true,
      date: { type: "string", validate: isDate },
      "date-time": { type: "string", validate: isDateTime },
      email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
      uri: { type: "string", validate: isUri },
    },
  });
  return ajvInstance;
}

function isDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function isDateTime(value: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(value);
  return m?.[1] !== undefined && isDate(m[1]) && !Number.isNaN(Date.parse(value));
}

function isUri(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

const validatorCache = new Map<string, ValidateFunction>();

export function validator(key: string, build: () => JsonSchema): ValidateFunction {
  let fn = validatorCache.get(key);
  if (!fn) {
    fn = ajv().compile(build());
    validatorCache.set(key, fn);
  }
  return fn;
}

const MAX_LISTED = 12;

function listAllowed(values: unknown[]): string {
  const shown = values.slice(0, MAX_LISTED).map((v) => JSON.stringify(v));
  return values.length > MAX_LISTED
    ? `${shown.join(", ")}, … (${values.length - MAX_LISTED} more)`
    : shown.join(", ");
}

export function formatProblem(where: string, e: ErrorObject): string {
  // "/data/followers/0" reads better as "/data/followers[0]", and "query opt_fields/3" as "opt_fields[3]".
  const at = `${where}${e.instancePath.replace(/\/(\d+)(?=\/|$)/g, "[$1]")}`;
  const got = JSON.stringify(e.data);
  switch (e.keyword) {
    case "false schema":
      return `${at}: is readOnly in the spec and must not be sent in a request`;
    case "additionalProperties":
      return `${at}: unknown property "${String(e.params.additionalProperty)}" (not declared in the spec)`;
    case "enum":
      return `${at}: ${got} is not one of the allowed values: ${listAllowed(Array.isArray(e.params.allowedValues) ? e.params.allowedValues : [])}`;
    case "required":
      return `${at}: missing required property "${String(e.params.missingProperty)}"`;
    default:
      return `${at}: ${e.message ?? "is invalid"} (got ${got})`;
  }
}

// Contract checks against Asana's OpenAPI spec.
//
// The tests record every request our client sends to the fake Asana and pass each one to
// `validateRequest`. The fake only knows what we taught it, so without this check a wrong parameter
// name, an out-of-range `limit` or a read-only field in a body would pass our tests and fail against
// the real API. The spec is read from a vendored subset (asana-oas-subset.json, see NOTICE.md) so the
// check works in any clone; it never reads the full upstream spec.
//
// OpenAPI 3.0 schemas are not JSON Schema, so request body schemas are converted before Ajv sees them:
// `$ref`s are inlined, `allOf` is flattened (so `additionalProperties: false` can see every property),
// `nullable` becomes a `null` type, `readOnly` properties become `false` (must not be sent), and
// objects that declare `properties` reject undeclared ones, because Asana rejects unknown fields.

import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

export interface BuiltRequest {
  method: string;
  /** Pathname relative to the API base, e.g. "/tasks/123/stories" (no /api/1.0 prefix). */
  path: string;
  query: Record<string, string>;
  /**
   * Parsed JSON body, already including the {data: …} envelope; for a multipart/form-data
   * upload, its parts as the sandbox records them (`{multipart: [...]}`, src/sandbox/multipart.ts).
   */
  body?: unknown;
}

type JsonObject = Record<string, unknown>;
type JsonSchema = JsonObject | boolean;

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description: string;
  /** OpenAPI 3.0 schema, possibly a $ref. */
  schema: unknown;
  style: string | undefined;
  explode: boolean | undefined;
  allowEmptyValue: boolean;
  /** Set for the few parameters the spec documents only in prose (see DOCUMENTED_EXTRA_QUERY_PARAMS). */
  namePattern?: RegExp;
}

interface Operation {
  operationId: string;
  method: string;
  pathTemplate: string;
  segments: string[];
  parameters: Parameter[];
  /** The body's schema; `multipart` for uploads (POST /attachments), whose form fields it describes. */
  requestBody: { required: boolean; schema: unknown; multipart?: boolean } | undefined;
}

interface LoadedSpec {
  components: JsonObject;
  operations: Operation[];
}

const SUBSET_URL = new URL("./asana-oas-subset.json", import.meta.url);
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new Error(`asana-oas-subset.json: ${what} is not a string`);
  return value;
}

// --- loading ---------------------------------------------------------------------------------------

let loaded: LoadedSpec | undefined;

function spec(): LoadedSpec {
  if (loaded) return loaded;
  const doc: unknown = JSON.parse(readFileSync(SUBSET_URL, "utf8"));
  if (!isObject(doc) || !isObject(doc.paths) || !isObject(doc.components)) {
    throw new Error("asana-oas-subset.json is not an OpenAPI document");
  }
  const components = doc.components;
  const operations: Operation[] = [];
  for (const [pathTemplate, item] of Object.entries(doc.paths)) {
    if (!isObject(item)) continue;
    const pathParams = readParameters(components, item.parameters, pathTemplate);
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const operationId = asString(op.operationId, `${method} ${pathTemplate} operationId`);
      // Operation-level parameters override path-level ones with the same name and location.
      const opParams = readParameters(components, op.parameters, operationId);
      const parameters = [
        ...pathParams.filter((p) => !opParams.some((o) => o.name === p.name && o.in === p.in)),
        ...opParams,
        ...(DOCUMENTED_EXTRA_QUERY_PARAMS[operationId] ?? []),
      ];
      operations.push({
        operationId,
        method,
        pathTemplate,
        segments: pathTemplate.split("/").slice(1),
        parameters,
        requestBody: readRequestBody(components, op.requestBody, operationId),
      });
    }
  }
  // A renamed schema would make its erratum silently stop applying; fail instead.
  for (const ref of Object.keys(SCHEMA_ERRATA)) resolveRef(components, ref);
  loaded = { components, operations };
  return loaded;
}

function resolveRef(components: JsonObject, ref: string): unknown {
  const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
  const kind = match?.[1];
  const name = match?.[2];
  const table = kind === undefined ? undefined : components[kind];
  const target = isObject(table) && name !== undefined ? table[name] : undefined;
  if (target === undefined) throw new Error(`asana-oas-subset.json: unresolvable $ref ${ref}`);
  return target;
}

function readParameters(components: JsonObject, list: unknown, where: string): Parameter[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new Error(`asana-oas-subset.json: parameters of ${where} is not a list`);
  return list.map((entry: unknown): Parameter => {
    const p = isObject(entry) && typeof entry.$ref === "string" ? resolveRef(components, entry.$ref) : entry;
    if (!isObject(p)) throw new Error(`asana-oas-subset.json: bad parameter in ${where}`);
    return {
      name: asString(p.name, `parameter name in ${where}`),
      in: asString(p.in, `parameter location in ${where}`),
      // Path parameters are always required in OpenAPI, whatever the flag says.
      required: p.required === true || p.in === "path",
      description: typeof p.description === "string" ? p.description : "",
      schema: p.schema ?? {},
      style: typeof p.style === "string" ? p.style : undefined,
      explode: typeof p.explode === "boolean" ? p.explode : undefined,
      allowEmptyValue: p.allowEmptyValue === true,
    };
  });
}

function readRequestBody(components: JsonObject, body: unknown, where: string): Operation["requestBody"] {
  if (body === undefined) return undefined;
  const b = isObject(body) && typeof body.$ref === "string" ? resolveRef(components, body.$ref) : body;
  if (!isObject(b) || !isObject(b.content))
    throw new Error(`asana-oas-subset.json: bad requestBody in ${where}`);
  const media = b.content["application/json"];
  if (isObject(media)) return { required: b.required === true, schema: media.schema ?? {} };
  const form = b.content["multipart/form-data"];
  if (isObject(form)) return { required: b.required === true, schema: form.schema ?? {}, multipart: true };
  throw new Error(`asana-oas-subset.json: ${where} has no application/json or multipart/form-data body`);
}

// --- parameters the spec documents only in prose -----------------------------------------------------

// searchTasksForWorkspace's description documents `limit` ("Page sizes are limited to a maximum of
// 100 items, and can be specified by the `limit` query parameter") and a family of templated
// `custom_fields.{gid}.*` / `custom_types.{gid}.*` filters, but its `parameters` list declares none of
// them. Without these entries every paginated or custom-field search we send would be reported as
// using an undeclared parameter. Each entry quotes the type the description's table gives.
const DOCUMENTED_EXTRA_QUERY_PARAMS: Record<string, Parameter[]> = {
  searchTasksForWorkspace: [
    documented("limit", { type: "integer", minimum: 1, maximum: 100 }),
    documented("custom_fields.{gid}.is_set", { type: "boolean" }, /^custom_fields\.\d+\.is_set$/),
    documented(
      "custom_fields.{gid}.value|starts_with|ends_with|contains",
      { type: "string" },
      /^custom_fields\.\d+\.(value|starts_with|ends_with|contains)$/,
    ),
    documented(
      "custom_fields.{gid}.less_than|greater_than",
      { type: "number" },
      /^custom_fields\.\d+\.(less_than|greater_than)$/,
    ),
    documented(
      "custom_fields.{gid}.before|after",
      { type: "string", format: "date" },
      /^custom_fields\.\d+\.(before|after)$/,
    ),
    documented(
      "custom_types.{gid}.custom_type_status_option.gid",
      { type: "string", pattern: "^\\d+$" },
      /^custom_types\.\d+\.custom_type_status_option\.gid$/,
    ),
  ],
};

function documented(name: string, schema: JsonObject, namePattern?: RegExp): Parameter {
  const p: Parameter = {
    name,
    in: "query",
    required: false,
    description: "Documented in the operation description but not declared as a parameter.",
    schema,
    style: undefined,
    explode: undefined,
    allowEmptyValue: false,
  };
  if (namePattern) p.namePattern = namePattern;
  return p;
}

// --- path matching ---------------------------------------------------------------------------------

function isTemplateSegment(segment: string): boolean {
  return segment.startsWith("{") && segment.endsWith("}");
}

function pathSegments(path: string): string[] | undefined {
  if (!path.startsWith("/")) return undefined;
  return path.split("/").slice(1);
}

function templateMatches(op: Operation, segments: string[]): boolean {
  if (op.segments.length !== segments.length) return false;
  // A template segment matches exactly one non-empty segment; literals must match exactly.
  return op.segments.every((t, i) => {
    const actual = segments[i];
    if (actual === undefined || actual === "") return false;
    return isTemplateSegment(t) || t === actual;
  });
}

interface PathMatch {
  templates: string[];
  /** Operations on the single most specific matching template; empty when nothing matched. */
  candidates: Operation[];
}

function matchPath(path: string): PathMatch {
  const segments = pathSegments(path);
  if (!segments) return { templates: [], candidates: [] };
  const matching = spec().operations.filter((op) => templateMatches(op, segments));
  const templates = [...new Set(matching.map((op) => op.pathTemplate))];
  if (templates.length <= 1) return { templates, candidates: matching };
  // OpenAPI: concrete paths win over templated ones, so prefer the template with most literal segments.
  const literalCount = (t: string) => t.split("/").filter((s) => s !== "" && !isTemplateSegment(s)).length;
  const best = Math.max(...templates.map(literalCount));
  const winners = templates.filter((t) => literalCount(t) === best);
  return { templates: winners, candidates: matching.filter((op) => winners.includes(op.pathTemplate)) };
}

export function findOperation(
  method: string,
  path: string,
): { operationId: string; pathTemplate: string } | undefined {
  const { templates, candidates } = matchPath(path);
  if (templates.length !== 1) return undefined;
  const op = candidates.find((o) => o.method === method.toLowerCase());
  return op ? { operationId: op.operationId, pathTemplate: op.pathTemplate } : undefined;
}

// --- schema conversion (OpenAPI 3.0 -> JSON Schema draft-07, request direction) ----------------------

/** Follows `$ref` chains and flattens `allOf`, returning a schema with neither at the top level. */
function flatten(
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

function toRequestSchema(components: JsonObject, input: unknown, refs: readonly string[]): JsonSchema {
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

function validator(key: string, build: () => JsonSchema): ValidateFunction {
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

function formatProblem(where: string, e: ErrorObject): string {
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

// --- request validation ------------------------------------------------------------------------------

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function checkPathParams(op: Operation, path: string, problems: string[]): void {
  const actual = pathSegments(path) ?? [];
  op.segments.forEach((t, i) => {
    if (!isTemplateSegment(t)) return;
    const name = t.slice(1, -1);
    const raw = actual[i] ?? "";
    const value = decodeSegment(raw);
    const param = op.parameters.find((p) => p.in === "path" && p.name === name);
    if (!param) {
      problems.push(`path parameter {${name}} is not declared for this operation`);
    } else if (value === undefined || value.trim() === "") {
      problems.push(`path parameter {${name}}: ${JSON.stringify(raw)} is not a valid segment`);
    } else if (name.endsWith("_gid")) {
      // Every gid is an opaque digit string. The spec only lets user identifiers be "me" or an email,
      // and says so in the parameter description ("This can either be the string \"me\", an email,
      // or the gid of a user"), which is the only place that rule is written down.
      const userLike = param.description.includes('"me"');
      const ok = /^\d+$/.test(value) || (userLike && (value === "me" || /^[^\s@/]+@[^\s@/]+$/.test(value)));
      if (!ok) {
        problems.push(
          `path parameter {${name}}: ${JSON.stringify(value)} is not a gid (digit string)${userLike ? ', "me" or an email' : ""}`,
        );
      }
    }
  });
}

type Parsed = { value: unknown } | { problem: string };

/** Turns a query string value into the typed value its schema describes (OpenAPI style: form). */
function parseQueryValue(param: Parameter, raw: string, schema: JsonObject): Parsed {
  if (schema.nullable === true && raw === "null") return { value: null };
  switch (schema.type) {
    case "array": {
      // style: form, explode: false -> "a,b,c". With explode: true the key would repeat, which a
      // Record<string, string> cannot carry, so a single value is a one-item array.
      const parts = param.explode === false ? raw.split(",") : [raw];
      const itemSchema = isObject(schema.items) ? flatten(spec().components, schema.items, []).schema : {};
      const values: unknown[] = [];
      for (const part of parts) {
        const parsed = parseQueryValue(param, part, itemSchema);
        if ("problem" in parsed) return parsed;
        values.push(parsed.value);
      }
      return { value: values };
    }
    case "boolean":
      if (raw === "true" || raw === "false") return { value: raw === "true" };
      // allowEmptyValue (opt_pretty): "?opt_pretty" or "?opt_pretty=" switches the flag on.
      if (raw === "" && param.allowEmptyValue) return { value: true };
      return { problem: `${JSON.stringify(raw)} is not a boolean ("true" or "false")` };
    case "integer":
      return /^-?\d+$/.test(raw)
        ? { value: Number(raw) }
        : { problem: `${JSON.stringify(raw)} is not an integer` };
    case "number": {
      const n = Number(raw);
      return raw.trim() !== "" && Number.isFinite(n)
        ? { value: n }
        : { problem: `${JSON.stringify(raw)} is not a number` };
    }
    default:
      return { value: raw };
  }
}

function findQueryParam(op: Operation, name: string): Parameter | undefined {
  return (
    op.parameters.find((p) => p.in === "query" && p.namePattern === undefined && p.name === name) ??
    op.parameters.find((p) => p.in === "query" && p.namePattern?.test(name) === true)
  );
}

function checkQuery(op: Operation, query: Record<string, string>, problems: string[]): void {
  const { components } = spec();
  for (const [name, raw] of Object.entries(query)) {
    const param = findQueryParam(op, name);
    if (!param) {
      problems.push(`query parameter "${name}" is not declared for this operation`);
      continue;
    }
    const schema = flatten(components, param.schema, []).schema;
    const parsed = parseQueryValue(param, raw, schema);
    if ("problem" in parsed) {
      problems.push(`query ${name}: ${parsed.problem}`);
      continue;
    }
    const validate = validator(`${op.operationId} query ${param.name}`, () =>
      toRequestSchema(components, param.schema, []),
    );
    if (!validate(parsed.value)) {
      for (const e of validate.errors ?? []) problems.push(formatProblem(`query ${name}`, e));
    }
  }
  for (const p of op.parameters) {
    if (p.in === "query" && p.required && p.namePattern === undefined && !Object.hasOwn(query, p.name)) {
      problems.push(`required query parameter "${p.name}" is missing`);
    }
  }
}

function checkBody(op: Operation, body: unknown, problems: string[]): void {
  const rb = op.requestBody;
  if (!rb) {
    if (body !== undefined) problems.push("this operation takes no request body, but one was sent");
    return;
  }
  if (rb.multipart) {
    if (body === undefined)
      problems.push("this operation requires a multipart/form-data body, but none was sent");
    else checkForm(op, body, problems);
    return;
  }
  if (body === undefined) {
    // The spec marks a few bodies optional even though the schema inside has required fields
    // (createSectionForProject, addTaskForSection); absence is only an error when it says required.
    if (rb.required) problems.push("this operation requires a request body, but none was sent");
    return;
  }
  const validate = validator(`${op.operationId} body`, () => {
    const converted = toRequestSchema(spec().components, rb.schema, []);
    // Asana wraps every request body in {data: …}; the spec declares the envelope but does not mark
    // `data` required, and a body without it is rejected, so require it here.
    if (isObject(converted) && isObject(converted.properties) && "data" in converted.properties) {
      return { ...converted, required: ["data"] };
    }
    return converted;
  });
  if (!validate(body)) {
    for (const e of validate.errors ?? []) problems.push(formatProblem("body", e));
  }
}

// --- multipart/form-data bodies ----------------------------------------------------------------------

/**
 * The rules an upload's description states in prose, which its schema cannot: each quoted from
 * AttachmentRequest in the spec.
 */
const DOCUMENTED_FORM_RULES: Record<string, (fields: JsonObject) => string[]> = {
  createAttachmentForObject: (fields) => {
    const problems: string[] = [];
    if (fields.resource_subtype === "external") {
      // "Note that if the value of `resource_subtype` is `external`, a `parent`, `name`, and `url` must also be provided."
      for (const name of ["name", "url"]) {
        if (fields[name] === undefined)
          problems.push(`an external attachment needs the form field "${name}"`);
      }
    } else if (fields.file === undefined) {
      // file: "Required for `asana` attachments." (the default subtype)
      problems.push('an asana (file) attachment needs the form field "file"');
    }
    return problems;
  },
};

/**
 * A multipart body as the sandbox records it (RecordedForm: `{multipart: parts}`, a part being
 * `{name, value}` or a file `{name, filename, type, size}`), checked against the form's schema: every
 * field declared and sent once, `format: binary` fields as file parts and the others as text, the
 * text converted to the declared type, then the schema and the description's own rules.
 */
function checkForm(op: Operation, body: unknown, problems: string[]): void {
  const { components } = spec();
  if (!isObject(body) || !Array.isArray(body.multipart)) {
    problems.push("this operation takes a multipart/form-data body (form fields), not JSON");
    return;
  }
  const schema = flatten(components, op.requestBody?.schema, []).schema;
  const declared = isObject(schema.properties) ? schema.properties : {};
  const fields: JsonObject = {};
  for (const part of body.multipart as unknown[]) {
    if (!isObject(part) || typeof part.name !== "string") {
      problems.push("form: a part without a name");
      continue;
    }
    const name = part.name;
    if (Object.hasOwn(fields, name)) {
      problems.push(`form field "${name}" is sent more than once`);
      continue;
    }
    const property = declared[name];
    if (property === undefined) {
      problems.push(`form field "${name}" is not declared in the spec`);
      continue;
    }
    const field = flatten(components, property, []).schema;
    const isFile = typeof part.filename === "string";
    if (field.format === "binary") {
      if (!isFile) {
        problems.push(`form field "${name}" must be a file part (with a filename), not text`);
        continue;
      }
      const filename = part.filename as string;
      // "For file names that contain non-ASCII characters, the file name should be URL-encoded."
      if ([...filename].some((c) => c.charCodeAt(0) > 0x7e || c.charCodeAt(0) < 0x20)) {
        problems.push(
          `form field "${name}": file name ${JSON.stringify(filename)} is not URL-encoded ASCII, as the spec asks of non-ASCII names`,
        );
      }
      fields[name] = filename;
      continue;
    }
    if (isFile || typeof part.value !== "string") {
      problems.push(`form field "${name}" must be a text field, not a file`);
      continue;
    }
    const raw = part.value;
    fields[name] = field.type === "boolean" && (raw === "true" || raw === "false") ? raw === "true" : raw;
  }
  const validate = validator(`${op.operationId} form`, () => toRequestSchema(components, schema, []));
  if (!validate(fields)) {
    for (const e of validate.errors ?? []) problems.push(formatProblem("form", e));
  }
  problems.push(...(DOCUMENTED_FORM_RULES[op.operationId]?.(fields) ?? []));
}

export function validateRequest(req: BuiltRequest): string[] {
  const method = req.method.toUpperCase();
  const label = `${method} ${req.path}`;
  if (req.path.includes("?") || req.path.includes("#")) {
    return [`${label}: path must be a bare pathname; put query parameters in \`query\``];
  }
  if (req.path.startsWith("/api/1.0")) {
    return [`${label}: path must be relative to the API base (drop the /api/1.0 prefix)`];
  }
  const { templates, candidates } = matchPath(req.path);
  if (templates.length === 0) return [`${label}: no path in the spec subset matches`];
  if (templates.length > 1) return [`${label}: ambiguous, matches ${templates.join(" and ")}`];
  const op = candidates.find((o) => o.method === method.toLowerCase());
  if (!op) {
    const allowed = candidates.map((o) => o.method.toUpperCase()).join(", ");
    return [`${label}: ${templates[0]} has no ${method} operation in the spec subset (it has: ${allowed})`];
  }
  const problems: string[] = [];
  checkPathParams(op, req.path, problems);
  checkQuery(op, req.query, problems);
  checkBody(op, req.body, problems);
  return problems.map((p) => `${label} (${op.operationId}): ${p}`);
}

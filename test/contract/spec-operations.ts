// The vendored subset of Asana's OpenAPI spec, loaded: its operations with their parameters and
// request bodies, the parameters it documents only in prose, and which operation a path names.

import { readFileSync } from "node:fs";

export type JsonObject = Record<string, unknown>;
export type JsonSchema = JsonObject | boolean;

export interface Parameter {
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

export interface Operation {
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

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new Error(`asana-oas-subset.json: ${what} is not a string`);
  return value;
}

// --- loading ---------------------------------------------------------------------------------------

let loaded: LoadedSpec | undefined;

export function spec(): LoadedSpec {
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
  loaded = { components, operations };
  return loaded;
}

export function resolveRef(components: JsonObject, ref: string): unknown {
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

export function isTemplateSegment(segment: string): boolean {
  return segment.startsWith("{") && segment.endsWith("}");
}

export function pathSegments(path: string): string[] | undefined {
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

export function matchPath(path: string): PathMatch {
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

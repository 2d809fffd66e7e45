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

import {
  isObject,
  isTemplateSegment,
  type JsonObject,
  matchPath,
  type Operation,
  type Parameter,
  pathSegments,
  spec,
} from "./spec-operations.js";
import { flatten, formatProblem, toRequestSchema, validator } from "./spec-schemas.js";

export { findOperation } from "./spec-operations.js";

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

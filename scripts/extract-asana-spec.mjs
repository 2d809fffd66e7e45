#!/usr/bin/env node
// Maintenance script, run by hand (never by tests):
//
//   node scripts/extract-asana-spec.mjs <path-to-asana_oas.yaml> [--commit <sha>]
//
// Reads Asana's official OpenAPI spec (defs/asana_oas.yaml in github.com/Asana/openapi) and writes
// test/contract/asana-oas-subset.json: only the operations this project calls, plus every component
// they reference. The full spec is 3 MB and Apache-2.0; a user's clone must be able to run the
// contract tests without it, so we vendor a small, deterministic subset instead (see NOTICE.md).
//
// What is kept and why:
// - operations: operationId, summary, tags, parameters, requestBody, responses, security. Enough to
//   validate a request (and, later, a response). Long prose (description, x-readme code samples) is
//   dropped: it is most of the 3 MB and carries no contract.
// - schemas: every validation keyword (type, enum, format, pattern, nullable, readOnly, required,
//   minimum/maximum, items, allOf/anyOf/oneOf, additionalProperties, default, deprecated). Dropped:
//   description, example and x-* vendor keys (x-insert-after, x-env-variable are doc-generator hints).
// - parameters: everything except example and x-*; descriptions are kept because they carry contract
//   that the schema cannot express (e.g. user_gid accepts "me" or an email).
// Output is deterministic: operations in the order of OPERATIONS, components sorted by name, object
// keys in the order they appear in the spec, so regenerating from the same commit is a no-op diff.

import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const UPSTREAM_REPO = "https://github.com/Asana/openapi";
const UPSTREAM_PATH = "defs/asana_oas.yaml";
const DEFAULT_COMMIT = "fc9f8dcf224efa8e06bfc955d91dd95aac7a398d";

// The operations our client uses today or will use for the planned task tools.
// Where the operationId we expected does not exist, the real one is listed with a note (found by path).
const OPERATIONS = [
  "getUser",
  "getUsers",
  "getUsersForWorkspace",
  "getUsersForTeam",
  "getWorkspaces",
  "getWorkspace",
  "getProjects",
  "getProject",
  "getProjectsForWorkspace",
  "getProjectsForTeam",
  "getTeamsForWorkspace",
  "getTeamsForUser",
  "getTask",
  "getTasks",
  "getTasksForProject",
  "getTasksForSection",
  "getTasksForTag",
  "getAgentsForWorkspace",
  "searchTasksForWorkspace",
  "createTask",
  "updateTask",
  "deleteTask",
  "getSubtasksForTask",
  "createSubtaskForTask",
  "setParentForTask",
  "addProjectForTask",
  "removeProjectForTask",
  "addTagForTask",
  "removeTagForTask",
  "addFollowersForTask",
  // Expected "removeFollowersForTask"; POST /tasks/{task_gid}/removeFollowers is "removeFollowerForTask".
  "removeFollowerForTask",
  "getDependenciesForTask",
  "addDependenciesForTask",
  "removeDependenciesForTask",
  "getDependentsForTask",
  "addDependentsForTask",
  "removeDependentsForTask",
  "getStoriesForTask",
  "createStoryForTask",
  "getStory",
  "getSection",
  "getSectionsForProject",
  "createSectionForProject",
  "addTaskForSection",
  "getTagsForWorkspace",
  "getTags",
  "getTag",
  "createTagForWorkspace",
  "getCustomFieldSettingsForProject",
  "getCustomFieldsForWorkspace",
  "getCustomField",
  "getAttachmentsForObject",
  "getAttachment",
  "getStatusesForObject",
  "createStatusForObject",
  "getProjectStatusesForProject",
  "typeaheadForWorkspace",
  // Comments round trip.
  "updateStory",
  "deleteStory",
  // Attachments.
  "createAttachmentForObject",
  // Projects and sections.
  "createProject",
  "createProjectForWorkspace",
  "createProjectForTeam",
  "updateProject",
  "duplicateProject",
  "getProjectTemplates",
  "getProjectTemplatesForTeam",
  "getProjectTemplate",
  "instantiateProject",
  "getJob",
  "addMembersForProject",
  "removeMembersForProject",
  "getProjectMembershipsForProject",
  "getMemberships",
  "updateSection",
  "deleteSection",
  "insertSectionForProject",
  // Portfolios and goals.
  "getPortfolios",
  "getPortfolio",
  "getItemsForPortfolio",
  "getGoals",
  "getGoal",
  "getParentGoalsForGoal",
  "getTimePeriods",
  // Tags.
  "createTag",
  "updateTag",
  // Batch task writes.
  "createBatchRequest",
];

const OPERATION_NOTES = {
  removeFollowerForTask:
    'Requested as "removeFollowersForTask", which does not exist; this is the operation at POST /tasks/{task_gid}/removeFollowers.',
};

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

// Rules the schema keywords cannot express live only in prose ("should not be used together with
// `due_at`", "`due_on` or `due_at` must be present in the request…"). The sandbox enforces some of
// them, and test/contract/sandbox-rules.test.ts checks that each one it enforces is stated here, so the
// prose of these schema properties and operations is kept whole in a second, small file.
const DESCRIBED_PROPERTIES = {
  TaskBase: ["due_at", "due_on", "start_at", "start_on", "resource_subtype"],
  ProjectBase: ["due_on", "start_on", "due_date", "color", "archived"],
};
const DESCRIBED_OPERATIONS = [
  "typeaheadForWorkspace",
  "createSubtaskForTask",
  "getTasksForProject",
  "deleteSection",
  "insertSectionForProject",
  "updateStory",
  "deleteStory",
  "createAttachmentForObject",
  "createBatchRequest",
  "instantiateProject",
  "createProject",
];

function usage(message) {
  if (message) console.error(`error: ${message}`);
  console.error("usage: node scripts/extract-asana-spec.mjs <path-to-asana_oas.yaml> [--commit <sha>]");
  process.exit(2);
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// --- stripping -------------------------------------------------------------------------------------

// Schema-aware walk: only keys of a *schema object* are filtered. Names inside `properties` are data
// (Asana has real properties called "description"), so they are never filtered.
function stripSchema(schema) {
  if (Array.isArray(schema)) return schema.map(stripSchema);
  if (!isObject(schema)) return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "description" || key === "example" || key === "examples" || key.startsWith("x-")) continue;
    if (key === "properties" && isObject(value)) {
      out.properties = {};
      for (const [name, sub] of Object.entries(value)) out.properties[name] = stripSchema(sub);
    } else if (key === "items" || key === "not" || (key === "additionalProperties" && isObject(value))) {
      out[key] = stripSchema(value);
    } else if ((key === "allOf" || key === "anyOf" || key === "oneOf") && Array.isArray(value)) {
      out[key] = value.map(stripSchema);
    } else {
      // enum, required, type, format, ... are plain data: copy verbatim.
      out[key] = structuredClone(value);
    }
  }
  return out;
}

function stripParameter(param) {
  if ("$ref" in param) return { $ref: param.$ref };
  const out = {};
  for (const [key, value] of Object.entries(param)) {
    if (key === "example" || key === "examples" || key.startsWith("x-")) continue;
    out[key] = key === "schema" ? stripSchema(value) : structuredClone(value);
  }
  return out;
}

function stripContent(content) {
  const out = {};
  for (const [mediaType, media] of Object.entries(content)) {
    out[mediaType] = media.schema === undefined ? {} : { schema: stripSchema(media.schema) };
  }
  return out;
}

// Used for both requestBody and responses (same shape: description?, required?, content?).
function stripBodyLike(body) {
  if ("$ref" in body) return { $ref: body.$ref };
  const out = {};
  if (typeof body.description === "string") out.description = body.description;
  if (body.required !== undefined) out.required = body.required;
  if (isObject(body.content)) out.content = stripContent(body.content);
  return out;
}

function stripOperation(operationId, op) {
  const out = { operationId };
  if (typeof op.summary === "string") out.summary = op.summary;
  if (Array.isArray(op.tags)) out.tags = [...op.tags];
  if (OPERATION_NOTES[operationId]) out["x-note"] = OPERATION_NOTES[operationId];
  if (Array.isArray(op.parameters)) out.parameters = op.parameters.map(stripParameter);
  if (isObject(op.requestBody)) {
    // The request body's description is prose; `required` and the schema are the contract.
    const { description: _ignored, ...rest } = stripBodyLike(op.requestBody);
    out.requestBody = rest;
  }
  if (isObject(op.responses)) {
    out.responses = {};
    for (const [status, response] of Object.entries(op.responses))
      out.responses[status] = stripBodyLike(response);
  }
  if (Array.isArray(op.security)) out.security = structuredClone(op.security);
  if (op.deprecated !== undefined) out.deprecated = op.deprecated;
  return out;
}

// --- reference closure -----------------------------------------------------------------------------

function collectRefs(value, found) {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, found);
  } else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string") found.add(v);
      else collectRefs(v, found);
    }
  }
}

const COMPONENT_KINDS = {
  schemas: stripSchema,
  parameters: stripParameter,
  responses: stripBodyLike,
};

// JSON.stringify(…, 1) puts every enum member on its own line, which triples the file size (opt_fields
// enums have up to 143 members). Arrays of primitives go on one line; everything else is indented, so a
// regenerated file still diffs readably.
function stringify(value, indent) {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => !isObject(v) && !Array.isArray(v)))
      return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    const inner = `${indent} `;
    return `[\n${value.map((v) => inner + stringify(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (isObject(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    const inner = `${indent} `;
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function main() {
  const args = process.argv.slice(2);
  let input;
  let commit = DEFAULT_COMMIT;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--commit") {
      commit = args[++i];
      if (!commit || !/^[0-9a-f]{40}$/.test(commit)) usage("--commit needs a 40-hex-digit sha");
    } else if (arg === "-h" || arg === "--help") {
      usage();
    } else if (input === undefined) {
      input = arg;
    } else {
      usage(`unexpected argument ${arg}`);
    }
  }
  if (input === undefined) usage("missing path to asana_oas.yaml");

  const raw = readFileSync(input);
  const sha256 = createHash("sha256").update(raw).digest("hex");
  // maxAliasCount: -1 because the spec is large; it has no anchors today, but a limit would make a
  // future spec with many aliases fail in a confusing way.
  const doc = parse(raw.toString("utf8"), { maxAliasCount: -1 });
  if (!isObject(doc) || !isObject(doc.paths) || !isObject(doc.components)) {
    throw new Error(`${input} does not look like an OpenAPI document`);
  }

  // Index every operation by operationId.
  const byId = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (isObject(op) && typeof op.operationId === "string") byId.set(op.operationId, { path, method, op });
    }
  }
  const missing = OPERATIONS.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new Error(`operationIds not found in the spec: ${missing.join(", ")}`);

  // Group the wanted operations by path; path-level parameters are kept once per path.
  const paths = {};
  for (const id of OPERATIONS) {
    const { path, method, op } = byId.get(id);
    if (!paths[path]) {
      paths[path] = {};
      const item = doc.paths[path];
      if (Array.isArray(item.parameters)) paths[path].parameters = item.parameters.map(stripParameter);
    }
    paths[path][method] = stripOperation(id, op);
  }

  // Transitive closure over $refs. Only local "#/components/<kind>/<name>" refs exist in this spec;
  // anything else is an error so a future spec change cannot silently produce a broken subset.
  const components = { schemas: {}, parameters: {}, responses: {} };
  const pending = new Set();
  collectRefs(paths, pending);
  const done = new Set();
  while (pending.size > 0) {
    const ref = pending.values().next().value;
    pending.delete(ref);
    if (done.has(ref)) continue;
    done.add(ref);
    const match = /^#\/components\/(schemas|parameters|responses)\/([^/]+)$/.exec(ref);
    if (!match) throw new Error(`unsupported $ref ${ref}`);
    const [, kind, name] = match;
    const source = doc.components[kind]?.[name];
    if (!isObject(source)) throw new Error(`dangling $ref ${ref}`);
    const stripped = COMPONENT_KINDS[kind](source);
    components[kind][name] = stripped;
    collectRefs(stripped, pending);
  }

  // Security schemes named by any kept `security` requirement (operation-level or top-level).
  const schemeNames = new Set();
  const addSchemes = (security) => {
    if (!Array.isArray(security)) return;
    for (const requirement of security) for (const name of Object.keys(requirement)) schemeNames.add(name);
  };
  addSchemes(doc.security);
  for (const item of Object.values(paths)) {
    for (const method of HTTP_METHODS) addSchemes(item[method]?.security);
  }
  const securitySchemes = {};
  for (const name of [...schemeNames].sort()) {
    const scheme = doc.components.securitySchemes?.[name];
    if (!isObject(scheme)) throw new Error(`security scheme ${name} not found`);
    securitySchemes[name] = structuredClone(scheme);
  }

  const sortByName = (record) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

  const subset = {
    "x-source": {
      repository: UPSTREAM_REPO,
      path: UPSTREAM_PATH,
      commit,
      sha256,
      license: "Apache-2.0",
      generator: "scripts/extract-asana-spec.mjs",
      note: "Subset of Asana's OpenAPI spec: only the operations asana-mcp uses and the components they reference. description/example/x-* keys are removed from schemas. See test/contract/NOTICE.md.",
    },
    openapi: doc.openapi,
    info: {
      title: doc.info?.title,
      version: doc.info?.version,
      license: structuredClone(doc.info?.license),
    },
    servers: structuredClone(doc.servers),
    security: structuredClone(doc.security),
    paths,
    components: {
      parameters: sortByName(components.parameters),
      responses: sortByName(components.responses),
      schemas: sortByName(components.schemas),
      securitySchemes,
    },
  };

  const here = dirname(fileURLToPath(import.meta.url));
  writeRules(doc, byId, { commit, sha256 }, resolve(here, "../test/contract/asana-field-rules.json"));
  const outPath = resolve(here, "../test/contract/asana-oas-subset.json");
  const text = `${stringify(subset, "")}\n`;
  writeFileSync(outPath, text);
  const opCount = Object.values(paths).reduce(
    (n, item) => n + HTTP_METHODS.filter((m) => item[m] !== undefined).length,
    0,
  );
  console.log(
    `wrote ${outPath}: ${text.length} bytes, ${Object.keys(paths).length} paths, ${opCount} operations, ` +
      `${Object.keys(components.schemas).length} schemas, ${Object.keys(components.parameters).length} parameters, ` +
      `${Object.keys(components.responses).length} responses\n` +
      `source commit ${commit}, sha256 ${sha256} (update test/contract/NOTICE.md if these changed)`,
  );
}

// A property declared on the schema itself or on one of its allOf parts (following local $refs).
function findProperty(doc, schema, name) {
  if (!isObject(schema)) return undefined;
  if (typeof schema.$ref === "string") {
    const target = /^#\/components\/schemas\/([^/]+)$/.exec(schema.$ref)?.[1];
    return target === undefined ? undefined : findProperty(doc, doc.components.schemas?.[target], name);
  }
  if (isObject(schema.properties) && isObject(schema.properties[name])) return schema.properties[name];
  for (const part of Array.isArray(schema.allOf) ? schema.allOf : []) {
    const found = findProperty(doc, part, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

// The prose that states rules: each DESCRIBED_PROPERTIES property with its type keywords and whole
// description, and each DESCRIBED_OPERATIONS operation's description.
function writeRules(doc, byId, source, outPath) {
  const properties = {};
  for (const [schema, names] of Object.entries(DESCRIBED_PROPERTIES)) {
    for (const name of names) {
      const prop = findProperty(doc, doc.components.schemas?.[schema], name);
      if (!isObject(prop) || typeof prop.description !== "string") {
        throw new Error(`${schema}.${name} is missing or has no description`);
      }
      const { type, format, nullable, enum: values, readOnly, description } = prop;
      properties[`${schema}.${name}`] = { type, format, nullable, enum: values, readOnly, description };
    }
  }
  const operations = {};
  for (const id of DESCRIBED_OPERATIONS) {
    const found = byId.get(id);
    if (found === undefined || typeof found.op.description !== "string") {
      throw new Error(`operation ${id} is missing or has no description`);
    }
    operations[id] = {
      method: found.method.toUpperCase(),
      path: found.path,
      description: found.op.description,
    };
  }
  const rules = {
    "x-source": {
      repository: UPSTREAM_REPO,
      path: UPSTREAM_PATH,
      ...source,
      license: "Apache-2.0",
      generator: "scripts/extract-asana-spec.mjs",
      note: "Descriptions (verbatim) of the schema properties and operations whose prose states rules the schema keywords cannot. See test/contract/NOTICE.md.",
    },
    properties,
    operations,
  };
  writeFileSync(outPath, `${stringify(rules, "")}\n`);
  console.log(`wrote ${outPath}`);
}

main();

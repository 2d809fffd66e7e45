// Tests of the contract validator itself, with hand-written requests. The server's real requests
// are checked elsewhere (the lead runs validateRequest on everything the fake Asana records); here we
// only prove the validator accepts what Asana accepts and rejects, with a readable reason, what it
// would reject.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type BuiltRequest, findOperation, validateRequest } from "./spec.js";

function req(method: string, path: string, query: Record<string, string> = {}, body?: unknown): BuiltRequest {
  return body === undefined ? { method, path, query } : { method, path, query, body };
}

/** Asserts exactly one problem, mentioning every fragment given. */
function expectOneProblem(request: BuiltRequest, ...fragments: string[]): void {
  const problems = validateRequest(request);
  expect(problems).toHaveLength(1);
  for (const fragment of fragments) expect(problems[0]).toContain(fragment);
}

describe("findOperation", () => {
  it("maps concrete paths to operationIds and templates", () => {
    expect(findOperation("GET", "/users/me")).toEqual({
      operationId: "getUser",
      pathTemplate: "/users/{user_gid}",
    });
    expect(findOperation("post", "/tasks/1/stories")).toEqual({
      operationId: "createStoryForTask",
      pathTemplate: "/tasks/{task_gid}/stories",
    });
    expect(findOperation("GET", "/workspaces/1/tasks/search")?.operationId).toBe("searchTasksForWorkspace");
    expect(findOperation("POST", "/tasks/1/removeFollowers")?.operationId).toBe("removeFollowerForTask");
  });

  it("returns undefined for unknown paths and methods", () => {
    expect(findOperation("GET", "/nope")).toBeUndefined();
    expect(findOperation("GET", "/tasks/1/addTag")).toBeUndefined();
    expect(findOperation("GET", "/tasks//stories")).toBeUndefined();
  });
});

describe("validateRequest accepts valid requests", () => {
  const valid: [string, BuiltRequest][] = [
    [
      "GET /users/me with opt_fields",
      req("GET", "/users/me", { opt_fields: "name,email,workspaces,workspaces.name" }),
    ],
    [
      "GET /projects with workspace, limit, archived, opt_fields",
      req("GET", "/projects", {
        workspace: "1",
        limit: "100",
        archived: "false",
        opt_fields: "name,archived",
      }),
    ],
    ["POST /tasks/1/stories with text", req("POST", "/tasks/1/stories", {}, { data: { text: "hi" } })],
    [
      "POST /tasks/1/stories with html_text and is_pinned",
      req("POST", "/tasks/1/stories", {}, { data: { html_text: "<body>x</body>", is_pinned: true } }),
    ],
    ["GET /users by email", req("GET", "/users/someone%40example.com")],
    ["GET /workspaces with opt_pretty flag", req("GET", "/workspaces", { opt_pretty: "" })],
    ["GET /workspaces with limit=1", req("GET", "/workspaces", { limit: "1", offset: "eyJ0eXAiOJiKV1iQ" })],
    [
      "createTask with allOf-inherited and nullable fields",
      req(
        "POST",
        "/tasks",
        {},
        {
          data: {
            name: "x",
            workspace: "1",
            projects: ["2"],
            assignee: null,
            due_on: "2026-04-21",
            custom_fields: { "3": "4" },
            resource_subtype: "milestone",
          },
        },
      ),
    ],
    ["updateTask clearing due_at", req("PUT", "/tasks/1", {}, { data: { completed: true, due_at: null } })],
    ["deleteTask", req("DELETE", "/tasks/1")],
    ["setParent", req("POST", "/tasks/1/setParent", {}, { data: { parent: null } })],
    ["createSectionForProject", req("POST", "/projects/1/sections", {}, { data: { name: "Doing" } })],
    [
      "searchTasksForWorkspace with documented-only params",
      req("GET", "/workspaces/1/tasks/search", {
        text: "bug",
        "assignee.any": "me",
        due_on: "null",
        "due_on.before": "2026-01-31",
        "custom_fields.123.is_set": "true",
        limit: "50",
        sort_by: "created_at",
      }),
    ],
    ["typeahead", req("GET", "/workspaces/1/typeahead", { resource_type: "user", query: "gr", count: "5" })],
    ["getTeamsForUser", req("GET", "/users/me/teams", { organization: "1" })],
  ];
  it.each(valid)("%s", (_name, request) => {
    expect(validateRequest(request)).toEqual([]);
  });
});

describe("validateRequest rejects invalid requests with a clear message", () => {
  it("limit above maximum", () => {
    expectOneProblem(req("GET", "/projects", { limit: "101" }), "getProjects", "query limit", "<= 100");
  });

  it("limit below minimum", () => {
    expectOneProblem(req("GET", "/projects", { limit: "0" }), "query limit", ">= 1");
  });

  it("limit that is not an integer", () => {
    expectOneProblem(req("GET", "/projects", { limit: "ten" }), "query limit", "not an integer");
  });

  it("boolean that is not true/false", () => {
    expectOneProblem(req("GET", "/projects", { archived: "yes" }), "query archived", "not a boolean");
  });

  it("unknown query parameter", () => {
    expectOneProblem(req("GET", "/projects", { colour: "red" }), 'query parameter "colour" is not declared');
  });

  it("opt_fields item not in the operation's enum", () => {
    expectOneProblem(
      req("GET", "/users/me", { opt_fields: "name,shoe_size" }),
      "query opt_fields[1]",
      '"shoe_size" is not one of the allowed values',
    );
  });

  it("string enum violation", () => {
    expectOneProblem(
      req("GET", "/workspaces/1/tasks/search", { sort_by: "size" }),
      "query sort_by",
      '"size"',
    );
  });

  it("missing required query parameter", () => {
    expectOneProblem(req("GET", "/attachments"), 'required query parameter "parent" is missing');
  });

  it("readOnly field in the story body", () => {
    expectOneProblem(
      req("POST", "/tasks/1/stories", {}, { data: { text: "hi", gid: "5" } }),
      "body/data/gid",
      "readOnly",
    );
  });

  it("created_by in the story body (not even declared on StoryBase)", () => {
    expectOneProblem(
      req("POST", "/tasks/1/stories", {}, { data: { text: "hi", created_by: { gid: "1" } } }),
      'unknown property "created_by"',
    );
  });

  it("readOnly field inherited through allOf", () => {
    expectOneProblem(
      req("PUT", "/tasks/1", {}, { data: { num_likes: 3 } }),
      "body/data/num_likes",
      "readOnly",
    );
  });

  it("unknown field in the body", () => {
    expectOneProblem(
      req("POST", "/tasks/1/stories", {}, { data: { text: "hi", mood: "happy" } }),
      "body/data",
      'unknown property "mood"',
    );
  });

  it("unknown field next to the data envelope", () => {
    expectOneProblem(
      req("POST", "/tasks/1/stories", {}, { data: { text: "hi" }, extra: 1 }),
      'unknown property "extra"',
    );
  });

  it("body without the data envelope", () => {
    const problems = validateRequest(req("POST", "/tasks/1/stories", {}, { text: "hi" }));
    expect(problems.join("\n")).toContain('missing required property "data"');
  });

  it("wrong type and bad format in the body", () => {
    const problems = validateRequest(
      req("PUT", "/tasks/1", {}, { data: { completed: "yes", due_on: "tomorrow" } }),
    );
    expect(problems).toHaveLength(2);
    expect(problems.join("\n")).toMatch(/body\/data\/completed: must be boolean/);
    expect(problems.join("\n")).toMatch(/body\/data\/due_on: must match format "date"/);
  });

  it("missing required body property", () => {
    expectOneProblem(
      req("POST", "/tasks/1/addFollowers", {}, { data: {} }),
      'missing required property "followers"',
    );
  });

  it("unknown path", () => {
    expectOneProblem(req("GET", "/tasks/1/frobnicate"), "no path in the spec subset matches");
  });

  it("path with the /api/1.0 prefix", () => {
    expectOneProblem(req("GET", "/api/1.0/users/me"), "drop the /api/1.0 prefix");
  });

  it("GET on a POST-only path", () => {
    expectOneProblem(req("GET", "/tasks/1/addTag"), "has no GET operation", "POST");
  });

  it("missing body on POST stories", () => {
    expectOneProblem(req("POST", "/tasks/1/stories"), "requires a request body, but none was sent");
  });

  it("body on an operation that takes none", () => {
    expectOneProblem(req("DELETE", "/tasks/1", {}, { data: {} }), "takes no request body");
  });

  it("documented-only search filter with a bad value", () => {
    expectOneProblem(
      req("GET", "/workspaces/1/tasks/search", { "custom_fields.123.is_set": "maybe" }),
      "query custom_fields.123.is_set",
      "not a boolean",
    );
    expectOneProblem(
      req("GET", "/workspaces/1/tasks/search", { "custom_fields.abc.is_set": "true" }),
      "not declared",
    );
  });

  it("completed_since=now: accepted where the spec says so, not on getTasks (declared date-time)", () => {
    expect(validateRequest(req("GET", "/projects/1/tasks", { completed_since: "now" }))).toEqual([]);
    expectOneProblem(req("GET", "/tasks", { project: "1", completed_since: "now" }), 'format "date-time"');
  });

  it("path parameter that is not a gid", () => {
    expectOneProblem(req("GET", "/tasks/abc"), "{task_gid}", "not a gid");
    // "me" is only allowed where the spec says so (user_gid), not for other gids.
    expectOneProblem(req("GET", "/workspaces/me"), "{workspace_gid}");
  });
});

// --- whole-subset checks -------------------------------------------------------------------------------
// These read the subset directly so that a regenerated subset with a new operation, parameter type or
// format the validator cannot handle fails here rather than in the lead's server tests.

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const subset: unknown = JSON.parse(readFileSync(new URL("./asana-oas-subset.json", import.meta.url), "utf8"));
if (!isJson(subset) || !isJson(subset.paths) || !isJson(subset.components)) throw new Error("bad subset");
const paths = subset.paths;
const componentParams = isJson(subset.components.parameters) ? subset.components.parameters : {};

interface SubsetOperation {
  operationId: string;
  method: string;
  template: string;
  params: Json[];
  body: Json | undefined;
}

function deref(p: unknown): Json {
  if (isJson(p) && typeof p.$ref === "string") {
    const target = componentParams[p.$ref.replace("#/components/parameters/", "")];
    if (isJson(target)) return target;
  }
  if (!isJson(p)) throw new Error("bad parameter");
  return p;
}

const operations: SubsetOperation[] = [];
for (const [template, item] of Object.entries(paths)) {
  if (!isJson(item)) continue;
  const shared = Array.isArray(item.parameters) ? item.parameters.map(deref) : [];
  for (const [method, op] of Object.entries(item)) {
    if (method === "parameters" || !isJson(op) || typeof op.operationId !== "string") continue;
    const own = Array.isArray(op.parameters) ? op.parameters.map(deref) : [];
    operations.push({
      operationId: op.operationId,
      method: method.toUpperCase(),
      template,
      params: [...shared.filter((p) => !own.some((o) => o.name === p.name)), ...own],
      body: isJson(op.requestBody) ? op.requestBody : undefined,
    });
  }
}

/** A value every declared schema in the subset accepts: the first enum member, the minimum, … */
function sampleValue(schema: unknown): string {
  if (!isJson(schema)) return "1";
  if (schema.type === "array") return sampleValue(schema.items);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return String(schema.enum[0]);
  if (schema.type === "boolean") return "true";
  if (schema.type === "integer" || schema.type === "number") {
    return String(typeof schema.minimum === "number" ? schema.minimum : 1);
  }
  if (schema.format === "date") return "2026-04-21";
  if (schema.format === "date-time") return "2026-04-21T10:00:00.000Z";
  return "1";
}

// One valid body per body-taking operation; doubles as a reference for what each one looks like.
const VALID_BODIES: Record<string, unknown> = {
  createTask: { data: { name: "t", workspace: "1", memberships: [{ project: "2", section: "3" }] } },
  updateTask: { data: { name: "t", custom_fields: { "1": 42, "2": "3", "4": null, "5": ["6"] } } },
  createSubtaskForTask: { data: { name: "t", assignee: "me" } },
  setParentForTask: { data: { parent: "1", insert_after: null } },
  addProjectForTask: { data: { project: "1", section: "2" } },
  removeProjectForTask: { data: { project: "1" } },
  addTagForTask: { data: { tag: "1" } },
  removeTagForTask: { data: { tag: "1" } },
  addFollowersForTask: { data: { followers: ["me", "1"] } },
  removeFollowerForTask: { data: { followers: ["1"] } },
  addDependenciesForTask: { data: { dependencies: ["1"] } },
  removeDependenciesForTask: { data: { dependencies: ["1"] } },
  addDependentsForTask: { data: { dependents: ["1"] } },
  removeDependentsForTask: { data: { dependents: ["1"] } },
  createStoryForTask: { data: { text: "hi" } },
  createSectionForProject: { data: { name: "s", insert_after: "1" } },
  addTaskForSection: { data: { task: "1" } },
  createTagForWorkspace: { data: { name: "urgent", color: null, followers: ["1"] } },
  createStatusForObject: { data: { parent: "1", text: "fine", status_type: "on_track", title: "Week 1" } },
  createProject: { data: { name: "p", workspace: "1", team: "2" } },
  createProjectForWorkspace: { data: { name: "p", color: "light-green" } },
  createProjectForTeam: { data: { name: "p", default_view: "board" } },
  updateProject: {
    data: { name: "p", archived: true, owner: "1", due_on: "2026-12-31", start_on: "2026-12-01" },
  },
  duplicateProject: { data: { name: "copy", include: "members,notes" } },
  instantiateProject: { data: { name: "from template", team: "1", public: false } },
  addMembersForProject: { data: { members: "1,2" } },
  removeMembersForProject: { data: { members: "1" } },
  updateStory: { data: { text: "edited", is_pinned: true } },
  updateSection: { data: { name: "renamed" } },
  insertSectionForProject: { data: { section: "1", before_section: "2" } },
  createTag: { data: { name: "urgent", workspace: "1" } },
  updateTag: { data: { name: "later", color: "dark-red" } },
  createAttachmentForObject: {
    multipart: [
      { name: "parent", value: "1" },
      { name: "resource_subtype", value: "external" },
      { name: "url", value: "https://example.com/a" },
      { name: "name", value: "a" },
    ],
  },
  createBatchRequest: {
    data: {
      actions: [
        { relative_path: "/tasks/1", method: "put", data: { name: "t" }, options: { fields: ["name"] } },
      ],
    },
  },
};

describe("every operation in the subset", () => {
  it("has the expected 87 operations", () => {
    expect(operations).toHaveLength(87);
  });

  it.each(operations.map((op) => [op.operationId, op] as const))(
    "%s accepts every declared query parameter with a sample value",
    (_id, op) => {
      const path = op.template.replace(/\{[^}]+\}/g, "1");
      const query: Record<string, string> = {};
      for (const p of op.params) {
        if (p.in === "query" && typeof p.name === "string") query[p.name] = sampleValue(p.schema);
      }
      const body = op.body ? VALID_BODIES[op.operationId] : undefined;
      if (op.body) expect(body, `add a VALID_BODIES entry for ${op.operationId}`).toBeDefined();
      expect(findOperation(op.method, path)).toEqual({
        operationId: op.operationId,
        pathTemplate: op.template,
      });
      expect(validateRequest(req(op.method, path, query, body))).toEqual([]);
    },
  );
});

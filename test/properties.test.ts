// Property-based tests over every tool's arguments: whatever an agent sends, the server answers
// with a well-formed result (never a crash, an internal error or an unhandled rejection), and
// nothing but a validated gid ever reaches a URL. Each tool gets its own fake Asana, so one tool's
// effects (a deleted task, a moved one) cannot decide another tool's outcomes, whatever the order.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { apiPath } from "../src/asana/http.js";
import { ERROR_TABLE } from "../src/errors.js";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  demoData,
  SANDBOX_TOKENS,
  SANDBOX_WORKSPACE_GIDS,
  SIDE_PROJECT_TASK_GID,
} from "../src/sandbox/demo-data.js";
import {
  DEMO_ATTACHMENT_GID,
  DEMO_FIELD_GIDS,
  DEMO_GOAL_GIDS,
  DEMO_PORTFOLIO_GIDS,
  DEMO_SECTION_GIDS,
  DEMO_SUBTASK_GIDS,
  DEMO_TAG_GIDS,
} from "../src/sandbox/demo-world.js";
import type { Tool } from "../src/tools/define.js";
import { ALL_TOOLS } from "../src/tools/index.js";
import { TOOLSET_NAMES } from "../src/tools/toolsets.js";
import { type Harness, startHarness, type ToolOutcome } from "./helpers/harness.js";

/** Runs per tool; a few thousand calls in all keeps this file to several seconds. */
const RUNS_PER_TOOL = Number(process.env.PROPERTY_RUNS ?? 400);
const SEED = Number(process.env.PROPERTY_SEED ?? 0x0a5a);

const ENV = {
  ASANA_PAT: SANDBOX_TOKENS.pat,
  ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
  ASANA_OAUTH_ACCESS_TOKEN: SANDBOX_TOKENS.oauth,
  // The bot sees one workspace, so workspace_gid may be left out; it writes too.
  ASANA_READ_AS: "bot",
  // Deletes run here, so that their successes are reached; test/confirm.test.ts covers the
  // person's confirmation of them.
  ASANA_CONFIRM: "off",
};

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
});

// ---------------------------------------------------------------------------------------------------------
// The demo world's gids, by kind: each argument draws from the kind its name says.
// ---------------------------------------------------------------------------------------------------------

const data = demoData();
const ACME = SANDBOX_WORKSPACE_GIDS.acme;
const SIDE = SANDBOX_WORKSPACE_GIDS.side;
const acmeTasks = (data.tasks ?? []).filter((t) => t.workspace === ACME).map((t) => t.gid);
const otherAcmeProject = (data.projects ?? []).find(
  (p) => p.workspace === ACME && p.gid !== DEMO_PROJECT_GID && !p.archived,
)?.gid;
const sideProject = (data.projects ?? []).find((p) => p.workspace === SIDE)?.gid;
if (!otherAcmeProject || !sideProject || acmeTasks.length < 20) throw new Error("demo data drifted");

/** Tasks the bot can reach, and one it cannot (Side Projects). */
const TASKS = [DEMO_TASK_GID, ...DEMO_SUBTASK_GIDS, ...acmeTasks.slice(0, 12), SIDE_PROJECT_TASK_GID];
const PROJECTS = [DEMO_PROJECT_GID, otherAcmeProject, sideProject];
const SECTIONS = Object.values(DEMO_SECTION_GIDS);
const TAGS = Object.values(DEMO_TAG_GIDS);
const WORKSPACES = [ACME, SIDE];
const acmeUsers = data.users.filter((u) => u.workspaces.includes(ACME));
const USERS = ["me", ...acmeUsers.map((u) => u.gid), ...acmeUsers.map((u) => u.email)];

/**
 * Stories: comments of the bot's own (the writer here; seeded for the comment tools' fakes), a
 * comment of someone else's, Asana's record of a change, and a comment the bot cannot see.
 */
const BOT_COMMENTS = ["1206990000000001", "1206990000000002", "1206990000000003", "1206990000000004"];
const STORIES = [...BOT_COMMENTS, "1206000000000001", "1206000000000002", "1206000000000005"];
function withBotComments() {
  const seeded = demoData();
  const bot = seeded.tokens.find((t) => t.kind === "bot")?.userGid ?? "";
  for (const gid of BOT_COMMENTS) {
    seeded.stories?.push({ gid, task: DEMO_TASK_GID, createdBy: bot, text: `Bot note ${gid}` });
  }
  return seeded;
}
/** Empty sections of the demo project that delete_section may delete (each once, then 404). */
const EMPTY_SECTIONS = ["1207990000000001", "1207990000000002", "1207990000000003"];
function withEmptySections() {
  const seeded = demoData();
  for (const gid of EMPTY_SECTIONS) {
    seeded.world?.sections?.push({ gid, name: `Empty ${gid}`, project: DEMO_PROJECT_GID });
  }
  return seeded;
}
/** Templates whose jobs are done at once, so a hundred instantiations need no polling. */
function instantTemplates() {
  const seeded = demoData();
  for (const t of seeded.projectTemplates ?? []) t.instantiateMs = 0;
  return seeded;
}
/** Data other than the demo world, for the tools that need objects it lacks. */
const DATA: Record<string, () => ReturnType<typeof demoData>> = {
  update_comment: withBotComments,
  delete_comment: withBotComments,
  delete_section: withEmptySections,
  create_project: instantTemplates,
};

/** Strings that must never reach a URL: traversal, query, fragment, encoded slash, non-ASCII digits. */
const INJECTIONS = [
  "../",
  "..",
  "../users/me",
  "?",
  "1?opt_fields=email",
  "#",
  "1#x",
  "%2F",
  "1%2F2",
  "1/2",
  "١٢٣", // Arabic-Indic digits
  "１２３", // full-width digits
  "१२३", // Devanagari digits
  "123\n",
  " 123",
  "123 ",
  "\u0000",
  "",
  "0x1F",
  "1e5",
  "-1",
  "9".repeat(33),
  "https://evil.example/",
];

const unknownGid = fc.stringMatching(/^[0-9]{1,32}$/);
const gidLike = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  unknownGid,
  fc.constantFrom(...TASKS, ...PROJECTS, ...WORKSPACES, ...SECTIONS),
  fc
    .tuple(
      fc.stringMatching(/^[0-9]{0,8}$/),
      fc.constantFrom(...INJECTIONS),
      fc.stringMatching(/^[0-9]{0,8}$/),
    )
    .map((parts) => parts.join("")),
);
const anyValue = fc.oneof(
  { weight: 4, arbitrary: gidLike },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom("<body>hi</body>", "<body><h1>x</h1></body>", "hello", "   ") },
);

/** A known gid of the kind most of the time, an unknown one (Asana answers 404) now and then. */
const known = (gids: readonly string[]) =>
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...gids) }, { weight: 1, arbitrary: unknownGid });
const some = <T>(arbitrary: fc.Arbitrary<T>) => fc.uniqueArray(arbitrary, { minLength: 1, maxLength: 3 });
const text = fc.oneof(
  fc.constantFrom("Ship it", "Review the rollback plan", "élan ✓ 日本語"),
  fc.string({ minLength: 1, maxLength: 80 }),
);
const date = fc.constantFrom("2025-07-01", "2025-12-31", "2026-02-28");

/** Values by argument name, so a task field gets task gids, a section field section gids, and so on. */
const BY_NAME: Record<string, fc.Arbitrary<unknown>> = {
  task_gid: known(TASKS),
  parent_gid: known(TASKS),
  project_gid: known(PROJECTS),
  section_gid: known(SECTIONS),
  workspace_gid: known(WORKSPACES),
  attachment_gid: known([DEMO_ATTACHMENT_GID]),
  story_gid: known(STORIES),
  tag_gid: known(TAGS),
  tag_gids: some(known(TAGS)),
  assignee: fc.constantFrom(...USERS),
  followers: some(fc.constantFrom(...USERS)),
  name: text,
  title: text,
  text,
  notes: text,
  html_notes: fc.constantFrom(
    "<body>hi</body>",
    "<body><strong>done</strong> today</body>",
    "<body><h1>x</h1></body>",
  ),
  html_text: fc.constantFrom("<body>hi</body>", "<body><em>ok</em></body>", "<body><blink>no</blink></body>"),
  due_on: date,
  start_on: date,
  due_before: date,
  due_after: date,
  due_at: fc.constantFrom("2025-07-01T17:00:00Z", "2025-07-01T17:00:00.000+02:00"),
  custom_fields: fc.constantFrom(
    { Priority: "Low" },
    { "Estimate (h)": 3 },
    { [DEMO_FIELD_GIDS.note]: "from the properties" },
    { Priority: "Not an option" },
    { Nonexistent: 1 },
  ),
};

interface PropertySchema {
  type?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
}

/** A value the argument probably accepts: by its name, else derived from the tool's JSON Schema. */
function plausible(key: string, schema: PropertySchema): fc.Arbitrary<unknown> {
  const byName = BY_NAME[key];
  if (byName) return byName;
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case "string":
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({
        minLength: schema.minLength ?? 0,
        maxLength: Math.min(schema.maxLength ?? 200, 200),
      });
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000 });
    case "number":
      return fc.double({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000, noNaN: true });
    case "boolean":
      return fc.boolean();
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

type Args = Record<string, unknown>;
const optional = (record: Record<string, fc.Arbitrary<unknown>>) => fc.record(record, { requiredKeys: [] });
const merged = (...parts: Array<fc.Arbitrary<Args>>) =>
  fc.tuple(...parts).map((all) => Object.assign({}, ...all) as Args);

/**
 * Calls that meet each tool's cross-field rules, which no JSON Schema states: list_tasks's one
 * filter, a task that lives somewhere, an action with its target, a relation with gids of its kind.
 * Most of them act; the unknown gids among them get Asana's own refusals.
 */
const SHAPES: Record<string, fc.Arbitrary<Args>> = {
  get_goal: fc.record({ goal_gid: known(Object.values(DEMO_GOAL_GIDS)) }),
  list_goals: fc.oneof(
    fc.record({ workspace_gid: fc.constant(ACME) }),
    fc.record({ project_gid: known([DEMO_PROJECT_GID]) }),
  ),
  get_portfolio: fc.record({ portfolio_gid: known(Object.values(DEMO_PORTFOLIO_GIDS)) }),
  // The reader (the bot) may list only its own portfolios: its gid succeeds, "me" (Ada) is refused.
  list_portfolios: fc.record({
    workspace_gid: fc.constant(ACME),
    owner: fc.constantFrom("me", null, "1201000000000002"),
  }),
  upload_attachment: fc.record({
    task_gid: known(TASKS),
    url: fc.constantFrom("https://example.com/spec", "https://example.com/a b"),
  }),
  enable_toolset: fc.record({ toolsets: fc.subarray([...TOOLSET_NAMES], { minLength: 1 }) }),
  list_tasks: merged(
    fc.oneof(
      fc.record({ project_gid: BY_NAME.project_gid! }),
      fc.record({ section_gid: BY_NAME.section_gid! }),
      fc.record({ assignee: BY_NAME.assignee!, workspace_gid: BY_NAME.workspace_gid! }),
      fc.record({ assignee: BY_NAME.assignee! }),
      fc.record({ parent_gid: BY_NAME.parent_gid! }),
    ),
    optional({ incomplete_only: fc.boolean(), limit: fc.integer({ min: 1, max: 100 }) }),
  ),
  create_task: merged(
    fc.record({ name: text }),
    fc.oneof(
      fc.record({ project_gid: BY_NAME.project_gid! }),
      fc.record({ project_gid: fc.constant(DEMO_PROJECT_GID), section_gid: BY_NAME.section_gid! }),
      fc.record({ parent_gid: BY_NAME.parent_gid! }),
      fc.record({ workspace_gid: BY_NAME.workspace_gid! }),
    ),
    optional({
      notes: text,
      assignee: BY_NAME.assignee!,
      due_on: date,
      tag_gids: BY_NAME.tag_gids!,
      followers: BY_NAME.followers!,
    }),
  ),
  update_task: merged(
    fc.record({ task_gid: BY_NAME.task_gid! }),
    fc.oneof(
      fc.record({ name: text }),
      fc.record({ completed: fc.boolean() }),
      fc.record({ notes: text, due_on: date }),
      fc.record({ html_notes: BY_NAME.html_notes! }),
      fc.record({ assignee: fc.oneof(BY_NAME.assignee!, fc.constant(null)) }),
      fc.record({ due_at: BY_NAME.due_at!, start_on: fc.constant(null) }),
      fc.record({ custom_fields: BY_NAME.custom_fields! }),
    ),
  ),
  move_task: merged(
    fc.record({ task_gid: BY_NAME.task_gid! }),
    fc.oneof(
      fc.record({ action: fc.constant("to_section"), section_gid: BY_NAME.section_gid! }),
      fc.record({ action: fc.constant("add_to_project"), project_gid: BY_NAME.project_gid! }),
      fc.record({
        action: fc.constant("add_to_project"),
        project_gid: fc.constant(DEMO_PROJECT_GID),
        section_gid: BY_NAME.section_gid!,
      }),
      fc.record({ action: fc.constant("remove_from_project"), project_gid: BY_NAME.project_gid! }),
      fc.record({
        action: fc.constant("set_parent"),
        parent_gid: fc.oneof(BY_NAME.parent_gid!, fc.constant(null)),
      }),
    ),
  ),
  task_links: merged(
    fc.record({ task_gid: BY_NAME.task_gid!, action: fc.constantFrom("add", "remove") }),
    fc.oneof(
      fc.record({ relation: fc.constantFrom("dependencies", "dependents"), gids: some(known(TASKS)) }),
      fc.record({ relation: fc.constant("followers"), gids: some(fc.constantFrom(...USERS)) }),
      fc.record({ relation: fc.constant("tags"), gids: some(known(TAGS)) }),
    ),
  ),
  create_comment: merged(
    fc.record({ task_gid: BY_NAME.task_gid! }),
    fc.oneof(fc.record({ text }), fc.record({ html_text: BY_NAME.html_text! })),
    optional({ is_pinned: fc.boolean() }),
  ),
  update_comment: merged(
    fc.record({ story_gid: BY_NAME.story_gid! }),
    fc.oneof(
      fc.record({ text }),
      fc.record({ html_text: BY_NAME.html_text! }),
      fc.record({ is_pinned: fc.boolean() }),
      fc.record({ text, is_pinned: fc.boolean() }),
    ),
  ),
  delete_comment: fc.record({ story_gid: BY_NAME.story_gid! }),
  // Acme's teams (the bot's workspace), or a template of one.
  create_project: merged(
    fc.oneof(
      fc.record({ team_gid: known(["1203000000000001", "1203000000000002"]) }),
      fc.record({ template_gid: known(["1214000000000002"]) }),
    ),
    fc.record({ name: text }),
    optional({ privacy: fc.constantFrom("public_to_workspace", "private") }),
  ),
  delete_section: fc.record({ section_gid: known([...EMPTY_SECTIONS, ...SECTIONS]) }),
  // Tasks only this tool's own fake loses; each is deleted at most once, then answers 404.
  delete_task: fc.record({ task_gid: known(acmeTasks) }),
  project_members: fc.record({
    project_gid: known(PROJECTS),
    action: fc.constantFrom("add", "remove"),
    users: fc.array(fc.constantFrom(...USERS), { minLength: 1, maxLength: 3 }),
  }),
};

// batch_tasks: a few items, each a create_task, update_task or move_task (to_section) call with its action.
SHAPES.batch_tasks = fc
  .array(
    fc.oneof(
      SHAPES.create_task!.map((a) => ({ action: "create", ...a })),
      SHAPES.update_task!.map((a) => ({ action: "update", ...a })),
      fc.record({ task_gid: BY_NAME.task_gid!, section_gid: BY_NAME.section_gid! }).map((a) => ({
        action: "move",
        ...a,
      })),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((items) => ({ items }));

/** Arguments for a tool: well-shaped, plausible per argument, often hostile, sometimes an unknown key. */
function argumentsFor(tool: Tool): fc.Arbitrary<Args> {
  const json = z.toJSONSchema(tool.input, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, PropertySchema>;
    required?: string[];
  };
  const properties = Object.entries(json.properties ?? {});
  const perKey = Object.fromEntries(
    properties.map(([key, schema]) => [
      key,
      fc.oneof({ weight: 3, arbitrary: plausible(key, schema) }, { weight: 1, arbitrary: anyValue }),
    ]),
  );
  // Only the required keys, all plausible.
  const required = Object.fromEntries(
    properties
      .filter(([key]) => json.required?.includes(key))
      .map(([key, schema]) => [key, plausible(key, schema)]),
  );
  // Any subset of the keys, all plausible: the combinations the cross-field rules refuse.
  const plausibleSubset = fc.record(
    Object.fromEntries(properties.map(([key, schema]) => [key, plausible(key, schema)])),
    { requiredKeys: [] },
  );
  const shape = SHAPES[tool.name];
  const known = fc.oneof(
    ...(shape ? [{ weight: 4, arbitrary: shape }] : []),
    { weight: 1, arbitrary: fc.record(required) },
    { weight: 1, arbitrary: plausibleSubset },
    { weight: 1, arbitrary: fc.record(perKey, { requiredKeys: json.required ?? [] }) },
    { weight: 1, arbitrary: fc.record(perKey, { requiredKeys: [] }) },
  );
  const extra = fc.dictionary(fc.constantFrom("extra", "__proto__", "constructor", "task_gid "), anyValue, {
    maxKeys: 1,
  });
  return fc
    .tuple(known, fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extra }))
    .map(([a, b]) => JSON.parse(JSON.stringify({ ...a, ...b })) as Args);
}

function expectWellFormed(tool: Tool, outcome: ToolOutcome): void {
  if (outcome.isError) {
    const body = outcome.body as { error?: Record<string, unknown>; request_id?: unknown };
    expect(Object.keys(ERROR_TABLE)).toContain(body.error?.code);
    expect(body.error?.code, outcome.text).not.toBe("internal");
    expect(typeof body.error?.message).toBe("string");
    expect(typeof body.error?.hint).toBe("string");
    expect(typeof body.error?.retryable).toBe("boolean");
    expect(body.request_id === null || typeof body.request_id === "string").toBe(true);
  } else {
    const parsed = tool.output.safeParse(outcome.body);
    expect(parsed.success, outcome.text).toBe(true);
  }
}

/** Query keys whose values are gids, whatever the tool. */
const GID_KEYS = [
  "workspace",
  "project",
  "task",
  "section",
  "parent",
  "team",
  "projects.any",
  "sections.any",
  "tags.any",
];

/**
 * Every path the fake saw is made of words (Asana's own, such as addProject) and ASCII digit gids;
 * every query key is one the server chose (no parameter smuggled in through a value), and
 * gid-valued keys carry digits only. Free-text values (search text, an assignee's email) are
 * encoded by the client and may hold anything.
 */
function expectOnlyCleanUrls(h: Harness): void {
  for (const request of h.fake.requests) {
    for (const segment of request.path.split("/").slice(1)) {
      expect(segment, request.path).toMatch(/^(?:[a-z][A-Za-z_]*|[0-9]{1,32})$/);
    }
    for (const [key, value] of Object.entries(request.query)) {
      expect(key, request.path).toMatch(/^[a-z_]+(?:\.[a-z_]+)*$/);
      if (GID_KEYS.includes(key)) expect(value, `${request.path}?${key}`).toMatch(/^[0-9]{1,32}$/);
    }
  }
}

/** Errors that come from Asana's answer (the fake), not from our validation or the policy. */
const ASANA_REFUSALS = [
  "not_found",
  "forbidden",
  "asana_bad_request",
  "payment_required",
  "invalid_rich_text",
];

describe("every tool, whatever the arguments", () => {
  for (const tool of ALL_TOOLS) {
    it(`${tool.name}: always a well-formed result, successes and refusals both reached`, async () => {
      const h = await startHarness({ env: ENV, ...(DATA[tool.name] ? { data: DATA[tool.name]!() } : {}) });
      const seen = new Map<string, number>();
      try {
        await fc.assert(
          fc.asyncProperty(argumentsFor(tool), async (args) => {
            const outcome = await h.call(tool.name, args);
            expectWellFormed(tool, outcome);
            const code = outcome.isError ? (outcome.body as { error: { code: string } }).error.code : "ok";
            seen.set(code, (seen.get(code) ?? 0) + 1);
          }),
          { numRuns: RUNS_PER_TOOL, seed: SEED },
        );
        expectOnlyCleanUrls(h);
      } finally {
        await h.close();
      }
      expect(unhandled).toEqual([]);
      // Not vacuous: the generator reaches calls that act, calls refused before any request and,
      // for tools that name Asana objects, calls Asana itself refuses.
      const summary = JSON.stringify([...seen]);
      expect(seen.get("ok") ?? 0, summary).toBeGreaterThan(0);
      const keys = Object.keys(tool.input.shape);
      if (keys.length > 0) expect(seen.get("invalid_input") ?? 0, summary).toBeGreaterThan(0);
      if (keys.some((key) => key.endsWith("_gid"))) {
        expect(
          ASANA_REFUSALS.reduce((n, code) => n + (seen.get(code) ?? 0), 0),
          summary,
        ).toBeGreaterThan(0);
      }
    });
  }

  it("10 MB strings in any argument: a short invalid_input, no request", async () => {
    const h = await startHarness({ env: ENV });
    try {
      const huge = "7".repeat(10 * 1024 * 1024);
      const hugeInjection = `${"1".repeat(5 * 1024 * 1024)}/../${"2".repeat(5 * 1024 * 1024)}`;
      const before = h.fake.requests.length;
      for (const tool of ALL_TOOLS) {
        for (const key of Object.keys(tool.input.shape)) {
          for (const value of [huge, hugeInjection]) {
            const outcome = await h.call(tool.name, { [key]: value });
            expect(outcome.isError).toBe(true);
            expect((outcome.body as { error: { code: string } }).error.code).toBe("invalid_input");
            expect(outcome.text.length).toBeLessThan(2_000); // the value is never echoed back
          }
        }
      }
      expect(h.fake.requests.length).toBe(before);
    } finally {
      await h.close();
    }
  });
});

describe("apiPath", () => {
  it("turns any value into exactly one path segment that decodes back to it", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom(...INJECTIONS), fc.string({ unit: "grapheme" })),
        (value) => {
          const path = apiPath`/tasks/${value}/stories`;
          const segments = path.split("/");
          expect(segments).toHaveLength(4);
          expect(path).not.toMatch(/[?#]/);
          expect(decodeURIComponent(segments[2] ?? "")).toBe(value);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

// Property-based tests over every tool's arguments: whatever an agent sends, the server answers
// with a well-formed result (never a crash, an internal error or an unhandled rejection), and
// nothing but a validated gid ever reaches a URL.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { apiPath } from "../src/asana/http.js";
import { ERROR_TABLE } from "../src/errors.js";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  SANDBOX_TOKENS,
  SANDBOX_WORKSPACE_GIDS,
} from "../src/sandbox/demo-data.js";
import { ALL_TOOLS } from "../src/tools/index.js";
import { type Harness, startHarness, type ToolOutcome } from "./helpers/harness.js";

/** Runs per tool; a few thousand calls in all keeps this file to a few seconds. */
const RUNS_PER_TOOL = Number(process.env.PROPERTY_RUNS ?? 400);

let h: Harness;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  h = await startHarness({
    env: {
      ASANA_PAT: SANDBOX_TOKENS.pat,
      ASANA_BOT_PAT: SANDBOX_TOKENS.bot,
      ASANA_OAUTH_ACCESS_TOKEN: SANDBOX_TOKENS.oauth,
      // The bot sees one workspace, so list_projects may leave workspace_gid out.
      ASANA_READ_AS: "bot",
    },
  });
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await h.close();
});

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

const gidLike = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.stringMatching(/^[0-9]{1,32}$/),
  fc.constantFrom(DEMO_TASK_GID, DEMO_PROJECT_GID, SANDBOX_WORKSPACE_GIDS.acme, SANDBOX_WORKSPACE_GIDS.side),
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

interface PropertySchema {
  type?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
}

const KNOWN_GIDS = [
  DEMO_TASK_GID,
  DEMO_PROJECT_GID,
  SANDBOX_WORKSPACE_GIDS.acme,
  SANDBOX_WORKSPACE_GIDS.side,
];

/** A value the property's schema probably accepts, derived from the tool's own JSON Schema. */
function plausible(schema: PropertySchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case "string": {
      if (schema.pattern?.startsWith("^[0-9]")) {
        return fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...KNOWN_GIDS) },
          { weight: 1, arbitrary: fc.stringMatching(new RegExp(schema.pattern)) },
        );
      }
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({
        minLength: schema.minLength ?? 0,
        maxLength: Math.min(schema.maxLength ?? 200, 200),
      });
    }
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

/** Arguments for a tool: mostly plausible per property, often hostile, sometimes an unknown key. */
function argumentsFor(tool: (typeof ALL_TOOLS)[number]) {
  const json = z.toJSONSchema(tool.input, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, PropertySchema>;
    required?: string[];
  };
  const properties = Object.entries(json.properties ?? {});
  const perKey = Object.fromEntries(
    properties.map(([key, schema]) => [
      key,
      fc.oneof({ weight: 3, arbitrary: plausible(schema) }, { weight: 1, arbitrary: anyValue }),
    ]),
  );
  // Only the required keys, all plausible: the calls most likely to reach Asana.
  const required = Object.fromEntries(
    properties
      .filter(([key]) => json.required?.includes(key))
      .map(([key, schema]) => [key, plausible(schema)]),
  );
  // Any subset of the keys, all plausible (cross-field rules such as "text or html_text" are not in
  // the schema, so a subset is how they get met).
  const plausibleSubset = fc.record(
    Object.fromEntries(properties.map(([key, schema]) => [key, plausible(schema)])),
    { requiredKeys: [] },
  );
  const known = fc.oneof(
    fc.record(required),
    plausibleSubset,
    fc.record(perKey, { requiredKeys: json.required ?? [] }),
    fc.record(perKey, { requiredKeys: [] }),
  );
  const extra = fc.dictionary(fc.constantFrom("extra", "__proto__", "constructor", "task_gid "), anyValue, {
    maxKeys: 1,
  });
  return fc
    .tuple(known, fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extra }))
    .map(([a, b]) => JSON.parse(JSON.stringify({ ...a, ...b })) as Record<string, unknown>);
}

function expectWellFormed(tool: (typeof ALL_TOOLS)[number], outcome: ToolOutcome): void {
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

/**
 * Every path the fake saw is made of lowercase words and ASCII digit gids; every query key is one
 * the server chose (no parameter smuggled in through a value), and gid-valued keys carry digits only.
 * Free-text values (search text, an assignee's email) are encoded by the client and may hold anything.
 */
function expectOnlyCleanUrls(): void {
  for (const request of h.fake.requests) {
    for (const segment of request.path.split("/").slice(1)) {
      expect(segment, request.path).toMatch(/^(?:[a-z_]+|[0-9]{1,32})$/);
    }
    for (const [key, value] of Object.entries(request.query)) {
      expect(key, request.path).toMatch(/^[a-z_]+(?:\.[a-z_]+)*$/);
      if (["workspace", "project", "task", "section", "parent", "team"].includes(key)) {
        expect(value, `${request.path}?${key}`).toMatch(/^[0-9]{1,32}$/);
      }
    }
  }
}

describe("every tool, whatever the arguments", () => {
  for (const tool of ALL_TOOLS) {
    it(`${tool.name}: always a well-formed result`, async () => {
      const keys = Object.keys(tool.input.shape);
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(argumentsFor(tool), async (args) => {
          const outcome = await h.call(tool.name, args);
          expectWellFormed(tool, outcome);
          const code = outcome.isError ? (outcome.body as { error: { code: string } }).error.code : "ok";
          seen.set(code, (seen.get(code) ?? 0) + 1);
        }),
        { numRuns: RUNS_PER_TOOL, seed: Number(process.env.PROPERTY_SEED ?? 0x0a5a) },
      );
      expectOnlyCleanUrls();
      expect(unhandled).toEqual([]);
      // The generator reaches both sides: calls that act, and calls refused before any request.
      expect(seen.get("ok") ?? 0, JSON.stringify([...seen])).toBeGreaterThan(0);
      if (keys.length > 0) expect(seen.get("invalid_input") ?? 0).toBeGreaterThan(0);
    });
  }

  it("10 MB strings in any argument: a short invalid_input, no request", async () => {
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

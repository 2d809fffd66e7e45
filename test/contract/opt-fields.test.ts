// Every opt_field Asana's spec lists for GET /projects/{gid} and GET /tasks/{gid} is answered by the
// sandbox, so one request reads what Asana would answer in one request. The only fields left out are
// the value fields of custom field types the demo data has none of (a date, people or reference field):
// Asana leaves those out of other types' records too.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PROJECT_GID, DEMO_TASK_GID, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import { type StartedFakeAsana, startFakeAsana } from "../fake-asana/index.js";
import { validateRequest } from "./spec.js";

interface Op {
  parameters: Array<{ name?: string; schema?: { items?: { enum?: string[] } } }>;
}
const subset = JSON.parse(readFileSync(new URL("./asana-oas-subset.json", import.meta.url), "utf8")) as {
  paths: Record<string, { get: Op }>;
};
const optFields = (path: string): string[] =>
  subset.paths[path]?.get.parameters.find((p) => p.name === "opt_fields")?.schema?.items?.enum ?? [];

/** Value fields of a type the record is not: absent in Asana as in the sandbox. */
const OTHER_TYPES = /(^|\.)(date_value|people_value|reference_value|html_text_value|multi_enum_values)(\.|$)/;
/** A custom field setting's field is the field's definition, not a task's value of it. */
const VALUES = /^custom_field_settings\.custom_field\.(display_value|enum_value|number_value|text_value)/;

let s: StartedFakeAsana;
beforeAll(async () => {
  s = await startFakeAsana();
});
afterAll(() => s.close());

/** Whether `parts` can be followed in `value`; a null or an empty list on the way counts as answered. */
function answered(value: unknown, parts: string[]): boolean {
  if (parts.length === 0) return value !== undefined;
  if (value === null) return true;
  if (Array.isArray(value)) return value.length === 0 || value.some((v) => answered(v, parts));
  if (typeof value !== "object") return false;
  const [head, ...rest] = parts;
  return answered((value as Record<string, unknown>)[head as string], rest);
}

describe.each([
  ["/projects/{project_gid}", `/projects/${DEMO_PROJECT_GID}`],
  ["/tasks/{task_gid}", `/tasks/${DEMO_TASK_GID}`],
])("GET %s", (template, path) => {
  const fields = optFields(template).filter((f) => !OTHER_TYPES.test(f) && !VALUES.test(f));

  it("the spec lists its opt_fields", () => {
    expect(fields.length).toBeGreaterThan(50);
  });

  it("answers each opt_field the spec lists", async () => {
    const unanswered: string[] = [];
    for (const field of fields) {
      const query = { opt_fields: field };
      expect(validateRequest({ method: "GET", path, query })).toEqual([]);
      const response = await fetch(`${s.baseUrl}${path}?opt_fields=${field}`, {
        headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}` },
      });
      const body = (await response.json()) as { data?: unknown };
      if (response.status !== 200 || !answered(body.data, field.split("."))) unanswered.push(field);
    }
    expect(unanswered).toEqual([]);
  });
});

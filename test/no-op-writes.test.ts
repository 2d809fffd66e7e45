// A write with nothing to change is refused with its arguments, before any request: an empty PUT
// answered "ok" would tell the agent a task was updated when nothing happened.
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_TASK_GID } from "../src/sandbox/demo-data.js";
import { expectRefused, harnesses } from "./helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

describe("writes with nothing to change", () => {
  it("update_task: no field, empty custom_fields, or only keys the schema drops", async () => {
    const h = await hs.start();
    const before = h.fake.requests.length;
    await expectRefused(h, "update_task", [
      [{ task_gid: DEMO_TASK_GID }, "nothing to change"],
      [{ task_gid: DEMO_TASK_GID, custom_fields: {} }, "nothing to change"],
      // As an MCP client sends it: JSON, where "__proto__" is an ordinary key (zod drops it from records).
      [
        JSON.parse(`{"task_gid":"${DEMO_TASK_GID}","custom_fields":{"__proto__":"High"}}`),
        "nothing to change",
      ],
      [{ task_gid: DEMO_TASK_GID, name: undefined, custom_fields: {} }, "nothing to change"],
      [JSON.parse(`{"task_gid":"${DEMO_TASK_GID}","__proto__":{"name":"x"}}`), "Invalid arguments"],
    ]);
    expect(h.fake.requests.slice(before)).toEqual([]); // not even the GET for custom fields
    // One real change still goes through, with exactly that change.
    const ok = await h.call("update_task", { task_gid: DEMO_TASK_GID, completed: false, custom_fields: {} });
    expect(ok.isError, ok.text).toBe(false);
    const puts = h.fake.requests.slice(before).filter((r) => r.method === "PUT");
    expect(puts.map((r) => r.body)).toEqual([{ data: { completed: false } }]);
  });
});

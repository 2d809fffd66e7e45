// addFollowers and removeFollowers change exactly the followers named, as Asana's do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TASK_GID, SANDBOX_TOKENS, SANDBOX_USER_GIDS } from "../../src/sandbox/demo-data.js";
import { type StartedFakeAsana, startFakeAsana } from "./index.js";

let s: StartedFakeAsana;
beforeAll(async () => {
  s = await startFakeAsana();
});
afterAll(() => s.close());

async function followers(action?: "addFollowers" | "removeFollowers", users: string[] = []) {
  const response = await fetch(
    `${s.baseUrl}/tasks/${DEMO_TASK_GID}${action ? `/${action}` : ""}?opt_fields=followers`,
    {
      method: action ? "POST" : "GET",
      headers: { authorization: `Bearer ${SANDBOX_TOKENS.pat}`, "content-type": "application/json" },
      ...(action ? { body: JSON.stringify({ data: { followers: users } }) } : {}),
    },
  );
  expect(response.status).toBe(200);
  const { data } = (await response.json()) as { data: { followers: Array<{ gid: string }> } };
  return data.followers.map((f) => f.gid).sort();
}

describe("task followers", () => {
  it("adds the named ones, keeps the others, and removes only the named ones", async () => {
    const before = await followers();
    const { bot, service_account: service } = SANDBOX_USER_GIDS;
    const added = await followers("addFollowers", [bot, service]);
    expect(added).toEqual([...new Set([...before, bot, service])].sort());
    // Adding one who already follows changes nothing.
    expect(await followers("addFollowers", [bot])).toEqual(added);
    expect(await followers("removeFollowers", [service])).toEqual(added.filter((g) => g !== service));
    expect(await followers("removeFollowers", [bot])).toEqual(
      before.filter((g) => g !== bot && g !== service),
    );
  });
});

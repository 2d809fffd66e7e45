// The built bin in remote mode, as an operator tries it: `asana-mcp http --sandbox --port 0`, a
// person signing in through the consent page and the sandbox's sign-in page, the MCP SDK's client
// with its OAuth provider calling tools, and SIGTERM ending it cleanly. Stdout stays empty.
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_TASK_GID } from "../../src/sandbox/demo-data.js";
import { GRACE_GID } from "../helpers/remote.js";
import { connectThroughPages, type RunningBin, startBin } from "../helpers/remote-bin.js";

let bin: RunningBin | undefined;
afterEach(async () => {
  await bin?.stop("SIGKILL");
  bin = undefined;
});

function structured(result: unknown): Record<string, unknown> {
  const body = (result as { structuredContent?: Record<string, unknown> }).structuredContent;
  if (!body) throw new Error(`no structured content: ${JSON.stringify(result)}`);
  return body;
}

describe("asana-mcp http --sandbox (the built bin)", () => {
  it("signs Grace in through the pages, reads as her, writes as the bot, and stops on SIGTERM", async () => {
    bin = await startBin(["http", "--sandbox", "--port", "0"]);
    expect(bin.mcpUrl.hostname).toBe("127.0.0.1");
    expect(Number(bin.mcpUrl.port)).toBeGreaterThan(0);

    const { client, oauth } = await connectThroughPages(bin.mcpUrl, GRACE_GID);
    expect(oauth.saved?.access_token).toMatch(/^amcp_at_/);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(["whoami", "list_tasks", "create_comment"]));

    const me = structured(await client.callTool({ name: "whoami", arguments: {} }));
    expect(me.me).toMatchObject({ gid: GRACE_GID, name: "Grace Hopper" });

    // The task is one Grace sees; the comment carries the deployment's bot's name.
    const task = structured(
      await client.callTool({ name: "get_task", arguments: { task_gid: DEMO_TASK_GID } }),
    );
    expect(JSON.stringify(task)).toContain("Prepare the Q3 launch checklist");
    const comment = await client.callTool({
      name: "create_comment",
      arguments: { task_gid: DEMO_TASK_GID, text: "Checked from the remote server." },
    });
    expect(comment.isError).toBeFalsy();
    expect(structured(comment).acting_as).toMatchObject({ name: "Acme Bot", kind: "bot" });
    await client.close();

    const running = bin;
    bin = undefined;
    expect(await running.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    expect(running.stdout()).toBe("");
    expect(running.stderr()).toContain("shutting down: SIGTERM");
  });
});

// What the confirmation tests share: the first call's answer (a preview and a token), and a client
// that answers elicitations as a test says.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import type { Harness } from "./harness.js";

/** The answer to a call that needs a person's yes: what would change, and the token for the second call. */
export interface Pending {
  confirmation_required: true;
  nothing_changed: true;
  preview: { summary: string; changes: Array<Record<string, unknown>> };
  confirmation_token: string;
  expires_at: string;
}

/** Calls the tool, expecting the preview and token that ask for a person's yes. */
export async function preview(h: Harness, tool: string, args: Record<string, unknown>): Promise<Pending> {
  const out = await h.call(tool, args);
  expect(out.isError, out.text).toBe(false);
  expect(out.body).toMatchObject({ confirmation_required: true, nothing_changed: true });
  return out.body as unknown as Pending;
}

/** A client that answers every elicitation as `answer` does, recording what it was asked. */
export function askingClient(answer: (message: string) => ElicitResult | Promise<ElicitResult>) {
  const asked: string[] = [];
  return {
    asked,
    options: {
      clientCapabilities: { capabilities: { elicitation: { form: {} } } },
      clientSetup: (client: Client) =>
        client.setRequestHandler(ElicitRequestSchema, async (request) => {
          const params = request.params as { message: string };
          asked.push(params.message);
          return answer(params.message);
        }),
    },
  };
}

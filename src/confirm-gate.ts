// The confirmation step of a tool call (src/confirm.ts says what needs one): the server's call
// handler asks it, after the policy allowed the call and before the tool runs, whether to go on.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ConfirmMode } from "./config.js";
import {
  bindingOf,
  CONFIRMATION_ARGUMENT,
  type ConfirmationTokens,
  confirmationRequest,
  mayNeedConfirmation,
  needsConfirmation,
  previewOf,
  reasonFor,
  withoutToken,
} from "./confirm.js";
import { AppError } from "./errors.js";
import { log, redact } from "./log.js";
import type { ConfirmationPreview, Tool, ToolContext } from "./tools/define.js";

/** What a call keeps of its deadline for the write itself once a person has said yes. */
const WRITE_RESERVE_MS = 15_000;
/** A person gets at least this long to answer, even late in a call. */
const MIN_ANSWER_MS = 5_000;
/** The changes an elicitation message lists; the rest are counted. */
const LISTED_CHANGES = 20;
/** What of a preview's summary, and of each listed change, a question shows (a person reads it). */
const SUMMARY_CHARS = 1_000;
const CHANGE_CHARS = 300;

export interface ConfirmationGate {
  /** The call's arguments without the confirmation token, and the token. */
  split(raw: unknown): { args: unknown; token?: string };
  /** Whether tools/list advertises the token argument for this tool. */
  advertises(tool: Tool): boolean;
  /**
   * Resolves undefined when the call may run (no confirmation needed, a person said yes, or a
   * valid token); otherwise the answer to return instead, nothing having changed. Throws
   * not_confirmed when a person said no, confirmation_invalid for a bad token.
   */
  check(
    tool: Tool,
    args: unknown,
    token: string | undefined,
    context: ToolContext,
    startedAt: number,
  ): Promise<{ answer: Record<string, unknown>; outcome: "confirmation_requested" } | undefined>;
}

export interface GateOptions {
  mode: ConfirmMode;
  server: Server;
  tokens: ConfirmationTokens;
  /** What a token is bound to besides the call: this stdio process, or the remote sign-in. */
  session: string;
  /** Whether the client can be asked mid-call (not in stateless remote mode). */
  elicitation: boolean;
}

export function confirmationGate(options: GateOptions): ConfirmationGate {
  const { mode, server, tokens, session } = options;
  return {
    split(raw) {
      const args = withoutToken(raw);
      if (args === raw) return { args };
      const token = (raw as Record<string, unknown>)[CONFIRMATION_ARGUMENT];
      if (typeof token !== "string" || token.length === 0 || token.length > 200) {
        throw new AppError("invalid_input", `${CONFIRMATION_ARGUMENT} must be the token a preview answered.`);
      }
      return { args, token };
    },
    advertises: (tool) => mayNeedConfirmation(mode, tool),
    async check(tool, args, token, context, startedAt) {
      if (!needsConfirmation(mode, tool, args)) return undefined;
      const binding = bindingOf(tool, args, session);
      if (token !== undefined) {
        const redeemed = await tokens.redeem(token, binding);
        if (redeemed === "ok") return undefined;
        throw new AppError(
          "confirmation_invalid",
          redeemed === "mismatch"
            ? `This ${CONFIRMATION_ARGUMENT} was issued for other arguments (or another tool or session), so it was not used for these; it is now spent, and nothing was changed.`
            : `This ${CONFIRMATION_ARGUMENT} is unknown, already used or expired; nothing was changed.`,
        );
      }
      const preview = await previewOf(tool, args, context);
      if (options.elicitation && asksInForms(server)) {
        const remaining = context.config.toolDeadlineMs - (Date.now() - startedAt) - WRITE_RESERVE_MS;
        const answer = await askPerson(
          server,
          tool,
          preview,
          context.signal,
          Math.max(MIN_ANSWER_MS, remaining),
        );
        if (answer === "yes") return undefined;
        if (answer !== "failed") {
          const what = {
            declined: "declined",
            dismissed: "dismissed the question",
            // The person was asked and did not answer: a token now would let the agent answer for them.
            unanswered: "did not answer in time",
          }[answer];
          throw new AppError(
            "not_confirmed",
            `The person ${what}, so ${tool.name} did not run: ${clipped(preview.summary, SUMMARY_CHARS)}`,
          );
        }
        // The client could not show the question at all: the two-step token asks through the agent.
      }
      const issued = await tokens.issue(binding, session);
      return {
        answer: confirmationRequest(tool, preview, issued, reasonFor(mode, tool)),
        outcome: "confirmation_requested",
      };
    },
  };
}

/** Form-mode elicitation: `elicitation: {}` (the 2025-06-18 form) or `{ form: {} }`. */
function asksInForms(server: Server): boolean {
  const elicitation = server.getClientCapabilities()?.elicitation as
    | { form?: object; url?: object }
    | undefined;
  if (!elicitation) return false;
  return elicitation.form !== undefined || elicitation.url === undefined;
}

/**
 * What a client answers to the question, read loosely: SDK's ElicitResultSchema refuses content
 * whose values are not strings, numbers, booleans or string lists (`{confirm: {…}}`, `null`), and
 * a refused answer would read as a question the client failed to show, falling back to a token.
 * Only `confirm: true` under `accept` is a yes; any other answer from the person is a no.
 */
const ANSWER = z.looseObject({ action: z.string(), content: z.unknown().optional() });

async function askPerson(
  server: Server,
  tool: Tool,
  preview: ConfirmationPreview,
  signal: AbortSignal,
  timeout: number,
): Promise<"yes" | "declined" | "dismissed" | "unanswered" | "failed"> {
  // Read from Asana like any result, so redacted like one (before clipping, which could leave a
  // fragment of a secret too short to be recognised).
  const summary = clipped(oneLine(redact(preview.summary)), SUMMARY_CHARS);
  const listed = preview.changes
    .slice(0, LISTED_CHANGES)
    .map((change) => `- ${clipped(oneLine(redact(JSON.stringify(change))), CHANGE_CHARS)}`);
  const more = preview.changes.length - listed.length;
  const message = [
    `${tool.title}: ${summary}`,
    ...listed,
    ...(more > 0 ? [`- and ${more} more`] : []),
    "Nothing has changed yet. Confirm to go ahead.",
  ].join("\n");
  try {
    // Sent as a plain request, not through elicitInput: that checks an accepted answer against the
    // schema and throws when it does not fit, which would read as a question the client could not
    // show and fall back to a token the agent could use. A person who answered anything but a
    // ticked yes said no.
    const result = await server.request(
      {
        method: "elicitation/create",
        params: {
          mode: "form",
          message,
          requestedSchema: {
            type: "object",
            properties: {
              confirm: { type: "boolean", title: "Yes, go ahead", description: summary },
            },
            required: ["confirm"],
          },
        },
      },
      ANSWER,
      { signal, timeout },
    );
    if (result.action === "accept") {
      const content = result.content as { confirm?: unknown } | null | undefined;
      return content?.confirm === true ? "yes" : "declined";
    }
    return result.action === "decline" ? "declined" : "dismissed";
  } catch (error) {
    // The tool's own deadline or the client's cancellation ends the call as usual.
    if (signal.aborted) throw error;
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) return "unanswered";
    log.debug(`elicitation for ${tool.name} failed: ${error}`);
    return "failed";
  }
}

/**
 * Names read from Asana stay inside their line: a task named "…\nNothing will be deleted…" must not
 * write lines of its own into what the person reads, nor reverse it (bidirectional controls).
 */
function oneLine(text: string): string {
  // Controls, format characters (bidirectional ones among them) and line or paragraph separators.
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, " ");
}

function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { readPages } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool, type ToolContext } from "./define.js";
import { actingAs, gid } from "./schemas.js";
import { SKEW_MS, settleCreate } from "./settle.js";

/** Asana documents no limit; this keeps an agent's runaway output from becoming a comment. */
const MAX_TEXT = 65_536;

interface Story {
  gid: string;
  created_at: string;
  created_by?: { gid: string; name?: string } | null;
  resource_subtype?: string;
  text?: string;
  html_text?: string;
  is_pinned?: boolean;
}

/** Bounded read-back: stories come oldest first, and a task rarely has more than a few pages. */
const MAX_STORY_PAGES = 50;

const STORY_FIELDS = "created_at,created_by.name,resource_subtype,text,html_text,is_pinned";

const storyOut = z.object({
  gid: z.string(),
  created_at: z.string(),
  created_by: z.object({ gid: z.string(), name: z.string().nullable() }).nullable(),
  text: z.string().optional(),
  is_pinned: z.boolean().optional(),
});

export const createComment = defineTool({
  name: "create_comment",
  title: "Comment on a task",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      task_gid: gid("task").describe("The task to comment on."),
      text: z
        .string()
        .trim()
        .min(1, "must not be empty")
        .max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`)
        .optional()
        .describe("Plain-text comment. Give text or html_text, not both."),
      html_text: z
        .string()
        .trim()
        .max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`)
        .regex(/^<body>[\s\S]*<\/body>$/, "must be wrapped in <body>…</body>")
        .optional()
        .describe(
          'Rich text: <body> with <strong> <em> <u> <s> <code> <ol> <ul> <li> <a href="…">; <a data-asana-gid="USER_GID"/> @-mentions.',
        ),
      is_pinned: z.boolean().optional().describe("Pin the comment on the task."),
    })
    .strict()
    .refine((a) => (a.text === undefined) !== (a.html_text === undefined), {
      message: "give exactly one of text or html_text",
      path: ["text"],
    }),
  output: z.object({
    story: storyOut,
    task_url: z.string(),
    acting_as: actingAs,
    verified_after_uncertain_failure: z.boolean().optional(),
  }),
  scope: (args) => ({ task: args.task_gid }),
  describe: ({ attribution }) =>
    `Post a comment on an Asana task. Comments are posted as ${attribution("write")}: Asana shows that name to everyone on the task. Never posts twice: an uncertain failure is checked by reading the task's comments.`,
  handler: async (args, context) => {
    const { asana, identity, signal } = context;
    const body = {
      ...(args.text !== undefined ? { text: args.text } : { html_text: args.html_text }),
      ...(args.is_pinned !== undefined ? { is_pinned: args.is_pinned } : {}),
    };
    const startedAt = Date.now();
    let story: Story;
    let verified = false;
    try {
      ({ data: story } = await asana.request<Story>(identity, {
        method: "POST",
        path: apiPath`/tasks/${args.task_gid}/stories`,
        query: { opt_fields: STORY_FIELDS },
        body,
        signal,
      }));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === "asana_bad_request" && args.html_text !== undefined) {
        throw new AppError("invalid_rich_text", error.message, {
          requestId: error.requestId,
          status: error.status,
        });
      }
      if (error.code !== "write_unknown") throw error;
      story = await settle(context, args.task_gid, body, startedAt, error);
      verified = true;
    }
    const user = context.resolver.resolution(identity).user;
    return {
      story: {
        gid: story.gid,
        created_at: story.created_at,
        created_by: story.created_by
          ? { gid: story.created_by.gid, name: story.created_by.name ?? null }
          : null,
        text: story.text,
        is_pinned: story.is_pinned,
      },
      task_url: `https://app.asana.com/0/0/${args.task_gid}`,
      acting_as: {
        gid: story.created_by?.gid ?? user?.gid ?? null,
        name: story.created_by?.name ?? user?.name ?? identity.variable,
        kind: identity.kind,
      },
      ...(verified ? { verified_after_uncertain_failure: true } : {}),
    };
  },
});

/**
 * The POST may or may not have reached Asana. Reading the task's comments decides: the comment
 * is there (answer with it) or it is not (say so, so the agent can safely post again). Never
 * a blind second POST.
 */
async function settle(
  context: ToolContext,
  taskGid: string,
  body: { text?: string; html_text?: string },
  startedAt: number,
  cause: AppError,
): Promise<Story> {
  const { asana, identity, resolver, config, signal } = context;
  const author = (await resolver.current(identity, asana, config.requestTimeoutMs, signal)).user?.gid;
  return settleCreate({
    cause,
    signal,
    what: "the comment",
    where: "the task's comments",
    find: async () => {
      const { items, complete } = await readPages<Story>(
        asana,
        identity,
        { path: apiPath`/tasks/${taskGid}/stories`, query: { opt_fields: STORY_FIELDS }, signal },
        MAX_STORY_PAGES,
      );
      const match = items
        .filter(
          (s) =>
            s.resource_subtype === "comment_added" &&
            (author === undefined || s.created_by?.gid === author) &&
            Date.parse(s.created_at) >= startedAt - SKEW_MS &&
            sameComment(s, body),
        )
        .at(-1);
      // Not found in a listing cut short proves nothing: the write stays uncertain.
      if (!match && !complete) throw new Error(`the task has more than ${MAX_STORY_PAGES * 100} stories`);
      return match;
    },
  });
}

function sameComment(story: Story, body: { text?: string; html_text?: string }): boolean {
  const squash = (s: string | undefined) => s?.replace(/\s+/g, " ").trim();
  if (body.text !== undefined) return squash(story.text) === squash(body.text);
  return squash(story.html_text) === squash(body.html_text);
}

import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { readPages } from "../asana/paginate.js";
import { AppError } from "../errors.js";
import { defineTool } from "./define.js";
import { COMMENT_TAGS, canonicalRichText, richTextProblem } from "./rich-text.js";
import { actingAs, gid } from "./schemas.js";
import { createOnce, squash } from "./settle.js";
import { actingAsOf, taskUrlOf } from "./task-common.js";
import { richTextScope } from "./task-view.js";

/** Asana documents no limit; this keeps an agent's runaway output from becoming a comment. */
const MAX_TEXT = 65_536;

/** A comment's plain text, as create_comment and update_comment take it. */
export const commentText = () =>
  z.string().trim().min(1, "must not be empty").max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`);

/** A comment's rich text: only what Asana stores as formatting, never as literal tags. */
export const commentHtml = () =>
  z
    .string()
    .trim()
    .max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`)
    .regex(/^<body>[\s\S]*<\/body>$/, "must be wrapped in <body>…</body>")
    // An empty <body></body> (or only empty tags) would post a blank comment; a mention alone is content.
    .refine(
      (html) =>
        /<a\s[^>]*data-asana-gid/.test(html) ||
        html.replace(/<[^>]*>/g, "").replace(/&nbsp;|\s/g, "").length > 0,
      "must not be empty",
    )
    .superRefine((html, ctx) => {
      const problem = richTextProblem(html, COMMENT_TAGS);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });

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
  toolset: "tasks",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      task_gid: gid("task").describe("The task to comment on."),
      text: commentText().optional().describe("Plain-text comment. Give text or html_text, not both."),
      html_text: commentHtml()
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
    task_url: z.string().optional(),
    acting_as: actingAs,
    verified_after_uncertain_failure: z.boolean().optional(),
  }),
  scope: (args) => ({ task: args.task_gid, ...richTextScope(args.html_text) }),
  describe: ({ attribution }) =>
    `Comment on a task, posted as ${attribution("write")}: Asana shows that name to everyone on the task. Never posts twice.`,
  handler: async (args, context) => {
    const { asana, identity, signal } = context;
    const body = {
      ...(args.text !== undefined ? { text: args.text } : { html_text: args.html_text }),
      ...(args.is_pinned !== undefined ? { is_pinned: args.is_pinned } : {}),
    };
    let outcome: { created: Story; verified: boolean };
    try {
      outcome = await createOnce<Story>({
        context,
        what: "the comment",
        where: "the task's comments",
        readBack: `list_comments on task ${args.task_gid}`,
        key: JSON.stringify(["comment", args.task_gid, body]),
        send: async () =>
          (
            await asana.request<Story>(identity, {
              method: "POST",
              path: apiPath`/tasks/${args.task_gid}/stories`,
              query: { opt_fields: STORY_FIELDS },
              body,
              signal,
            })
          ).data,
        maxItems: MAX_STORY_PAGES * 100,
        list: () =>
          readPages<Story>(
            asana,
            identity,
            { path: apiPath`/tasks/${args.task_gid}/stories`, query: { opt_fields: STORY_FIELDS }, signal },
            MAX_STORY_PAGES,
          ),
        authorOf: (s) => s.created_by?.gid,
        createdAtOf: (s) => s.created_at,
        matches: (s) => s.resource_subtype === "comment_added" && sameComment(s, body),
      });
    } catch (error) {
      if (error instanceof AppError && error.code === "asana_bad_request" && args.html_text !== undefined) {
        throw new AppError("invalid_rich_text", error.message, {
          requestId: error.requestId,
          status: error.status,
        });
      }
      throw error;
    }
    const { created: story, verified } = outcome;
    const taskUrl = taskUrlOf(context, args.task_gid);
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
      ...(taskUrl ? { task_url: taskUrl } : {}),
      // Asana's own word on the author first: it is who the comment shows.
      acting_as:
        story.created_by?.name !== undefined
          ? { gid: story.created_by.gid, name: story.created_by.name, kind: identity.kind }
          : await actingAsOf(context),
      ...(verified ? { verified_after_uncertain_failure: true } : {}),
    };
  },
});

/** Every field the call set, as Asana stores it: rich text in canonical form (mentions, entities). */
function sameComment(
  story: Story,
  body: { text?: string; html_text?: string; is_pinned?: boolean },
): boolean {
  if (body.is_pinned !== undefined && (story.is_pinned ?? false) !== body.is_pinned) return false;
  if (body.text !== undefined) return squash(story.text) === squash(body.text);
  return (
    story.html_text !== undefined &&
    canonicalRichText(story.html_text) === canonicalRichText(body.html_text ?? "")
  );
}

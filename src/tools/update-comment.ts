// update_comment: edit a comment's text (the author's own only, as Asana allows) and pin or unpin
// it (any comment, or an attachment's story: Asana's spec limits pinning by kind, not by author).
// A PUT of absolute values cannot double anything, so an uncertain failure is settled by sending
// it once more (idempotentWrite): Asana's answer then is what the comment is.
import { z } from "zod";
import { apiPath } from "../asana/http.js";
import { AppError } from "../errors.js";
import { isComment, kindOf, readStory, requireComment, requireOwnComment } from "./comment-common.js";
import { commentHtml, commentText } from "./create-comment.js";
import { defineTool } from "./define.js";
import { actingAs, gid, userRef } from "./schemas.js";
import { idempotentWrite } from "./settle.js";
import { actingAsOf, taskUrlOf } from "./task-common.js";
import { richTextScope } from "./task-view.js";

/** The stories Asana lets be pinned besides comments: those recording an attachment. */
const PINNABLE_SUBTYPES = new Set(["comment_added", "attachment_added"]);

const RESULT_FIELDS = "created_by.name,text,is_pinned,is_edited,target";

interface UpdatedStory {
  gid: string;
  created_by?: { gid: string; name?: string | null } | null;
  text?: string;
  is_pinned?: boolean;
  is_edited?: boolean;
  target?: { gid: string } | null;
}

export const updateComment = defineTool({
  name: "update_comment",
  title: "Edit or pin a comment",
  toolset: "tasks",
  kind: "write",
  actsAs: "write",
  input: z
    .object({
      story_gid: gid(),
      text: commentText().optional(),
      html_text: commentHtml().optional().describe("As in create_comment."),
      is_pinned: z.boolean().optional(),
    })
    .strict(),
  output: z.object({
    story: z.object({
      gid: z.string(),
      created_by: userRef.nullable(),
      text: z.string().optional(),
      is_pinned: z.boolean().optional(),
      is_edited: z.boolean().optional(),
    }),
    task_url: z.string().optional(),
    acting_as: actingAs,
    verified_after_uncertain_failure: z.boolean().optional(),
  }),
  validate: (a) => {
    if (a.text !== undefined && a.html_text !== undefined) {
      throw new AppError("invalid_input", "give text or html_text, not both.");
    }
    if (a.text === undefined && a.html_text === undefined && a.is_pinned === undefined) {
      throw new AppError("invalid_input", "give text, html_text or is_pinned: there is nothing to change.");
    }
  },
  scope: (a) => ({ story: a.story_gid, ...richTextScope(a.html_text) }),
  describe: ({ attribution }) =>
    `Edit the text of a comment by ${attribution("write")}, as only its author may; or pin/unpin any comment.`,
  handler: async (a, context) => {
    const story = await readStory(context, a.story_gid);
    const editsText = a.text !== undefined || a.html_text !== undefined;
    if (editsText) {
      requireComment(story, "have their text edited");
      await requireOwnComment(context, story, "edit the text of");
    } else if (!isComment(story) && !PINNABLE_SUBTYPES.has(story.resource_subtype ?? "")) {
      throw new AppError(
        "invalid_input",
        `Story ${story.gid} is not a comment but ${kindOf(story)}, and Asana pins only comments and attachments. Nothing was changed.`,
      );
    }
    const body = {
      ...(a.text !== undefined ? { text: a.text } : {}),
      ...(a.html_text !== undefined ? { html_text: a.html_text } : {}),
      ...(a.is_pinned !== undefined ? { is_pinned: a.is_pinned } : {}),
    };
    let written: { data: UpdatedStory; repeated: boolean };
    try {
      written = await idempotentWrite<UpdatedStory>(context, {
        method: "PUT",
        path: apiPath`/stories/${a.story_gid}`,
        query: { opt_fields: RESULT_FIELDS },
        body,
        signal: context.signal,
      });
    } catch (error) {
      if (error instanceof AppError && error.code === "asana_bad_request" && a.html_text !== undefined) {
        throw new AppError("invalid_rich_text", error.message, {
          requestId: error.requestId,
          status: error.status,
        });
      }
      throw error;
    }
    const { data, repeated } = written;
    const task = data.target?.gid ?? story.target?.gid;
    const taskUrl = task ? taskUrlOf(context, task) : undefined;
    return {
      story: {
        gid: data.gid,
        created_by: data.created_by ? { gid: data.created_by.gid, name: data.created_by.name ?? null } : null,
        text: data.text,
        is_pinned: data.is_pinned,
        ...(data.is_edited !== undefined ? { is_edited: data.is_edited } : {}),
      },
      ...(taskUrl ? { task_url: taskUrl } : {}),
      acting_as: await actingAsOf(context),
      ...(repeated ? { verified_after_uncertain_failure: true } : {}),
    };
  },
});

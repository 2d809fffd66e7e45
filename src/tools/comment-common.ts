// What update_comment and delete_comment share: the story read as it is now, and who may change it.
// Asana lets only a comment's author edit its text or delete it; the story is read first, so a
// comment of someone else's is refused with both names before anything is sent.
import { apiPath } from "../asana/http.js";
import { describeIdentity } from "../auth/identities.js";
import { AppError } from "../errors.js";
import type { ToolContext } from "./define.js";

export interface StoryNow {
  gid: string;
  created_at?: string;
  created_by?: { gid: string; name?: string | null } | null;
  type?: "comment" | "system";
  resource_subtype?: string;
  text?: string;
  is_pinned?: boolean;
  target?: { gid: string; name?: string | null; resource_type?: string } | null;
}

const STORY_NOW_FIELDS = "created_at,created_by.name,type,resource_subtype,text,is_pinned,target.name";

/** The story as Asana has it now, read as the acting identity (a 404 or 403 is the answer). */
export async function readStory(context: ToolContext, storyGid: string): Promise<StoryNow> {
  const { asana, identity, signal } = context;
  const { data } = await asana.request<StoryNow>(identity, {
    method: "GET",
    path: apiPath`/stories/${storyGid}`,
    query: { opt_fields: STORY_NOW_FIELDS },
    signal,
  });
  return data;
}

/** A comment someone wrote, as opposed to Asana's record of a change (a system story). */
export function isComment(story: StoryNow): boolean {
  return story.type !== undefined ? story.type === "comment" : story.resource_subtype === "comment_added";
}

/** What a system story is, for messages: its subtype ("added_to_project"), or "activity". */
export function kindOf(story: StoryNow): string {
  return story.resource_subtype ? `Asana's "${story.resource_subtype}" activity` : "Asana's activity";
}

/** "Grace Hopper (1201…)", or the gid alone. */
export function authorOf(story: StoryNow): string {
  const by = story.created_by;
  if (!by) return "Asana itself";
  return by.name ? `${by.name} (${by.gid})` : `user ${by.gid}`;
}

/** The acting identity's Asana user gid: known since start-up, or asked of /users/me now. */
async function actingGid(context: ToolContext): Promise<string> {
  const { resolver, identity, asana, config, signal } = context;
  // A gid never changes: one learnt before a later failure still names the same user.
  const known = resolver.resolution(identity).user?.gid;
  if (known) return known;
  const resolution = await resolver.current(identity, asana, config.requestTimeoutMs, signal);
  if (resolution.user) return resolution.user.gid;
  throw new AppError(
    resolution.error?.code ?? "unauthorized",
    `Asana did not say who ${describeIdentity(identity)} is (${resolution.error?.message ?? "GET /users/me did not answer"}), so whether the comment is its own cannot be checked; nothing was changed.`,
    { hint: resolution.error?.hint },
  );
}

/**
 * Refuses (forbidden) before anything is sent when the comment is not the acting identity's own:
 * Asana lets only a comment's author `what` ("edit the text of", "delete") it.
 */
export async function requireOwnComment(context: ToolContext, story: StoryNow, what: string): Promise<void> {
  const acting = await actingGid(context);
  if (story.created_by?.gid === acting) return;
  throw new AppError(
    "forbidden",
    `Comment ${story.gid} was written by ${authorOf(story)}; asana-mcp acts as ${describeIdentity(context.identity)} for writes, and Asana lets only a comment's author ${what} it. Nothing was changed.`,
    {
      hint: "Leave it as it is, or ask its author; to add to it, post a new comment with create_comment.",
    },
  );
}

/** Refuses (invalid_input) a story that is no comment, before anything is sent. */
export function requireComment(story: StoryNow, what: string): void {
  if (isComment(story)) return;
  throw new AppError(
    "invalid_input",
    `Story ${story.gid} is not a comment but ${kindOf(story)}, and only comments can ${what}. Nothing was changed.`,
    { hint: "Take a comment's gid from list_comments." },
  );
}

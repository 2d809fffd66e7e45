// The Asana requests asana-mcp's tools send, so that the raw baseline (bench/sandbox.mjs) and the
// bare server's HTTP tools (bench/bare-server.mjs) send exactly the same ones. No imports: the bare
// server's start-up is the floor the benches compare against.

/** The stories fields create_comment asks for (src/tools/create-comment.ts). */
const STORY_FIELDS = "created_at,created_by.name,resource_subtype,text,html_text,is_pinned";

export const asanaPaths = {
  projects: (workspace, limit = 100) =>
    `/projects?workspace=${workspace}&archived=false&limit=${limit}&opt_fields=name,team.name`,
  comment: (task) => `/tasks/${task}/stories?opt_fields=${STORY_FIELDS}`,
};

/**
 * Field selection (opt_fields) and rendering: each resource kind's compact and full shape, as Asana's
 * spec gives them.
 */
import { textToCommentHtml } from "./html-text.js";
import { type FieldTree, type FieldValue, type Json, type Kind, Ref } from "./model.js";
import type { KindView, ViewContext } from "./store.js";
import { projectSettings, worldProjectFields, worldTaskFields, worldViews } from "./views-world.js";

export function parseOptFields(raw: string | null): FieldTree | null {
  if (raw === null) return null;
  const tree: FieldTree = new Map();
  for (const path of raw.split(",")) {
    let node = tree;
    for (const part of path.trim().split(".")) {
      if (part === "") break;
      let next = node.get(part);
      if (next === undefined) {
        next = new Map();
        node.set(part, next);
      }
      node = next;
    }
  }
  return tree;
}

export function renderObject(
  ref: Ref,
  names: Iterable<string>,
  subtree: (name: string) => FieldTree | null,
  vc: ViewContext,
): { [key: string]: Json } {
  const view = VIEWS[ref.kind];
  const out: { [key: string]: Json } = { gid: ref.gid, resource_type: view.resourceType };
  const fields = view.fields(ref.gid, vc);
  if (fields === undefined) return out;
  for (const name of names) {
    if (name === "gid" || name === "resource_type") continue;
    const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (field !== undefined) out[name] = renderValue(field(), subtree(name), vc);
  }
  return out;
}

/** `tree === null` means "default shape"; an empty tree means "the field itself, no sub-fields". */
export function renderValue(value: FieldValue, tree: FieldTree | null, vc: ViewContext): Json {
  if (value instanceof Ref) {
    // Asana answers `opt_fields=assignee` with only the id; sub-fields must be asked for explicitly.
    if (tree === null) return renderObject(value, VIEWS[value.kind].compact, () => null, vc);
    return renderObject(value, tree.keys(), (n) => tree.get(n) ?? new Map(), vc);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, tree, vc));
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: Json } = {};
    const all = tree === null || tree.size === 0;
    // A nested resource (an enum option, say) keeps its gid and resource_type whatever is asked, as in Asana.
    const keys = all ? Object.keys(value) : ["gid", "resource_type", ...tree.keys()];
    for (const key of new Set(keys)) {
      const v = value[key];
      if (v !== undefined) out[key] = renderValue(v, all ? null : (tree.get(key) ?? null), vc);
    }
    return out;
  }
  return value;
}

export function renderResource(
  kind: Kind,
  gid: string,
  vc: ViewContext,
  fields: FieldTree | null,
  shape: "compact" | "full",
): Json {
  const ref = new Ref(kind, gid);
  if (fields === null) return renderObject(ref, VIEWS[kind][shape], () => null, vc);
  return renderObject(ref, fields.keys(), (n) => fields.get(n) ?? new Map(), vc);
}

export const ref = (kind: Kind, gid: string | null): Ref | null => (gid === null ? null : new Ref(kind, gid));

export const permalink = (workspace: string, type: string, gid: string) =>
  `https://app.asana.com/1/${workspace}/${type}/${gid}`;

export const VIEWS: Record<Kind, KindView> = {
  user: {
    resourceType: "user",
    compact: ["name"],
    full: ["name", "email", "photo", "workspaces"],
    fields(gid, vc) {
      const u = vc.store.users.get(gid);
      if (u === undefined) return undefined;
      return {
        name: () => u.name,
        email: () => u.email,
        photo: () => (u.photo === null ? null : { ...u.photo }),
        // "The API will only return workspaces and organizations that also contain the authenticated user."
        workspaces: () =>
          u.workspaces.filter((w) => vc.viewer.workspaces.includes(w)).map((w) => new Ref("workspace", w)),
      };
    },
  },
  workspace: {
    resourceType: "workspace",
    compact: ["name"],
    full: ["name", "email_domains", "is_organization"],
    fields(gid, vc) {
      const w = vc.store.workspaces.get(gid);
      if (w === undefined) return undefined;
      return {
        name: () => w.name,
        is_organization: () => w.isOrganization,
        email_domains: () => [...w.emailDomains],
      };
    },
  },
  team: {
    resourceType: "team",
    compact: ["name"],
    full: ["name", "description", "organization", "permalink_url"],
    fields(gid, vc) {
      const t = vc.store.teams.get(gid);
      if (t === undefined) return undefined;
      return {
        name: () => t.name,
        description: () => t.description,
        organization: () => new Ref("workspace", t.workspace),
        permalink_url: () => permalink(t.workspace, "team", t.gid),
      };
    },
  },
  project: {
    resourceType: "project",
    compact: ["name"],
    full: [
      "name",
      "archived",
      "color",
      "completed",
      "completed_at",
      "created_at",
      "modified_at",
      "notes",
      "owner",
      "team",
      "workspace",
      "permalink_url",
      "privacy_setting",
      "default_view",
      "due_on",
      "start_on",
      "custom_field_settings",
    ],
    fields(gid, vc) {
      const p = vc.store.projects.get(gid);
      if (p === undefined) return undefined;
      return {
        name: () => p.name,
        archived: () => p.archived,
        color: () => p.color,
        completed: () => false,
        completed_at: () => null,
        completed_by: () => null,
        created_at: () => p.createdAt,
        modified_at: () => p.modifiedAt,
        notes: () => p.notes,
        html_notes: () => textToCommentHtml(p.notes),
        owner: () => ref("user", p.owner),
        team: () => ref("team", p.team),
        workspace: () => new Ref("workspace", p.workspace),
        permalink_url: () => permalink(p.workspace, "project", p.gid),
        privacy_setting: () => "public_to_workspace",
        public: () => true,
        default_view: () => "list",
        due_on: () => null,
        start_on: () => null,
        custom_field_settings: () => projectSettings(vc.store, p.gid),
        // The sandbox does not model project memberships: the owner is the one member and follower.
        members: () => (p.owner === null ? [] : [new Ref("user", p.owner)]),
        followers: () => (p.owner === null ? [] : [new Ref("user", p.owner)]),
        custom_fields: () => [],
        due_date: () => null,
        icon: () => "list",
        default_access_level: () => "editor",
        minimum_access_level_for_customization: () => "editor",
        minimum_access_level_for_sharing: () => "editor",
        created_from_template: () => null,
        project_brief: () => null,
        ...worldProjectFields(vc.store, p.gid),
      };
    },
  },
  task: {
    resourceType: "task",
    compact: ["name", "resource_subtype"],
    full: [
      "name",
      "resource_subtype",
      "assignee",
      "completed",
      "completed_at",
      "created_at",
      "due_at",
      "due_on",
      "followers",
      "hearted",
      "hearts",
      "liked",
      "likes",
      "memberships",
      "modified_at",
      "notes",
      "num_hearts",
      "num_likes",
      "parent",
      "permalink_url",
      "projects",
      "start_at",
      "start_on",
      "tags",
      "workspace",
      "custom_fields",
    ],
    fields(gid, vc) {
      const t = vc.store.tasks.get(gid);
      if (t === undefined) return undefined;
      return {
        name: () => t.name,
        resource_subtype: () => t.resourceSubtype,
        assignee: () => ref("user", t.assignee),
        completed: () => t.completed,
        completed_at: () => t.completedAt,
        created_at: () => t.createdAt,
        created_by: () => ref("user", t.createdBy),
        due_at: () => null,
        due_on: () => t.dueOn,
        start_at: () => null,
        start_on: () => t.startOn,
        followers: () => t.followers.map((u) => new Ref("user", u)),
        hearted: () => false,
        hearts: () => [],
        num_hearts: () => 0,
        liked: () => false,
        likes: () => [],
        num_likes: () => 0,
        memberships: () => t.projects.map((p) => ({ project: new Ref("project", p) })),
        modified_at: () => t.modifiedAt,
        notes: () => t.notes,
        html_notes: () => textToCommentHtml(t.notes),
        num_subtasks: () => 0,
        parent: () => null,
        permalink_url: () => permalink(t.workspace, "task", t.gid),
        projects: () => t.projects.map((p) => new Ref("project", p)),
        tags: () => [],
        workspace: () => new Ref("workspace", t.workspace),
        // Fields the sandbox keeps no record of answer as Asana does for a task that never had them.
        actual_time_minutes: () => null,
        approval_status: () => (t.resourceSubtype === "approval" ? "pending" : null),
        assigned_by: () => null,
        assignee_section: () => null,
        assignee_status: () => "upcoming",
        completed_by: () => null,
        custom_type: () => null,
        custom_type_status_option: () => null,
        external: () => null,
        is_rendered_as_separator: () => false,
        ...worldTaskFields(vc.store, t),
      };
    },
  },
  story: {
    resourceType: "story",
    compact: ["created_at", "created_by", "resource_subtype", "text"],
    full: [
      "created_at",
      "created_by",
      "resource_subtype",
      "text",
      "type",
      "is_pinned",
      "is_editable",
      "is_edited",
      "hearted",
      "hearts",
      "num_hearts",
      "liked",
      "likes",
      "num_likes",
      "previews",
      "source",
      "sticker_name",
      "target",
    ],
    fields(gid, vc) {
      const s = vc.store.stories.get(gid);
      if (s === undefined) return undefined;
      return {
        created_at: () => s.created_at,
        created_by: () => new Ref("user", s.created_by.gid),
        resource_subtype: () => s.resource_subtype,
        text: () => s.text,
        html_text: () => s.html_text,
        type: () => s.type,
        is_pinned: () => s.is_pinned,
        is_editable: () => s.type === "comment" && s.created_by.gid === vc.viewer.gid,
        is_edited: () => s.is_edited === true,
        hearted: () => false,
        hearts: () => [],
        num_hearts: () => 0,
        liked: () => false,
        likes: () => [],
        num_likes: () => 0,
        reaction_summary: () => [],
        previews: () => [],
        source: () => s.source,
        sticker_name: () => s.sticker_name,
        target: () => new Ref("task", s.target.gid),
      };
    },
  },
  ...worldViews(),
};

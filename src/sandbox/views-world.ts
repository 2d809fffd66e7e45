/**
 * How sections, tags, custom fields (and their settings), attachments, status updates and portfolios are
 * rendered, and the fields a task has beyond its core record.
 */
import { textToCommentHtml } from "./html-text.js";
import {
  type FieldMap,
  type FieldRec,
  type OptionRec,
  Ref,
  type StatusRec,
  type TaskRec,
  type WorldKind,
} from "./model.js";
import type { KindView, Store } from "./store.js";

/** The custom field settings of a project, in the order its fields were added. */
export function projectSettings(store: Store, project: string): Ref[] {
  return [...store.world.settings]
    .filter(([, s]) => s.project === project && store.world.fields.has(s.field))
    .map(([gid]) => new Ref("custom_field_setting", gid));
}

/** The fields a task has beyond those in views.ts. */
export function worldTaskFields(store: Store, t: TaskRec): FieldMap {
  const w = store.world;
  return {
    html_notes: () => w.htmlNotes.get(t.gid) ?? textToCommentHtml(t.notes),
    due_at: () => w.dueAt.get(t.gid) ?? null,
    start_at: () => w.startAt.get(t.gid) ?? null,
    memberships: () =>
      t.projects.map((p) => ({
        project: new Ref("project", p),
        section: sectionRef(store, t.gid, p),
      })),
    num_subtasks: () => subtasksOf(store, t.gid).length,
    parent: () => {
      const parent = w.parent.get(t.gid);
      return parent === undefined || !store.tasks.has(parent) ? null : new Ref("task", parent);
    },
    tags: () => (w.taskTags.get(t.gid) ?? []).map((g) => new Ref("tag", g)),
    dependencies: () =>
      (w.dependencies.get(t.gid) ?? []).filter((g) => store.tasks.has(g)).map((g) => new Ref("task", g)),
    dependents: () =>
      [...w.dependencies]
        .filter(([task, on]) => on.includes(t.gid) && store.tasks.has(task))
        .map(([task]) => new Ref("task", task)),
    custom_fields: () => customFieldsOf(store, t),
  };
}

/** A project's current status: its latest status update, also as the legacy project_status record. */
export function worldProjectFields(store: Store, project: string): FieldMap {
  const latest = () =>
    [...store.world.statuses.values()]
      .filter((s) => s.project === project)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .at(-1);
  const COLORS: Record<string, string> = {
    on_track: "green",
    at_risk: "yellow",
    off_track: "red",
    on_hold: "blue",
  };
  return {
    current_status_update: () => {
      const s = latest();
      return s === undefined ? null : new Ref("status_update", s.gid);
    },
    current_status: () => {
      const s = latest();
      if (s === undefined) return null;
      return {
        gid: s.gid,
        resource_type: "project_status",
        title: s.title,
        text: s.text,
        html_text: textToCommentHtml(s.text),
        color: COLORS[s.statusType] ?? "complete",
        author: new Ref("user", s.createdBy),
        created_by: new Ref("user", s.createdBy),
        created_at: s.createdAt,
        modified_at: s.createdAt,
      };
    },
  };
}

/** What every custom field record carries, on its own or as a task's value (CustomFieldBase). */
export function fieldBase(f: FieldRec): { [key: string]: Plain } {
  return {
    description: "",
    enabled: true,
    format: f.type === "number" ? "custom" : "none",
    currency_code: null,
    custom_label: null,
    custom_label_position: null,
    is_formula_field: false,
    is_value_read_only: false,
    has_notifications_enabled: false,
    asana_created_field: null,
    created_by: null,
    default_access_level: "editor",
    privacy_setting: "public_with_guests",
    representation_type: f.type,
    id_prefix: null,
    input_restrictions: [],
    is_global_to_workspace: false,
  };
}

export function sectionRef(store: Store, task: string, project: string): Ref | null {
  const section = store.world.taskSection.get(`${task}:${project}`);
  return section === undefined ? null : new Ref("section", section);
}

export function subtasksOf(store: Store, parent: string): string[] {
  return [...store.world.parent].filter(([t, p]) => p === parent && store.tasks.has(t)).map(([t]) => t);
}

export function fieldsForTask(store: Store, t: TaskRec): FieldRec[] {
  const gids = new Set([...t.projects.flatMap((p) => store.world.projectFields.get(p) ?? [])]);
  for (const gid of store.world.values.get(t.gid)?.keys() ?? []) gids.add(gid);
  return [...gids].map((g) => store.world.fields.get(g)).filter((f): f is FieldRec => f !== undefined);
}

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

export function optionJson(o: OptionRec): { [key: string]: Plain } {
  return { gid: o.gid, resource_type: "enum_option", name: o.name, color: o.color, enabled: o.enabled };
}

export function customFieldsOf(store: Store, t: TaskRec): Plain[] {
  const values = store.world.values.get(t.gid);
  return fieldsForTask(store, t).map((f) => {
    const v = values?.get(f.gid) ?? null;
    const out: { [key: string]: Plain } = {
      gid: f.gid,
      resource_type: "custom_field",
      name: f.name,
      type: f.type,
      resource_subtype: f.type,
      ...fieldBase(f),
    };
    if (f.type === "text") {
      out.text_value = typeof v === "string" ? v : null;
      out.display_value = out.text_value;
    } else if (f.type === "number") {
      out.number_value = typeof v === "number" ? v : null;
      out.precision = f.precision;
      out.display_value = typeof v === "number" ? v.toFixed(f.precision) : null;
    } else if (f.type === "enum") {
      const option = f.options.find((o) => o.gid === v);
      out.enum_value = option ? optionJson(option) : null;
      out.enum_options = f.options.map(optionJson);
      out.display_value = option?.name ?? null;
    } else {
      const chosen = f.options.filter((o) => Array.isArray(v) && v.includes(o.gid));
      out.multi_enum_values = chosen.map(optionJson);
      out.enum_options = f.options.map(optionJson);
      out.display_value = chosen.length ? chosen.map((o) => o.name).join(", ") : null;
    }
    return out;
  });
}

export function worldViews(): Record<WorldKind, KindView> {
  return {
    section: {
      resourceType: "section",
      compact: ["name"],
      full: ["name", "created_at", "project", "projects"],
      fields(gid, vc) {
        const s = vc.store.world.sections.get(gid);
        if (s === undefined) return undefined;
        return {
          name: () => s.name,
          created_at: () => s.createdAt ?? "2025-01-01T00:00:00.000Z",
          project: () => new Ref("project", s.project),
          projects: () => [new Ref("project", s.project)],
        };
      },
    },
    tag: {
      resourceType: "tag",
      compact: ["name"],
      full: ["name", "color", "created_at", "workspace", "followers", "notes", "permalink_url"],
      fields(gid, vc) {
        const t = vc.store.world.tags.get(gid);
        if (t === undefined) return undefined;
        return {
          name: () => t.name,
          color: () => t.color,
          created_at: () => t.createdAt ?? "2025-01-01T00:00:00.000Z",
          workspace: () => new Ref("workspace", t.workspace),
          followers: () => (t.followers ?? []).map((u) => new Ref("user", u)),
          notes: () => t.notes ?? "",
          permalink_url: () => `https://app.asana.com/0/${t.gid}/list`,
        };
      },
    },
    agent: {
      resourceType: "agent",
      compact: ["name", "resource_subtype"],
      full: ["name", "resource_subtype", "description", "workspace"],
      fields(gid, vc) {
        const a = vc.store.world.agents.get(gid);
        if (a === undefined) return undefined;
        return {
          name: () => a.name,
          resource_subtype: () => "asana_teammate",
          description: () => a.description ?? "",
          workspace: () => new Ref("workspace", a.workspace),
        };
      },
    },
    custom_field: {
      resourceType: "custom_field",
      compact: ["name", "type", "resource_subtype", "enum_options"],
      full: ["name", "type", "resource_subtype", "enum_options", "precision", "is_global_to_workspace"],
      fields(gid, vc) {
        const f = vc.store.world.fields.get(gid);
        if (f === undefined) return undefined;
        const base = fieldBase(f);
        return {
          ...Object.fromEntries(Object.entries(base).map(([k, v]) => [k, () => v])),
          name: () => f.name,
          type: () => f.type,
          resource_subtype: () => f.type,
          enum_options: () => f.options.map(optionJson),
          precision: () => f.precision,
          is_global_to_workspace: () => false,
        };
      },
    },
    custom_field_setting: {
      resourceType: "custom_field_setting",
      compact: ["is_important", "custom_field"],
      full: ["is_important", "custom_field", "parent", "project"],
      fields(gid, vc) {
        const s = vc.store.world.settings.get(gid);
        if (s === undefined) return undefined;
        return {
          is_important: () => true,
          custom_field: () => new Ref("custom_field", s.field),
          parent: () => new Ref("project", s.project),
          project: () => new Ref("project", s.project),
        };
      },
    },
    attachment: {
      resourceType: "attachment",
      compact: ["name", "resource_subtype"],
      full: [
        "name",
        "resource_subtype",
        "created_at",
        "download_url",
        "host",
        "parent",
        "permanent_url",
        "size",
        "view_url",
      ],
      fields(gid, vc) {
        const a = vc.store.world.attachments.get(gid);
        if (a === undefined) return undefined;
        return {
          name: () => a.name,
          resource_subtype: () => a.subtype ?? "asana",
          created_at: () => a.createdAt,
          // Asana's download URLs are short-lived signed links; this one is as opaque. An external
          // attachment is its link.
          download_url: () =>
            a.url ?? `https://asana-user-private.example/assets/${a.gid}/${encodeURIComponent(a.name)}`,
          host: () => (a.subtype === "external" ? "external" : "asana"),
          parent: () => new Ref(a.parentType ?? "task", a.task),
          permanent_url: () => `https://app.asana.com/app/asana/-/get_asset?asset_id=${a.gid}`,
          // "Only present when the resource_subtype is asana."
          size: () => (a.subtype === "external" ? null : a.size),
          view_url: () => a.url ?? null,
        };
      },
    },
    portfolio: {
      resourceType: "portfolio",
      compact: ["name"],
      full: ["name", "color", "owner", "members", "public", "workspace", "permalink_url"],
      fields(gid, vc) {
        const p = vc.store.world.portfolios.get(gid);
        if (p === undefined) return undefined;
        return {
          name: () => p.name,
          color: () => p.color,
          owner: () => new Ref("user", p.owner),
          members: () => p.members.map((u) => new Ref("user", u)),
          public: () => p.public,
          workspace: () => new Ref("workspace", p.workspace),
          permalink_url: () => `https://app.asana.com/0/portfolio/${p.gid}/list`,
        };
      },
    },
    status_update: {
      resourceType: "status_update",
      compact: ["title", "resource_subtype"],
      full: [
        "title",
        "resource_subtype",
        "text",
        "html_text",
        "status_type",
        "author",
        "created_at",
        "created_by",
        "modified_at",
        "parent",
      ],
      fields(gid, vc) {
        const s = vc.store.world.statuses.get(gid);
        if (s === undefined) return undefined;
        return {
          title: () => s.title,
          resource_subtype: () => "project_status_update",
          text: () => s.text,
          html_text: () => textToCommentHtml(s.text),
          status_type: () => s.statusType,
          author: () => new Ref("user", s.createdBy),
          created_by: () => new Ref("user", s.createdBy),
          created_at: () => s.createdAt,
          modified_at: () => s.createdAt,
          parent: () => new Ref("project", s.project),
        };
      },
    },
  };
}

/** What tests read back: a task's state as the fake holds it. */
export function describeTask(store: Store, gid: string) {
  const t = store.tasks.get(gid);
  if (t === undefined) return undefined;
  const w = store.world;
  return {
    ...structuredClone(t),
    htmlNotes: w.htmlNotes.get(gid) ?? null,
    dueAt: w.dueAt.get(gid) ?? null,
    startAt: w.startAt.get(gid) ?? null,
    parent: w.parent.get(gid) ?? null,
    tags: [...(w.taskTags.get(gid) ?? [])],
    dependencies: [...(w.dependencies.get(gid) ?? [])],
    sections: Object.fromEntries(t.projects.map((p) => [p, w.taskSection.get(`${gid}:${p}`) ?? null])),
    customFields: Object.fromEntries(w.values.get(gid) ?? []),
  };
}

export function sectionsOf(store: Store, project: string): Array<{ gid: string; name: string }> {
  return [...store.world.sections.values()]
    .filter((s) => s.project === project)
    .map((s) => ({ gid: s.gid, name: s.name }));
}

export function statusesOf(store: Store, project: string): StatusRec[] {
  return [...store.world.statuses.values()].filter((s) => s.project === project).map((s) => ({ ...s }));
}

/**
 * How portfolios, goals, time periods and the status updates of goals and portfolios are rendered, and
 * who may see a portfolio or a goal.
 */
import { textToCommentHtml } from "./html-text.js";
import { type FieldMap, type Kind, type PortfolioRec, Ref, type UserRec } from "./model.js";
import type { GoalRec, ObjectStatusRec, PortfolioKind } from "./model-portfolios.js";
import type { KindView, Store } from "./store.js";

const ref = (kind: Kind, gid: string | null): Ref | null => (gid === null ? null : new Ref(kind, gid));

/** A portfolio is seen by its members (the owner is one) and, when public, by its workspace; a service account sees its organization's. */
export function portfolioVisible(p: PortfolioRec, viewer: UserRec): boolean {
  if (!viewer.workspaces.includes(p.workspace)) return false;
  return p.public || p.members.includes(viewer.gid) || viewer.kind === "service_account";
}

/** A members_only goal is seen by its owner and followers; others by the whole workspace. */
export function goalVisible(g: GoalRec, viewer: UserRec): boolean {
  if (!viewer.workspaces.includes(g.workspace)) return false;
  return (
    g.privacy === "public_to_workspace" ||
    g.owner === viewer.gid ||
    g.followers.includes(viewer.gid) ||
    viewer.kind === "service_account"
  );
}

/** What a portfolio's item is: a project or a nested portfolio. */
export function itemKind(store: Store, gid: string): "project" | "portfolio" | undefined {
  if (store.projects.has(gid)) return "project";
  if (store.world.portfolios.has(gid)) return "portfolio";
  return undefined;
}

function latestStatus(store: Store, parent: string): ObjectStatusRec | undefined {
  return [...store.world.portfolioWorld.statuses.values()]
    .filter((s) => s.parent === parent)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .at(-1);
}

function metricFields(g: GoalRec): FieldMap | undefined {
  const m = g.metric;
  if (m === null) return undefined;
  const display =
    m.unit === "percentage" ? `${(m.current * 100).toFixed(m.precision)}%` : m.current.toFixed(m.precision);
  return {
    gid: () => `${g.gid}1`,
    resource_type: () => "goal_metric",
    resource_subtype: () => "number",
    precision: () => m.precision,
    unit: () => m.unit,
    currency_code: () => m.currencyCode,
    initial_number_value: () => m.initial,
    target_number_value: () => m.target,
    current_number_value: () => m.current,
    current_display_value: () => display,
    progress_source: () => m.progressSource,
    is_custom_weight: () => false,
    can_manage: () => true,
  };
}

export function portfolioViews(): Record<"portfolio" | PortfolioKind, KindView> {
  return {
    portfolio: {
      resourceType: "portfolio",
      compact: ["name"],
      full: [
        "name",
        "archived",
        "color",
        "created_at",
        "created_by",
        "current_status_update",
        "due_on",
        "members",
        "owner",
        "permalink_url",
        "privacy_setting",
        "public",
        "start_on",
        "workspace",
      ],
      fields(gid, vc) {
        const p = vc.store.world.portfolios.get(gid);
        if (p === undefined) return undefined;
        return {
          name: () => p.name,
          archived: () => false,
          color: () => p.color,
          created_at: () => "2025-01-01T00:00:00.000Z",
          created_by: () => new Ref("user", p.owner),
          current_status_update: () => {
            const s = latestStatus(vc.store, p.gid);
            return s === undefined ? null : new Ref("object_status_update", s.gid);
          },
          default_access_level: () => "editor",
          due_on: () => null,
          start_on: () => null,
          owner: () => new Ref("user", p.owner),
          members: () => p.members.map((u) => new Ref("user", u)),
          public: () => p.public,
          privacy_setting: () => (p.public ? "public_to_workspace" : "members_only"),
          project_templates: () => [],
          custom_field_settings: () => [],
          custom_fields: () => [],
          workspace: () => new Ref("workspace", p.workspace),
          permalink_url: () => `https://app.asana.com/0/portfolio/${p.gid}/list`,
        };
      },
    },
    goal: {
      resourceType: "goal",
      compact: ["name", "owner"],
      full: [
        "name",
        "owner",
        "notes",
        "html_notes",
        "due_on",
        "start_on",
        "is_workspace_level",
        "liked",
        "likes",
        "num_likes",
        "team",
        "workspace",
        "followers",
        "time_period",
        "metric",
        "current_status_update",
        "status",
        "privacy_setting",
      ],
      fields(gid, vc) {
        const g = vc.store.world.portfolioWorld.goals.get(gid);
        if (g === undefined) return undefined;
        const metric = metricFields(g);
        return {
          name: () => g.name,
          owner: () => ref("user", g.owner),
          notes: () => g.notes,
          html_notes: () => textToCommentHtml(g.notes),
          due_on: () => g.dueOn,
          start_on: () => g.startOn,
          is_workspace_level: () => g.isWorkspaceLevel,
          liked: () => false,
          likes: () => [],
          num_likes: () => 0,
          team: () => ref("team", g.team),
          workspace: () => new Ref("workspace", g.workspace),
          followers: () => g.followers.map((u) => new Ref("user", u)),
          time_period: () => ref("time_period", g.timePeriod),
          metric: () =>
            metric === undefined
              ? null
              : Object.fromEntries(Object.entries(metric).map(([key, value]) => [key, value()])),
          current_status_update: () => {
            const s = latestStatus(vc.store, g.gid);
            return s === undefined ? null : new Ref("object_status_update", s.gid);
          },
          status: () => g.status,
          privacy_setting: () => g.privacy,
          default_access_level: () => "editor",
          custom_fields: () => [],
          custom_field_settings: () => [],
        };
      },
    },
    time_period: {
      resourceType: "time_period",
      compact: ["display_name", "period", "start_on", "end_on"],
      full: ["display_name", "period", "start_on", "end_on", "parent"],
      fields(gid, vc) {
        const t = vc.store.world.portfolioWorld.timePeriods.get(gid);
        if (t === undefined) return undefined;
        return {
          display_name: () => t.displayName,
          period: () => t.period,
          start_on: () => t.startOn,
          end_on: () => t.endOn,
          parent: () => ref("time_period", t.parent),
        };
      },
    },
    object_status_update: {
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
        const s = vc.store.world.portfolioWorld.statuses.get(gid);
        if (s === undefined) return undefined;
        const parentKind: Kind = s.parentType;
        return {
          title: () => s.title,
          resource_subtype: () => `${s.parentType}_status_update`,
          text: () => s.text,
          html_text: () => textToCommentHtml(s.text),
          status_type: () => s.statusType,
          author: () => new Ref("user", s.createdBy),
          created_by: () => new Ref("user", s.createdBy),
          created_at: () => s.createdAt,
          modified_at: () => s.createdAt,
          parent: () => new Ref(parentKind, s.parent),
        };
      },
    },
  };
}

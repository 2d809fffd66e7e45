/** How project dates, privacy and memberships, project templates, jobs and memberships are rendered. */
import { type FieldMap, Ref } from "./model.js";
import {
  DATE_VARIABLES,
  extrasOf,
  jobStatus,
  membershipsOf,
  type ProjectWriteKind,
} from "./project-model.js";
import type { KindView, Store } from "./store.js";

/** The project fields project-model.ts keeps, over the fixed answers of views.ts. */
export function projectWriteFields(store: Store, gid: string): FieldMap {
  const project = store.projects.get(gid);
  if (project === undefined) return {};
  const x = extrasOf(store, project);
  return {
    privacy_setting: () => x.privacy,
    public: () => x.privacy === "public_to_workspace",
    default_view: () => x.defaultView,
    due_on: () => x.dueOn,
    due_date: () => x.dueOn,
    start_on: () => x.startOn,
    members: () => membershipsOf(store, project).map((m) => new Ref("user", m.user)),
    followers: () => x.followers.map((u) => new Ref("user", u)),
    created_from_template: () => (x.template === null ? null : new Ref("project_template", x.template)),
  };
}

export function projectWriteViews(): Record<ProjectWriteKind, KindView> {
  return {
    project_template: {
      resourceType: "project_template",
      compact: ["name"],
      full: [
        "name",
        "description",
        "html_description",
        "public",
        "owner",
        "team",
        "requested_dates",
        "requested_roles",
        "color",
      ],
      fields(gid, vc) {
        const t = vc.store.projectWorld.templates.get(gid);
        if (t === undefined) return undefined;
        return {
          name: () => t.name,
          description: () => t.description,
          html_description: () => `<body>${t.description}</body>`,
          public: () => true,
          owner: () => (t.owner === null ? null : new Ref("user", t.owner)),
          team: () => new Ref("team", t.team),
          requested_dates: () => t.requestedDates.map((d) => ({ gid: d, ...DATE_VARIABLES[d] })),
          requested_roles: () => [],
          color: () => "none",
        };
      },
    },
    job: {
      resourceType: "job",
      compact: ["resource_subtype", "status", "new_project", "new_task", "new_project_template"],
      full: ["resource_subtype", "status", "new_project", "new_task", "new_project_template"],
      fields(gid, vc) {
        const j = vc.store.projectWorld.jobs.get(gid);
        if (j === undefined) return undefined;
        return {
          resource_subtype: () => "instantiate_project",
          status: () => jobStatus(j),
          new_project: () => new Ref("project", j.project),
          new_task: () => null,
          new_project_template: () => null,
        };
      },
    },
    membership: {
      resourceType: "membership",
      compact: ["resource_subtype", "parent", "member", "access_level"],
      full: ["resource_subtype", "parent", "member", "access_level"],
      fields(gid, vc) {
        const m = vc.store.projectWorld.memberships.get(gid);
        if (m === undefined) return undefined;
        return {
          resource_subtype: () => "project_membership",
          parent: () => new Ref("project", m.project),
          member: () => new Ref("user", m.user),
          access_level: () => m.accessLevel,
        };
      },
    },
  };
}

/** A copy of a project's state for tests: undefined when there is no such project. */
export function describeProject(store: Store, gid: string) {
  const p = store.projects.get(gid);
  if (p === undefined) return undefined;
  const x = extrasOf(store, p);
  return {
    ...p,
    startOn: x.startOn,
    dueOn: x.dueOn,
    defaultView: x.defaultView,
    privacy: x.privacy,
    template: x.template,
    followers: [...x.followers],
    members: membershipsOf(store, p).map((m) => m.user),
    sections: [...store.world.sections.values()].filter((s) => s.project === gid).map((s) => s.name),
  };
}

/**
 * The sandbox's project records and seeds (project templates, jobs, memberships), as types only:
 * model.ts and store.ts import them, so this file imports nothing.
 */
export type ProjectWriteKind = "project_template" | "job" | "membership";

export interface FakeProjectTemplateSeed {
  gid: string;
  name: string;
  /** Templates in organizations are shared with a single team (the spec's Project templates tag). */
  team: string;
  description?: string;
  owner?: string | null;
  /** Sections the new project gets. */
  sections?: string[];
  /** Date variables: "1" the project's start date, "2" its due date (DateVariableRequest.gid). */
  requestedDates?: Array<"1" | "2">;
  /** How long the instantiation job runs before it succeeds; default 300 ms. */
  instantiateMs?: number;
  /** The job ends "failed" (the project it made stays, half filled). */
  fails?: boolean;
}

export interface ProjectExtras {
  startOn: string | null;
  dueOn: string | null;
  defaultView: string;
  privacy: string;
  followers: string[];
  template: string | null;
}

export interface TemplateRec {
  gid: string;
  name: string;
  team: string;
  description: string;
  owner: string | null;
  sections: string[];
  requestedDates: Array<"1" | "2">;
  instantiateMs: number;
  fails: boolean;
}

export interface JobRec {
  gid: string;
  project: string;
  createdBy: string;
  /** This machine's Date.now() when the job ends. */
  doneAt: number;
  fails: boolean;
}

export interface MembershipRec {
  gid: string;
  project: string;
  user: string;
  accessLevel: "admin" | "editor" | "commenter" | "viewer";
}

export interface ProjectWorld {
  extras: Map<string, ProjectExtras>;
  templates: Map<string, TemplateRec>;
  jobs: Map<string, JobRec>;
  memberships: Map<string, MembershipRec>;
  /** Projects whose owner's membership has been made (seeded projects get it on first use). */
  membersSeeded: Set<string>;
}

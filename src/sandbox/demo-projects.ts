/** SANDBOX DEMO DATA: project templates, so create_project has something to instantiate. Made up, fixed gids. */
import type { FakeProjectTemplateSeed } from "./project-model.js";

export const DEMO_TEMPLATE_GIDS = {
  /** "Product launch" in Acme's Marketing team: asks for a start and a due date. */
  launch: "1214000000000001",
  /** "Two-week sprint" in Acme's Engineering team: no dates to give. */
  sprint: "1214000000000002",
} as const;

export function demoTemplates(teams: { marketing: string; engineering: string }): FakeProjectTemplateSeed[] {
  return [
    {
      gid: DEMO_TEMPLATE_GIDS.launch,
      name: "Product launch",
      team: teams.marketing,
      description: "Plan, build and ship a launch. Sandbox demo data.",
      sections: ["Plan", "Build", "Launch"],
      requestedDates: ["1", "2"],
    },
    {
      gid: DEMO_TEMPLATE_GIDS.sprint,
      name: "Two-week sprint",
      team: teams.engineering,
      description: "A sprint board. Sandbox demo data.",
      sections: ["Backlog", "In progress", "Review", "Done"],
    },
  ];
}

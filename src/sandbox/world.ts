/** Seeding the task-management world: sections, tags, custom fields, relations, attachments, statuses. */
import type { CfValue, FakeWorldSeed, World } from "./model.js";
import { portfolioWorldGids, seedPortfolioWorld } from "./model-portfolios.js";

export function seedWorld(seed: FakeWorldSeed | undefined): World {
  const s = seed ?? {};
  const world: World = {
    premium: new Set(s.premiumWorkspaces ?? []),
    sections: new Map((s.sections ?? []).map((x) => [x.gid, { ...x }])),
    taskSection: new Map((s.taskSections ?? []).map((x) => [`${x.task}:${x.project}`, x.section])),
    tags: new Map((s.tags ?? []).map((x) => [x.gid, { ...x, color: x.color ?? null }])),
    agents: new Map((s.agents ?? []).map((x) => [x.gid, { ...x }])),
    taskTags: new Map(),
    fields: new Map(
      (s.customFields ?? []).map((f) => [
        f.gid,
        {
          gid: f.gid,
          name: f.name,
          workspace: f.workspace,
          type: f.type,
          precision: f.precision ?? 0,
          options: (f.options ?? []).map((o) => ({ ...o, color: o.color ?? "none", enabled: true })),
        },
      ]),
    ),
    projectFields: new Map(),
    settings: new Map(),
    values: new Map(),
    parent: new Map((s.subtasks ?? []).map((x) => [x.task, x.parent])),
    dependencies: new Map(),
    htmlNotes: new Map(),
    dueAt: new Map(),
    startAt: new Map(),
    attachments: new Map((s.attachments ?? []).map((a) => [a.gid, { ...a }])),
    statuses: new Map((s.statusUpdates ?? []).map((x) => [x.gid, { ...x }])),
    portfolios: new Map(
      (s.portfolios ?? []).map((x) => [
        x.gid,
        {
          ...x,
          public: x.public ?? false,
          members: [...new Set([x.owner, ...(x.members ?? [])])],
          color: x.color ?? "none",
        },
      ]),
    ),
    portfolioWorld: seedPortfolioWorld(s.portfolioWorld),
  };
  for (const { task, tag } of s.taskTags ?? []) push(world.taskTags, task, tag);
  for (const { project, field } of s.projectFields ?? []) push(world.projectFields, project, field);
  for (const { task, dependsOn } of s.dependencies ?? []) push(world.dependencies, task, dependsOn);
  for (const { task, field, value } of s.values ?? []) valuesOf(world, task).set(field, value);
  return world;
}

/** Gives each project's custom fields their settings, with unique gids drawn from `newGid`. */
export function seedFieldSettings(world: World, newGid: () => string): void {
  for (const [project, fields] of world.projectFields) {
    for (const field of fields) world.settings.set(newGid(), { project, field });
  }
}

export function worldGids(world: World): string[] {
  const maps = [
    world.sections,
    world.tags,
    world.agents,
    world.fields,
    world.attachments,
    world.statuses,
    world.portfolios,
  ];
  const options = [...world.fields.values()].flatMap((f) => f.options.map((o) => o.gid));
  return [...maps.flatMap((m) => [...m.keys()]), ...options, ...portfolioWorldGids(world.portfolioWorld)];
}

export function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

export function valuesOf(world: World, task: string): Map<string, CfValue> {
  let values = world.values.get(task);
  if (values === undefined) {
    values = new Map();
    world.values.set(task, values);
  }
  return values;
}

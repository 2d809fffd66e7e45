// Input as agents and people send it, across the tools: "me" as the person, gids as JSON numbers
// and as Asana links, calendar dates and Asana's date rules, arguments an action does not take.
import { afterEach, describe, expect, it } from "vitest";
import {
  DEMO_PROJECT_GID,
  DEMO_TASK_GID,
  SANDBOX_TOKENS,
  SANDBOX_USER_GIDS,
} from "../../src/sandbox/demo-data.js";
import { DEMO_SECTION_GIDS, DEMO_SUBTASK_GIDS, DEMO_TAG_GIDS } from "../../src/sandbox/demo-world.js";
import { errorOf } from "../helpers/harness.js";
import {
  ACME,
  ADA_GID,
  BOT_GID,
  BOT_ONLY,
  expectRefused,
  harnesses,
  PAT_AND_BOT,
  sent,
  writes,
} from "../helpers/tools.js";

const hs = harnesses();
afterEach(() => hs.closeAll());

const GRACE_GID = SANDBOX_USER_GIDS.oauth;
const [SUBTASK, UNDATED_SUBTASK] = DEMO_SUBTASK_GIDS;

describe('"me" is the person in every tool', () => {
  it("assigns the person, not the bot that writes, and names them", async () => {
    const h = await hs.start(PAT_AND_BOT);
    const out = await h.call("update_task", { task_gid: SUBTASK, assignee: "me" });
    expect(out.isError, out.text).toBe(false);
    expect(out.body).toMatchObject({
      task: { assignee: { gid: ADA_GID, name: "Ada Lovelace" } },
      acting_as: { gid: BOT_GID, kind: "bot" },
    });
    expect(writes(h).at(-1)).toMatchObject({
      method: "PUT",
      userGid: BOT_GID,
      body: { data: { assignee: ADA_GID } },
    });
    expect(h.fake.task(SUBTASK)?.assignee).toBe(ADA_GID);
  });

  it("creates a task for the person and follows it as them", async () => {
    const h = await hs.start(PAT_AND_BOT);
    const out = await h.call("create_task", {
      name: "Take this one for me",
      project_gid: DEMO_PROJECT_GID,
      assignee: "me",
      followers: ["me"],
    });
    expect(out.isError, out.text).toBe(false);
    expect(out.body.task).toMatchObject({ assignee: { gid: ADA_GID, name: "Ada Lovelace" } });
    expect(writes(h)[0]?.body).toMatchObject({ data: { assignee: ADA_GID, followers: [ADA_GID] } });
    expect(JSON.stringify(writes(h)[0]?.body)).not.toContain('"me"');
  });

  it("filters searches by the person", async () => {
    const h = await hs.start(PAT_AND_BOT);
    const out = await h.call("search_tasks", { workspace_gid: ACME, assignee: "me" });
    expect(out.isError, out.text).toBe(false);
    expect(sent(h).at(-1)?.query["assignee.any"]).toBe(ADA_GID);
  });

  it("is the OAuth login before the PAT's owner, and the bot only when it is alone", async () => {
    const both = await hs.start({ ...PAT_AND_BOT, ASANA_OAUTH_ACCESS_TOKEN: SANDBOX_TOKENS.oauth });
    expect((await both.call("update_task", { task_gid: SUBTASK, assignee: "me" })).isError).toBe(false);
    expect(both.fake.task(SUBTASK)?.assignee).toBe(GRACE_GID);
    const bot = await hs.start(BOT_ONLY);
    expect((await bot.call("update_task", { task_gid: SUBTASK, assignee: "me" })).isError).toBe(false);
    expect(bot.fake.task(SUBTASK)?.assignee).toBe(BOT_GID);
  });

  it("names no one when only a bot and a service account are configured", async () => {
    const h = await hs.start({ ...BOT_ONLY, ASANA_SERVICE_ACCOUNT_TOKEN: SANDBOX_TOKENS.service_account });
    await expectRefused(h, "update_task", [
      [{ task_gid: SUBTASK, assignee: "me" }, '"me" names no one here: no person is configured'],
    ]);
  });

  it("is named in the descriptions of the tools that take it", async () => {
    const h = await hs.start(PAT_AND_BOT);
    await h.listChanged;
    const { tools } = await h.client.listTools();
    for (const name of ["list_tasks", "search_tasks", "create_task", "update_task", "task_links"]) {
      expect(tools.find((t) => t.name === name)?.description, name).toContain('"me" = Ada Lovelace');
    }
  });
});

describe("gids as JSON numbers", () => {
  it("accepts safe integers and refuses the ones a JSON parser rounds", async () => {
    const h = await hs.start();
    const out = await h.call("get_task", { task_gid: Number(DEMO_TASK_GID) });
    expect(out.isError, out.text).toBe(false);
    expect(sent(h).map((r) => r.path)).toContain(`/tasks/${DEMO_TASK_GID}`);
    await expectRefused(h, "get_task", [
      [{ task_gid: 2 ** 53 }, "task_gid: is a number too large to be exact: pass gids as strings"],
      [{ task_gid: 12.5 }, "task_gid: must be an Asana gid"],
      [{ task_gid: -1 }, "task_gid: must be an Asana gid"],
    ]);
    const listed = await h.call("list_tasks", { section_gid: Number(DEMO_SECTION_GIDS.doing) });
    expect(listed.isError, listed.text).toBe(false);
    expect(sent(h).at(-1)?.query.section).toBe(DEMO_SECTION_GIDS.doing);
  });
});

describe("Asana links wherever a gid is", () => {
  const P = DEMO_PROJECT_GID;
  const T = DEMO_TASK_GID;
  const taskLinks = [
    `https://app.asana.com/0/${P}/${T}`,
    `https://app.asana.com/0/${P}/${T}/f`,
    `https://app.asana.com/0/0/${T}`,
    `https://app.asana.com/1/${ACME}/project/${P}/task/${T}`,
    `https://app.asana.com/1/${ACME}/task/${T}?focus=true`,
    `app.asana.com/0/${P}/${T}/`,
    `https://app.asana.com/0/${P}/${T}#comments`,
  ];
  const projectLinks = [
    `https://app.asana.com/0/${P}/list`,
    `https://app.asana.com/0/${P}/board`,
    `https://app.asana.com/0/${P}/overview`,
    `https://app.asana.com/0/${P}/timeline`,
    `https://app.asana.com/1/${ACME}/project/${P}`,
    `https://app.asana.com/1/${ACME}/project/${P}/list/`,
  ];

  it("takes the task from every form of task link", async () => {
    const h = await hs.start();
    for (const link of taskLinks) {
      const out = await h.call("get_task", { task_gid: link });
      expect(out.isError, `${link}: ${out.text}`).toBe(false);
      expect((out.body.task as { gid: string }).gid, link).toBe(T);
    }
    expect(
      sent(h)
        .filter((r) => r.path.startsWith("/tasks/"))
        .map((r) => r.path),
    ).toEqual(taskLinks.map(() => `/tasks/${T}`));
  });

  it("takes the project from every form of project link", async () => {
    const h = await hs.start();
    for (const link of projectLinks) {
      const out = await h.call("get_project", { project_gid: link });
      expect(out.isError, `${link}: ${out.text}`).toBe(false);
    }
    const paths = sent(h).map((r) => r.path);
    expect(paths.filter((p) => p === `/projects/${P}`)).toHaveLength(projectLinks.length);
    expect(paths.filter((p) => p.startsWith("/projects/") && !p.startsWith(`/projects/${P}/`))).toEqual(
      paths.filter((p) => p === `/projects/${P}`),
    );
  });

  it("takes task links as dependencies, which the allow-list then checks as tasks", async () => {
    const h = await hs.start();
    const out = await h.call("task_links", {
      task_gid: `https://app.asana.com/0/${P}/${SUBTASK}`,
      action: "add",
      relation: "dependencies",
      gids: [`https://app.asana.com/0/0/${UNDATED_SUBTASK}/f`],
    });
    expect(out.isError, out.text).toBe(false);
    expect(writes(h).at(-1)).toMatchObject({
      path: `/tasks/${SUBTASK}/addDependencies`,
      body: { data: { dependencies: [UNDATED_SUBTASK] } },
    });
  });

  it("refuses a link of the other kind, or that is no task or project link", async () => {
    const h = await hs.start();
    await expectRefused(h, "get_task", [
      [{ task_gid: projectLinks[0] }, "task_gid: is a project link; give a task's gid or link"],
      [
        { task_gid: `https://app.asana.com/0/inbox/${ADA_GID}` },
        "task_gid: is not an Asana task or project link",
      ],
      [{ task_gid: `https://evil.example/0/${P}/${T}` }, "task_gid: must be an Asana gid"],
      [
        { task_gid: `https://app.asana.com.evil.example/0/0/${T}` },
        "task_gid: is not an Asana task or project link",
      ],
    ]);
    await expectRefused(h, "get_project", [
      [{ project_gid: taskLinks[0] }, "project_gid: is a task link; give a project's gid or link"],
    ]);
    await expectRefused(h, "list_tasks", [
      [{ section_gid: taskLinks[0] }, "section_gid: is a task link; give the gid (a string of digits)"],
    ]);
  });
});

describe("dates and Asana's date rules", () => {
  it("refuses days the calendar does not have, and times that are not times", async () => {
    const h = await hs.start();
    await expectRefused(h, "update_task", [
      [{ task_gid: SUBTASK, due_on: "2026-02-30" }, "due_on: is not a calendar date"],
      [{ task_gid: SUBTASK, due_on: "2025-02-29" }, "due_on: is not a calendar date"],
      [{ task_gid: SUBTASK, due_on: "2026-13-01" }, "due_on: is not a calendar date"],
      [{ task_gid: SUBTASK, due_at: "2026-04-31T09:00:00Z" }, "due_at: is not a real date and time"],
      [{ task_gid: SUBTASK, due_at: "2026-04-30T25:00:00Z" }, "due_at: is not a real date and time"],
      [
        { task_gid: SUBTASK, start_on: "2026-06-31", due_on: "2026-07-01" },
        "start_on: is not a calendar date",
      ],
    ]);
    const leap = await h.call("update_task", { task_gid: SUBTASK, due_on: "2028-02-29" });
    expect(leap.isError, leap.text).toBe(false);
  });

  it("refuses a start date without a due date, or after it, before any request", async () => {
    const h = await hs.start();
    await expectRefused(h, "create_task", [
      [
        { name: "x", project_gid: DEMO_PROJECT_GID, start_on: "2026-03-01" },
        "start_on needs a due date: give due_on or due_at with it",
      ],
      [
        { name: "x", project_gid: DEMO_PROJECT_GID, start_on: "2026-03-02", due_on: "2026-03-01" },
        "start_on 2026-03-02 is after the due date 2026-03-01",
      ],
    ]);
    await expectRefused(h, "update_task", [
      [
        { task_gid: SUBTASK, start_on: "2026-03-02", due_at: "2026-03-01T10:00:00Z" },
        "start_on 2026-03-02 is after the due date 2026-03-01",
      ],
      [{ task_gid: SUBTASK, start_on: "2026-03-01", due_on: null }, "start_on needs a due date"],
    ]);
    const ok = await h.call("create_task", {
      name: "Dated",
      project_gid: DEMO_PROJECT_GID,
      start_on: "2026-03-01",
      due_on: "2026-03-01",
    });
    expect(ok.isError, ok.text).toBe(false);
  });

  it("refuses them with the other bad input, before the allow-list's lookups", async () => {
    const h = await hs.start({ ...PAT_AND_BOT, ASANA_PROJECTS: DEMO_PROJECT_GID });
    await expectRefused(h, "update_task", [
      [
        { task_gid: DEMO_TASK_GID, start_on: "2026-03-02", due_on: "2026-03-01" },
        "start_on 2026-03-02 is after",
      ],
      [
        { task_gid: DEMO_TASK_GID, notes: "a", html_notes: "<body>a</body>" },
        "give notes or html_notes, not both",
      ],
    ]);
    await expectRefused(h, "create_task", [
      [{ name: "x", project_gid: DEMO_PROJECT_GID, start_on: "2026-03-02" }, "start_on needs a due date"],
    ]);
  });

  it("checks a start date alone against the task's own due date", async () => {
    const h = await hs.start();
    const dated = h.fake.task(SUBTASK)?.dueOn;
    expect(dated).toBe("2025-07-10");
    expect(h.fake.task(UNDATED_SUBTASK)?.dueOn ?? null).toBeNull();
    const ok = await h.call("update_task", { task_gid: SUBTASK, start_on: "2025-07-01" });
    expect(ok.isError, ok.text).toBe(false);
    for (const [task, start, message] of [
      [SUBTASK, "2025-07-11", "start_on 2025-07-11 is after the due date 2025-07-10"],
      [UNDATED_SUBTASK, "2025-07-01", "start_on needs a due date: the task has none"],
    ] as const) {
      const before = writes(h).length;
      const error = errorOf(await h.call("update_task", { task_gid: task, start_on: start }));
      expect(error).toMatchObject({ code: "invalid_input" });
      expect(error.message).toContain(message);
      expect(writes(h).length).toBe(before);
    }
  });
});

describe("arguments that do not apply, and names where gids go", () => {
  it("says a gid of the wrong kind may be the cause when Asana knows no such object", async () => {
    const h = await hs.start();
    const error = errorOf(await h.call("get_task", { task_gid: DEMO_PROJECT_GID }));
    expect(error.code).toBe("not_found");
    expect(error.message).toContain(`task: Unknown object: ${DEMO_PROJECT_GID}`);
    expect(error.hint).toContain("a project's or section's gid is no task's");
  });

  it("sends a section, project, parent, tags or followers given to update_task to the tool that changes them", async () => {
    const h = await hs.start();
    await expectRefused(h, "update_task", [
      [
        { task_gid: SUBTASK, section_gid: DEMO_SECTION_GIDS.doing },
        'unknown argument "section_gid": update_task does not change it; move_task moves a task to a section.',
      ],
      [{ task_gid: SUBTASK, tag_gids: [DEMO_TAG_GIDS.launch] }, "task_links adds and removes a task's tags"],
      [{ task_gid: SUBTASK, name: "x", colour: "red" }, 'unknown argument "colour".'],
    ]);
    // One problem, named once: no "nothing to change" beside the unknown argument.
    const only = errorOf(await h.call("update_task", { task_gid: SUBTASK, parent_gid: DEMO_TASK_GID }));
    expect(only.message).toBe(
      'Invalid arguments: unknown argument "parent_gid": update_task does not change it; move_task sets a task\'s parent.',
    );
    // batch_tasks takes update_task's arguments, and says the same of each item.
    await expectRefused(h, "batch_tasks", [
      [
        { items: [{ action: "update", task_gid: SUBTASK, section_gid: DEMO_SECTION_GIDS.doing }] },
        'items.0: unknown argument "section_gid": update_task does not change it; move_task moves a task to a section.',
      ],
    ]);
    const batch = errorOf(
      await h.call("batch_tasks", {
        items: [{ action: "update", task_gid: SUBTASK, section_gid: DEMO_SECTION_GIDS.doing }],
      }),
    );
    expect(batch.message).not.toContain("nothing to change");
  });

  it("refuses a target the move's action would ignore", async () => {
    const h = await hs.start();
    await expectRefused(h, "move_task", [
      [
        {
          task_gid: SUBTASK,
          action: "to_section",
          section_gid: DEMO_SECTION_GIDS.doing,
          parent_gid: DEMO_TASK_GID,
        },
        "parent_gid: does not apply to action to_section, which takes section_gid only",
      ],
      [
        { task_gid: SUBTASK, action: "set_parent", parent_gid: DEMO_TASK_GID, project_gid: DEMO_PROJECT_GID },
        "project_gid: does not apply to action set_parent",
      ],
      [
        {
          task_gid: SUBTASK,
          action: "remove_from_project",
          project_gid: DEMO_PROJECT_GID,
          section_gid: DEMO_SECTION_GIDS.doing,
        },
        "section_gid: does not apply to action remove_from_project",
      ],
      [{ task_gid: SUBTASK, action: "to_section" }, "action to_section needs section_gid"],
    ]);
    await expectRefused(h, "list_tasks", [
      [{ project_gid: DEMO_PROJECT_GID, workspace_gid: ACME }, "workspace_gid: goes with assignee only"],
    ]);
    await expectRefused(h, "search_tasks", [
      [
        { workspace_gid: ACME, due_after: "2026-02-01", due_before: "2026-01-01" },
        "due_after: is after due_before",
      ],
    ]);
  });

  it("points names of people, tags, projects and tasks to find, which turns a name into a gid", async () => {
    const h = await hs.start();
    await expectRefused(h, "update_task", [
      [{ task_gid: SUBTASK, assignee: "Grace Hopper" }, 'not a name: find people with find (type: "user")'],
      [
        { task_gid: "Write the rollback plan", name: "x" },
        `task_gid: must be an Asana gid: a string of 1 to 32 digits (0-9), or the task's Asana link, not a task's name: find its gid with find (type: "task")`,
      ],
    ]);
    await expectRefused(h, "create_task", [
      [
        { name: "x", project_gid: DEMO_PROJECT_GID, tag_gids: ["Launch"] },
        `tag_gids.0: must be an Asana gid: a string of 1 to 32 digits (0-9), not a tag's name: find its gid with find (type: "tag")`,
      ],
      [
        { name: "x", project_gid: "Q3 Product Launch" },
        `not a project's name: find its gid with find (type: "project")`,
      ],
    ]);
    await expectRefused(h, "get_project", [
      [{ project_gid: "Q3 Product Launch" }, `find its gid with find (type: "project")`],
    ]);
    // "me" names a person, never a project: no name to look up.
    const me = errorOf(await h.call("get_project", { project_gid: "me" }));
    expect(me.message).not.toContain("find its gid");
    await expectRefused(h, "task_links", [
      [{ task_gid: SUBTASK, action: "add", relation: "tags", gids: ["Launch"] }, "not a tag's name"],
      [{ task_gid: SUBTASK, action: "add", relation: "followers", gids: ["Grace"] }, "not a name"],
    ]);
    const byGid = await h.call("task_links", {
      task_gid: SUBTASK,
      action: "add",
      relation: "tags",
      gids: [Number(DEMO_TAG_GIDS.launch)],
    });
    expect(byGid.isError, byGid.text).toBe(false);
  });
});

// The fake Asana over real HTTP with plain fetch, as its own tests reach it.
import { afterAll, afterEach, beforeAll } from "vitest";
import { DEMO_TASK_GID, SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import { type StartedFakeAsana, startFakeAsana } from "./index.js";

export type Body = Record<string, unknown> & {
  data?: unknown;
  errors?: Array<{ message: string; help?: string; phrase?: string }>;
};
export interface Answer {
  status: number;
  headers: Headers;
  body: Body;
}

export async function callFake(
  started: StartedFakeAsana,
  path: string,
  options: { token?: string | null; method?: string; body?: unknown; raw?: string } = {},
): Promise<Answer> {
  const token = options.token === undefined ? SANDBOX_TOKENS.pat : options.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (options.raw !== undefined || options.body !== undefined) {
    headers["content-type"] = "application/json";
    payload = options.raw ?? JSON.stringify(options.body);
  }
  const response = await fetch(`${started.baseUrl}${path}`, {
    method: options.method ?? "GET",
    headers,
    body: payload,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as Body };
}

export const data = <T>(answer: Answer): T => answer.body.data as T;
export const message = (answer: Answer): string => answer.body.errors?.[0]?.message ?? "";

export interface Project {
  gid: string;
  name: string;
  archived?: boolean;
  team?: { gid: string; name?: string };
}
export interface NextPage {
  offset: string;
  path: string;
  uri: string;
}

/** Two users in two workspaces that share nothing. */
export function twoWorkspaceData(): FakeData {
  return {
    users: [
      { gid: "1", name: "One", email: "one@example.test", workspaces: ["10"] },
      { gid: "2", name: "Two", email: "two@example.test", workspaces: ["20"] },
    ],
    workspaces: [
      { gid: "10", name: "W10" },
      { gid: "20", name: "W20" },
    ],
    tokens: [
      { token: "t1", userGid: "1" },
      { token: "t2", userGid: "2" },
    ],
  };
}

type CallOptions = Parameters<typeof callFake>[2];

export interface FakePerFile {
  /** The started fake (only inside tests and hooks). */
  readonly s: StartedFakeAsana;
  /** A request to this file's fake, or to another one started in a test. */
  call(path: string, options?: CallOptions, started?: StartedFakeAsana): Promise<Answer>;
  /** A comment on the demo task, as the bot unless another token is given. */
  comment(text: string, token?: string): Promise<Answer>;
}

/** One fake Asana per test file: started before its tests, its faults cleared after each, closed after all. */
export function fakePerFile(): FakePerFile {
  let started: StartedFakeAsana | undefined;
  beforeAll(async () => {
    started = await startFakeAsana();
  });
  afterAll(async () => {
    await started?.close();
  });
  afterEach(() => {
    started?.fake.clearFaults();
  });
  const file: FakePerFile = {
    get s() {
      if (started === undefined) throw new Error("the fake Asana has not started yet");
      return started;
    },
    call: (path, options = {}, on) => callFake(on ?? file.s, path, options),
    comment: (text, token = SANDBOX_TOKENS.bot) =>
      file.call(`/tasks/${DEMO_TASK_GID}/stories`, { token, method: "POST", body: { data: { text } } }),
  };
  return file;
}

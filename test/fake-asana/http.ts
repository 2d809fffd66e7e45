// The fake Asana over real HTTP with plain fetch, as its own tests reach it.
import { SANDBOX_TOKENS } from "../../src/sandbox/demo-data.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import type { StartedFakeAsana } from "./index.js";

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

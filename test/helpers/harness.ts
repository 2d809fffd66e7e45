// Drives the real server through the SDK's Client over an in-memory transport, against the
// fake Asana on 127.0.0.1. Only the network is faked: config, resolver, HTTP client and tools
// are the production modules.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { AsanaClient } from "../../src/asana/http.js";
import type { AuditSink } from "../../src/audit.js";
import { type Identity, identitiesFromConfig } from "../../src/auth/identities.js";
import { CredentialResolver } from "../../src/auth/resolver.js";
import { loadConfig } from "../../src/config.js";
import { setLogLevel } from "../../src/log.js";
import type { FakeData } from "../../src/sandbox/fake-asana.js";
import { buildServer, type ServerDeps } from "../../src/server.js";
import type { Tool } from "../../src/tools/define.js";
import { ALL_TOOLS } from "../../src/tools/index.js";
import { startFakeAsana } from "../fake-asana/index.js";

export interface Harness {
  client: Client;
  fake: Awaited<ReturnType<typeof startFakeAsana>>["fake"];
  baseUrl: string;
  asana: AsanaClient;
  resolver: CredentialResolver;
  /** Resolves once the server has sent tools/list_changed (after identities resolve). */
  listChanged: Promise<void>;
  /** The server's start-up resolution, for tests that start with resolve: false. */
  resolveIdentities(): Promise<void>;
  call(name: string, args?: Record<string, unknown>): Promise<ToolOutcome>;
  close(): Promise<void>;
}

export interface ToolOutcome {
  isError: boolean;
  /** structuredContent for successes, the parsed error body for failures. */
  body: Record<string, unknown>;
  text: string;
}

export interface HarnessOptions {
  /** Environment as a user would set it; ASANA_BASE_URL is filled in. */
  env?: Record<string, string>;
  data?: FakeData;
  /** Skip the start-up resolution, to test descriptions before names are known. */
  resolve?: boolean;
  /** Identities the configuration does not make (an OAuth login from a token store). */
  identities?: (baseUrl: string, fake: Harness["fake"]) => Identity[] | Promise<Identity[]>;
  /** Faster retries for fault tests. */
  client?: Partial<ConstructorParameters<typeof AsanaClient>[0]>;
  /** The tools to serve; default every tool. */
  tools?: readonly Tool[];
  /** Progress notifications more often than every 5 s, for tests of them. */
  progressIntervalMs?: number;
  /** An audit sink instead of the one ASANA_AUDIT_LOG opens (the PostgreSQL table's). */
  audit?: AuditSink;
  /** As remote mode serves each request: no list changes or elicitation, tokens bound to `session`. */
  stateless?: ServerDeps["stateless"];
  /** Whether tools may read local files, as in stdio mode (default) or not, as in http mode. */
  localFiles?: boolean;
  /** What the test client declares (roots, elicitation) and how it answers those requests. */
  clientSetup?: (client: Client) => void;
  clientCapabilities?: ConstructorParameters<typeof Client>[1];
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const started = await startFakeAsana(options.data);
  const config = loadConfig({
    // Every toolset is on unless a test chooses: tool tests need their tool listed; the tests of
    // toolsets themselves set ASANA_TOOLSETS (or unset it with "").
    env: { ASANA_BASE_URL: started.baseUrl, ASANA_LOG_LEVEL: "error", ASANA_TOOLSETS: "all", ...options.env },
    cwd: mkdtempSync(join(tmpdir(), "asana-mcp-test-")),
  });
  setLogLevel(config.logLevel);
  const asana = new AsanaClient({
    baseUrl: config.baseUrl,
    requestTimeoutMs: config.requestTimeoutMs,
    backoffMs: 5,
    ...options.client,
  });
  const extra = (await options.identities?.(started.baseUrl, started.fake)) ?? [];
  const resolver = new CredentialResolver([...identitiesFromConfig(config.tokens), ...extra], config);
  let app: ReturnType<typeof buildServer>;
  try {
    app = buildServer({
      config,
      resolver,
      asana,
      tools: options.tools ?? ALL_TOOLS,
      version: "test",
      progressIntervalMs: options.progressIntervalMs,
      audit: options.audit,
      localFiles: options.localFiles ?? true,
      ...(options.stateless ? { stateless: options.stateless } : {}),
    });
  } catch (error) {
    // A start-up error (ASANA_TOOLS, ASANA_AUDIT_LOG): release the fake before reporting it.
    await asana.close();
    await started.close();
    throw error;
  }
  const client = new Client({ name: "asana-mcp-tests", version: "1.0.0" }, options.clientCapabilities);
  options.clientSetup?.(client);
  let onListChanged: () => void = () => undefined;
  const listChanged = new Promise<void>((resolve) => {
    onListChanged = resolve;
  });
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => onListChanged());
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await app.server.connect(serverTransport);
  await client.connect(clientTransport);
  if (options.resolve !== false) await app.resolveIdentities();

  return {
    client,
    fake: started.fake,
    baseUrl: started.baseUrl,
    asana,
    resolver,
    listChanged,
    resolveIdentities: () => app.resolveIdentities(),
    async call(name, args = {}) {
      const result = await client.callTool({ name, arguments: args });
      const first = (result.content as Array<{ type: string; text?: string }>)[0];
      const text = first?.type === "text" ? (first.text ?? "") : "";
      const isError = result.isError === true;
      const body = isError
        ? (JSON.parse(text) as Record<string, unknown>)
        : (result.structuredContent as Record<string, unknown>);
      return { isError, body, text };
    },
    async close() {
      await client.close();
      await app.server.close();
      await asana.close();
      await started.close();
    },
  };
}

/** The error part of a failed call, typed for assertions. */
export function errorOf(outcome: ToolOutcome): {
  code: string;
  message: string;
  retryable: boolean;
  hint: string;
} {
  if (!outcome.isError) throw new Error(`expected an error, got ${outcome.text}`);
  return (outcome.body as { error: { code: string; message: string; retryable: boolean; hint: string } })
    .error;
}

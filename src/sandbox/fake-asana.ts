/**
 * A small, stateful imitation of the Asana REST API (https://app.asana.com/api/1.0).
 *
 * It backs the `asana-mcp sandbox` mode (in-process, so it must never write to stdout) and every test.
 * Shapes, envelopes, pagination and error bodies follow Asana's OpenAPI spec; where the spec says
 * nothing (exact error wording, 403 vs 404), the choice is documented next to the code.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { demoData, mulberry32 } from "./demo-data.js";
import { FaultQueue, faultReply, sendFault } from "./faults.js";
import {
  API_PREFIX,
  ApiError,
  type AttachmentRec,
  type FakeData,
  type FakeTokenSeed,
  type Fault,
  type InFlightCounts,
  REQUEST_ID_HEADER,
  type RecordedRequest,
  type Reply,
  type StoryRecord,
  type TagRec,
  type UserRec,
} from "./model.js";
import {
  ATTACHMENT_TOO_LARGE,
  isMultipart,
  MAX_MULTIPART_BYTES,
  parseMultipart,
  type RecordedForm,
} from "./multipart.js";
import { OAuthProvider } from "./oauth-provider.js";
import {
  asanaEnabled,
  bearerToken,
  errorReply,
  JSON_TYPE,
  makePhrase,
  readBody,
  sendReply,
  trim,
} from "./plumbing.js";
import { ROUTES } from "./routes.js";
import { accessRefusal, findRoute, type HandlerContext, Paginator, TOKEN_EXPIRED } from "./routing.js";
import { Store } from "./store.js";
import { parseOptFields } from "./views.js";
import { describeProject } from "./views-projects.js";
import { describeTask, sectionsOf, statusesOf } from "./views-world.js";

// The public surface stays here: tests, the bundle and the bench import the sandbox from this module.
export * from "./model.js";
export { STATUS_TYPES } from "./routes-projects.js";
export { STICKER_NAMES } from "./routes-stories.js";
export { type HandlerContext, list, one, param, type Route } from "./routing.js";
export { type KindView, requireGid, Store, type ViewContext } from "./store.js";
export { parseOptFields } from "./views.js";

// ---------------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------------

export interface FakeAsanaOptions {
  /**
   * How many recorded requests (and internal errors) to keep, oldest dropped first. Unlimited by
   * default, so tests see every request; a long-running sandbox sets a bound to keep its memory flat.
   */
  recordLimit?: number;
  /** Show the sign-in page at the authorize endpoint (remote mode) instead of signing one user in. */
  signInPage?: boolean;
}

export class FakeAsana {
  readonly requests: RecordedRequest[] = [];
  /** Exceptions thrown by handlers (answered as 500s); kept for debugging since nothing may be logged. */
  readonly internalErrors: unknown[] = [];
  private readonly store: Store;
  private readonly paginator = new Paginator();
  private readonly phraseRand = mulberry32(0x5eed);
  private readonly faults = new FaultQueue();
  private server: Server | null = null;
  private originValue: string | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly current: InFlightCounts = { read: 0, write: 0 };
  private readonly currentByUser = new Map<string, InFlightCounts>();
  private peakByUser = new Map<string, InFlightCounts>();

  /** The OAuth 2.0 / OpenID Connect provider at /-/oauth_* and the discovery and JWKS URLs. */
  readonly oauth: OAuthProvider;

  private readonly recordLimit: number;

  constructor(data: FakeData = demoData(), options: FakeAsanaOptions = {}) {
    const limit = options.recordLimit ?? Number.POSITIVE_INFINITY;
    if (!(limit >= 1)) throw new Error("recordLimit must be at least 1");
    this.recordLimit = limit;
    this.store = new Store(structuredClone(data));
    this.oauth = new OAuthProvider(this);
    this.oauth.signedInUser = data.tokens.find((t) => t.kind === "oauth")?.userGid ?? data.users[0]?.gid;
    this.oauth.signInPage = options.signInPage ?? false;
  }

  userProfile(gid: string): { gid: string; name: string; email: string } | undefined {
    const user = this.store.users.get(gid);
    return user ? { gid: user.gid, name: user.name, email: user.email } : undefined;
  }

  /** The people who can sign in: members of some workspace, and people (bots and service accounts use tokens). */
  signInPeople(): Array<{ gid: string; name: string; email: string }> {
    return [...this.store.users.values()]
      .filter((u) => u.kind === "person" && u.workspaces.length > 0)
      .map((u) => ({ gid: u.gid, name: u.name, email: u.email }));
  }

  /** "http://127.0.0.1:PORT"; throws before listen(). */
  get origin(): string {
    if (this.originValue === null) throw new Error("FakeAsana is not listening");
    return this.originValue;
  }

  /** `${origin}/api/1.0` */
  get baseUrl(): string {
    return `${this.origin}${API_PREFIX}`;
  }

  listen(port = 0, host = "127.0.0.1"): Promise<string> {
    if (this.server !== null) return Promise.reject(new Error("FakeAsana is already listening"));
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.internalErrors.push(error);
        trim(this.internalErrors, this.recordLimit);
        if (!res.headersSent) res.destroy();
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        const { port: bound } = server.address() as AddressInfo;
        this.originValue = `http://${host}:${bound}`;
        resolve(this.originValue);
      });
    });
  }

  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    if (server === null) return Promise.resolve();
    this.server = null;
    return new Promise((resolve) => {
      server.close(() => resolve());
      // Keep-alive sockets would otherwise hold close() open until they time out.
      server.closeAllConnections();
    });
  }

  /**
   * Asana is eventually consistent: for `ms` milliseconds after an object (story, task, subtask, section,
   * status update) is created through the API, every listing leaves it out and a GET of it answers 404,
   * as if it did not exist yet. The POST's own answer is immediate and whole. 0 (the default) disables.
   */
  setReadLag(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError("setReadLag: ms must be a finite number >= 0");
    this.store.readLagMs = ms;
  }

  /**
   * Makes the sandbox's clock run `ms` ahead of this machine's (negative: behind): the created_at and
   * modified_at it stamps on new objects and the Date header of every answer use Date.now() + ms.
   */
  setClockOffset(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError("setClockOffset: ms must be a finite number");
    this.store.clockOffsetMs = ms;
  }

  inject(fault: Fault): void {
    if (fault.action && fault.type !== "status") throw new Error("only status faults apply to batch actions");
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  addToken(seed: FakeTokenSeed): void {
    this.store.addToken(seed);
  }

  revokeToken(token: string): void {
    this.store.tokens.delete(token);
  }

  /** A copy of a task's state, with its sections, tags, custom field values and relations. */
  task(gid: string): ReturnType<typeof describeTask> {
    return describeTask(this.store, gid);
  }

  /** Gids of the tasks named so, for tests that count what a create left behind. */
  tasksNamed(name: string): string[] {
    return [...this.store.tasks.values()].filter((t) => t.name === name).map((t) => t.gid);
  }

  /** Gids of the projects named so, for tests that count what a create left behind. */
  projectsNamed(name: string): string[] {
    return [...this.store.projects.values()].filter((p) => p.name === name).map((p) => p.gid);
  }

  /** A copy of a project's state: its record, dates, privacy, members and sections. */
  project(gid: string): ReturnType<typeof describeProject> {
    return describeProject(this.store, gid);
  }

  /** Copies of the stories on a task, oldest first. */
  storiesOf(taskGid: string): StoryRecord[] {
    return (this.store.storiesByTask.get(taskGid) ?? []).map((s) => structuredClone(s));
  }

  /** Copies of the attachments on a task or project, oldest first. */
  attachmentsOf(parentGid: string): AttachmentRec[] {
    return [...this.store.world.attachments.values()]
      .filter((a) => a.task === parentGid)
      .map((a) => structuredClone(a));
  }

  /** The sections of a project, in order. */
  sectionsOf(projectGid: string): Array<{ gid: string; name: string }> {
    return sectionsOf(this.store, projectGid);
  }

  /** Copies of the tags of a workspace named so, for tests that count what a create left behind. */
  tagsNamed(workspaceGid: string, name: string): TagRec[] {
    return [...this.store.world.tags.values()]
      .filter((t) => t.workspace === workspaceGid && t.name === name)
      .map((t) => structuredClone(t));
  }

  /** Copies of a project's status updates, newest first. */
  statusUpdatesOf(projectGid: string): ReturnType<typeof statusesOf> {
    return statusesOf(this.store, projectGid).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  inFlight(): InFlightCounts {
    return { ...this.current };
  }

  /** Peak concurrent requests per user gid since construction or the last resetCounters(). */
  maxInFlightByUser(): Map<string, InFlightCounts> {
    return new Map([...this.peakByUser].map(([k, v]) => [k, { ...v }]));
  }

  /** Resets the peaks (to what is in flight right now). Recorded requests are kept. */
  resetCounters(): void {
    const busy = [...this.currentByUser].filter(([, v]) => v.read + v.write > 0);
    this.peakByUser = new Map(busy.map(([k, v]) => [k, { ...v }]));
  }

  private track(userGid: string | null, kind: keyof InFlightCounts, delta: 1 | -1): void {
    this.current[kind] += delta;
    if (userGid === null) return;
    let now = this.currentByUser.get(userGid);
    if (now === undefined) {
      now = { read: 0, write: 0 };
      this.currentByUser.set(userGid, now);
    }
    now[kind] += delta;
    const peak = this.peakByUser.get(userGid) ?? { read: 0, write: 0 };
    peak[kind] = Math.max(peak[kind], now[kind]);
    this.peakByUser.set(userGid, peak);
  }

  private authenticate(token: string | null): { seed: FakeTokenSeed; user: UserRec } | "expired" | null {
    if (token === null) return null;
    const seed = this.store.tokens.get(token);
    const user = seed && this.store.users.get(seed.userGid);
    if (!seed || !user) return null;
    if (seed.expiresAt !== undefined && Date.now() >= seed.expiresAt) return "expired";
    return { seed, user };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = randomUUID();
    res.setHeader(REQUEST_ID_HEADER, id);
    // Every Asana answer carries a Date header; this one reads the sandbox's (possibly offset) clock.
    res.setHeader("Date", this.store.now().toUTCString());
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const isApi = url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`);
    const path = isApi ? url.pathname.slice(API_PREFIX.length) || "/" : url.pathname;
    const method = (req.method ?? "GET").toUpperCase();
    const auth = this.authenticate(bearerToken(req.headers.authorization));
    const userGid = auth !== null && auth !== "expired" ? auth.user.gid : null;
    const record: RecordedRequest = {
      id,
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: null,
      userGid,
      status: 0,
      receivedAt: Date.now(),
    };
    this.requests.push(record);
    trim(this.requests, this.recordLimit);

    const kind = method === "GET" || method === "HEAD" ? "read" : "write";
    this.track(userGid, kind, 1);
    res.once("close", () => this.track(userGid, kind, -1));

    const fault = this.faults.take(method, path);
    if (fault?.type === "reset-before") {
      req.socket.destroy();
      return;
    }

    const contentType = req.headers["content-type"];
    const multipart = isMultipart(contentType);
    const raw = await readBody(req, multipart ? MAX_MULTIPART_BYTES : undefined);
    let parsedBody: unknown = null;
    let form: RecordedForm | undefined;
    if (raw === "too-large") parsedBody = "<too large>";
    else if (multipart) {
      form = (await parseMultipart(raw, contentType)) ?? undefined;
      parsedBody = form ?? "<unreadable multipart body>";
    } else if (raw.length > 0) {
      const text = raw.toString("utf8");
      try {
        parsedBody = JSON.parse(text);
      } catch {
        parsedBody = text;
      }
    }
    record.body = parsedBody;

    if (fault?.type === "status" || fault?.type === "bad-json" || fault?.type === "html") {
      sendFault(res, record, fault, this.phraseRand);
      return;
    }

    if (
      raw !== "too-large" &&
      !multipart &&
      (await this.oauth.handle(method, url, raw.toString("utf8"), res))
    ) {
      record.status = res.statusCode;
      return;
    }

    const enabled = asanaEnabled(req.headers["asana-enable"]);
    let reply: Reply;
    if (raw === "too-large")
      reply = errorReply(413, multipart ? ATTACHMENT_TOO_LARGE : "Request body too large");
    else
      reply = this.process(
        method,
        path,
        isApi,
        url.searchParams,
        auth,
        raw.length > 0,
        parsedBody,
        form,
        enabled,
      );

    if (fault?.type === "reset-after") {
      req.socket.destroy();
      return;
    }
    if (fault?.type === "cut-body") {
      // Content-Length promises the whole answer; half arrives. Status 0: no answer was delivered.
      const payload = Buffer.from(JSON.stringify(reply.body));
      res.writeHead(reply.status, {
        ...reply.headers,
        "Content-Type": JSON_TYPE,
        "Content-Length": payload.length,
      });
      res.write(payload.subarray(0, payload.length >> 1), () => req.socket.destroy());
      return;
    }
    const pretty = url.searchParams.has("opt_pretty") && url.searchParams.get("opt_pretty") !== "false";
    if (fault?.type === "delay") {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        sendReply(res, record, reply, pretty);
      }, fault.ms);
      this.timers.add(timer);
      return;
    }
    sendReply(res, record, reply, pretty);
  }

  private process(
    method: string,
    path: string,
    isApi: boolean,
    query: URLSearchParams,
    auth: { seed: FakeTokenSeed; user: UserRec } | "expired" | null,
    hasBody: boolean,
    body: unknown,
    form?: RecordedForm,
    enabled: ReadonlySet<string> = new Set(),
  ): Reply {
    const found = isApi ? findRoute(ROUTES, method, path) : undefined;
    if (found === undefined) return errorReply(404, "Unknown route");
    const { route, params } = found;
    if (auth === "expired" || auth === null) return errorReply(401, auth ? TOKEN_EXPIRED : "Not Authorized");
    const refused = accessRefusal(route, auth.seed.oauthScopes, enabled);
    if (refused) return refused;
    let data: Record<string, unknown> = {};
    if (route.multipart) {
      if (form === undefined) return errorReply(400, "Expected a multipart/form-data request body");
    } else if (method === "POST" || method === "PUT") {
      if (!hasBody || typeof body === "string") {
        return errorReply(400, "Could not parse request data, invalid JSON");
      }
      const inner = typeof body === "object" && body !== null && "data" in body ? body.data : undefined;
      if (typeof inner !== "object" || inner === null || Array.isArray(inner)) {
        return errorReply(400, "data: Missing input");
      }
      data = inner as Record<string, unknown>;
    }
    const fieldsRaw = query.getAll("opt_fields");
    const ctx: HandlerContext = {
      store: this.store,
      viewer: auth.user,
      token: auth.seed,
      params,
      query,
      path,
      body: data,
      fields: parseOptFields(fieldsRaw.length > 0 ? fieldsRaw.join(",") : null),
      origin: this.origin,
      paginator: this.paginator,
      ...(form ? { form } : {}),
      dispatch: (innerMethod, innerPath, innerQuery, innerData) =>
        this.dispatchAction(innerMethod, innerPath, innerQuery, innerData, auth),
    };
    // Handlers are synchronous, so the flag cannot leak into another request.
    this.store.reading = method === "GET";
    try {
      return route.handler(ctx);
    } catch (error) {
      if (error instanceof ApiError) return errorReply(error.status, error.message);
      this.internalErrors.push(error);
      trim(this.internalErrors, this.recordLimit);
      return errorReply(500, "Server Error", makePhrase(this.phraseRand));
    } finally {
      this.store.reading = false;
    }
  }

  /**
   * A batch action, run as a request of its own through the same routes (auth, scopes, rules) and
   * the faults injected for actions. The batch's own flag is restored for the rest of its handler.
   */
  private dispatchAction(
    method: string,
    path: string,
    query: URLSearchParams,
    data: unknown,
    auth: { seed: FakeTokenSeed; user: UserRec },
  ): Reply {
    const fault = this.faults.take(method, path, true);
    if (fault?.type === "status" && !fault.applied) return faultReply(fault, this.phraseRand);
    const hasBody = method === "POST" || method === "PUT" || method === "PATCH";
    const reply = this.process(method, path, true, query, auth, hasBody, hasBody ? { data } : null);
    this.store.reading = false;
    return fault?.type === "status" ? faultReply(fault, this.phraseRand) : reply;
  }
}

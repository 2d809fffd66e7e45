// The credential resolver: which identity each tool acts as, who that is in Asana, and the
// attribution sentence every tool description carries.
import type { AsanaClient } from "../asana/http.js";
import type { Config, IdentityKind } from "../config.js";
import { AppError, type ToolErrorBody, toToolError } from "../errors.js";
import { log } from "../log.js";
import {
  type AsanaUser,
  describeIdentity,
  type Identity,
  KIND_LABEL,
  resolvedUser,
  setResolvedUser,
} from "./identities.js";

/** Reads prefer the person who signed in; writes prefer the bot, which is why people configure one. */
const READ_PREFERENCE: IdentityKind[] = ["oauth", "pat", "service_account", "bot"];
const WRITE_PREFERENCE: IdentityKind[] = ["bot", "oauth", "pat", "service_account"];

export type Route = "read" | "write";

/** How long a `GET /users/me` answer is trusted before it is asked again. */
const FRESH_MS = 5 * 60_000;

export interface WorkspaceRef {
  gid: string;
  name: string;
}

export interface Resolution {
  status: "pending" | "ok" | "error";
  user?: AsanaUser;
  workspaces?: WorkspaceRef[];
  error?: ToolErrorBody["error"];
  requestId?: string | null;
  at?: number;
}

interface UserMe {
  gid: string;
  name: string;
  email?: string;
  workspaces?: Array<{ gid: string; name: string }>;
}

/**
 * Resolutions of identities several resolvers hold (remote mode's shared bot or service account,
 * in every person's session): asked of Asana once for all of them.
 */
export class SharedResolutions {
  readonly resolutions = new Map<Identity, Resolution>();
  readonly inflight = new Map<Identity, Promise<Resolution>>();

  constructor(identities: Identity[]) {
    for (const identity of identities) this.resolutions.set(identity, { status: "pending" });
  }
}

export class CredentialResolver {
  private readonly byKind = new Map<IdentityKind, Identity>();
  private readonly own = new SharedResolutions([]);
  readonly readAs?: IdentityKind;
  readonly writeAs?: IdentityKind;

  constructor(
    identities: Identity[],
    routes: Pick<Config, "readAs" | "writeAs"> = {},
    private readonly shared?: SharedResolutions,
  ) {
    for (const identity of identities) {
      this.byKind.set(identity.kind, identity);
      if (!shared?.resolutions.has(identity)) this.own.resolutions.set(identity, { status: "pending" });
    }
    this.readAs =
      routes.readAs && this.byKind.has(routes.readAs) ? routes.readAs : this.pick(READ_PREFERENCE);
    this.writeAs =
      routes.writeAs && this.byKind.has(routes.writeAs) ? routes.writeAs : this.pick(WRITE_PREFERENCE);
  }

  get identities(): Identity[] {
    return [...this.byKind.values()];
  }

  get(kind: IdentityKind): Identity | undefined {
    return this.byKind.get(kind);
  }

  /** The identity a route acts as, or a no_identity error that says what to configure. */
  forRoute(route: Route): Identity {
    const kind = route === "read" ? this.readAs : this.writeAs;
    const identity = kind && this.byKind.get(kind);
    if (!identity) {
      throw new AppError("no_identity", "No Asana identity is configured, so this tool cannot act.");
    }
    return identity;
  }

  /**
   * Whom "me" means in every tool: the person who signed in (OAuth), else the owner of ASANA_PAT.
   * A bot or a service account is nobody's "me" while a person is configured; alone, it is what
   * Asana itself takes "me" to be for its token. Bot and service account without a person: no one.
   */
  person(): Identity | undefined {
    const own = this.byKind.get("oauth") ?? this.byKind.get("pat");
    if (own) return own;
    const [only, ...others] = this.identities;
    return others.length === 0 ? only : undefined;
  }

  /** Who "me" is, for tool descriptions: the person's name once resolved. */
  personName(): string {
    const person = this.person();
    if (!person) return "no one (no OAuth login or ASANA_PAT)";
    return resolvedUser(person)?.name ?? `the owner of ${person.variable}`;
  }

  routesOf(identity: Identity): Route[] {
    const routes: Route[] = [];
    if (this.readAs === identity.kind) routes.push("read");
    if (this.writeAs === identity.kind) routes.push("write");
    return routes;
  }

  resolution(identity: Identity): Resolution {
    return this.cacheOf(identity).resolutions.get(identity) ?? { status: "pending" };
  }

  /** Records what is already known of an identity (remote mode: the person, from their sign-in). */
  seed(identity: Identity, resolution: Resolution): void {
    if (resolution.user) setResolvedUser(identity, resolution.user);
    this.cacheOf(identity).resolutions.set(identity, resolution);
  }

  private cacheOf(identity: Identity): SharedResolutions {
    return this.shared?.resolutions.has(identity) ? this.shared : this.own;
  }

  /**
   * Asks Asana who each identity is (`GET /users/me`), in parallel, each bounded by `timeoutMs`.
   * Never throws: a refused token is recorded on its identity and the others carry on.
   * Resolves true when any identity's name changed (descriptions must be re-sent).
   */
  async resolveAll(asana: AsanaClient, timeoutMs: number): Promise<boolean> {
    const before = this.identities.map((identity) => resolvedUser(identity)?.name);
    await Promise.all(this.identities.map((identity) => this.resolve(identity, asana, timeoutMs)));
    return this.identities.some((identity, i) => resolvedUser(identity)?.name !== before[i]);
  }

  /**
   * The identity's resolution, from the last answer while it is fresh (successful and younger
   * than `FRESH_MS`), otherwise asked again: whoami and workspace defaults cost no request.
   */
  current(
    identity: Identity,
    asana: AsanaClient,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Resolution> {
    const known = this.resolution(identity);
    if (known.status === "ok" && known.at !== undefined && Date.now() - known.at < FRESH_MS) {
      return Promise.resolve(known);
    }
    return this.resolve(identity, asana, timeoutMs, signal);
  }

  /** One identity's resolution; concurrent callers share the request in flight. */
  resolve(
    identity: Identity,
    asana: AsanaClient,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Resolution> {
    const cache = this.cacheOf(identity);
    const running = cache.inflight.get(identity);
    if (running) return running;
    const deadline = AbortSignal.timeout(timeoutMs);
    const promise = asana
      .request<UserMe>(identity, {
        method: "GET",
        path: "/users/me",
        query: { opt_fields: "name,email,workspaces,workspaces.name" },
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
      })
      .then(({ data, requestId }): Resolution => {
        const user: AsanaUser = { gid: data.gid, name: data.name, email: data.email };
        setResolvedUser(identity, user);
        const workspaces = (data.workspaces ?? []).map((w) => ({ gid: w.gid, name: w.name }));
        log.info(`${KIND_LABEL[identity.kind]} from ${identity.variable} acts as ${user.name}`);
        return { status: "ok", user, workspaces, requestId: requestId ?? null, at: Date.now() };
      })
      .catch((error: unknown): Resolution => {
        const body = toToolError(error);
        log.warn(`could not resolve ${describeIdentity(identity)}: ${body.error.message}`);
        const previous = cache.resolutions.get(identity);
        return {
          status: "error",
          user: previous?.user,
          error: body.error,
          requestId: body.request_id,
          at: Date.now(),
        };
      })
      .then((resolution) => {
        cache.resolutions.set(identity, resolution);
        cache.inflight.delete(identity);
        return resolution;
      });
    cache.inflight.set(identity, promise);
    return promise;
  }

  /** Whose name a route's actions carry, for tool descriptions. */
  attribution(route: Route): string {
    const kind = route === "read" ? this.readAs : this.writeAs;
    const identity = kind && this.byKind.get(kind);
    if (!identity) return "no Asana identity is configured yet";
    const user = resolvedUser(identity);
    if (!user) return `the ${KIND_LABEL[identity.kind]} from ${identity.variable}`;
    // Writes carry a name people see in Asana, so they get the email that tells two namesakes
    // apart; reads show no name anywhere, and every description is paid for in every conversation.
    const email = route === "write" && user.email ? `, ${user.email}` : "";
    return `${user.name} (${KIND_LABEL[identity.kind]}${email})`;
  }

  private pick(order: IdentityKind[]): IdentityKind | undefined {
    return order.find((kind) => this.byKind.has(kind));
  }
}

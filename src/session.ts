// A session: one person's identities and credential resolver. Stdio mode has one, built from the
// environment at start-up by src/cli.ts (its resolver is the session); remote mode builds one per
// signed-in person (their `oauth` identity from the grant) beside the deployment's shared bot or
// service account, whose resolution all sessions share. Sessions are only a cache of the store:
// any replica can rebuild any of them.
import type { Identity } from "./auth/identities.js";
import { CredentialResolver, SharedResolutions } from "./auth/resolver.js";
import type { Config } from "./config.js";
import { type GrantDeps, GrantIdentity } from "./http/grants.js";
import { grantSchema, type Person, readRecord } from "./http/oauth/records.js";

export interface Session {
  /** The sign-in behind the session (remote mode); undefined in stdio mode. */
  grantId?: string;
  /** The signed-in person (remote mode). */
  person?: Person;
  resolver: CredentialResolver;
}

/** The person about to sign in: routed like a session's `oauth` identity, never asked to act. */
const SIGNING_IN: Identity = {
  kind: "oauth",
  variable: "your sign-in",
  source: "token store",
  accessToken: () => Promise.reject(new Error("nobody has signed in yet")),
  renewAfterUnauthorized: async () => false,
};

/** How many people's sessions one process keeps in memory; older ones are rebuilt when needed. */
const MAX_SESSIONS = 1000;

export class RemoteSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly building = new Map<string, Promise<Session | undefined>>();
  readonly shared: SharedResolutions;

  constructor(
    private readonly config: Config,
    /** The deployment's bot and service account, shared by every session. */
    readonly sharedIdentities: Identity[],
    private readonly grants: GrantDeps,
    private readonly max = MAX_SESSIONS,
  ) {
    this.shared = new SharedResolutions(sharedIdentities);
  }

  /**
   * Who a session's routes act as before anyone signed in, for the consent page: the shared
   * identities beside a stand-in for the person, routed as every session is.
   */
  deploymentResolver(): CredentialResolver {
    return new CredentialResolver([SIGNING_IN, ...this.sharedIdentities], this.config, this.shared);
  }

  /** The session of a grant, or undefined when the grant is gone (revoked, expired). */
  async forGrant(grantId: string): Promise<Session | undefined> {
    const known = this.sessions.get(grantId);
    if (known) {
      // Most recently used last: the first key is the one to evict.
      this.sessions.delete(grantId);
      this.sessions.set(grantId, known);
      return known;
    }
    const running = this.building.get(grantId);
    if (running) return running;
    const build = this.build(grantId).finally(() => this.building.delete(grantId));
    this.building.set(grantId, build);
    return build;
  }

  /** Forgets a session (its grant was revoked here). */
  forget(grantId: string): void {
    this.sessions.delete(grantId);
  }

  get size(): number {
    return this.sessions.size;
  }

  private async build(grantId: string): Promise<Session | undefined> {
    const grant = await readRecord(this.grants.store, "grant", grantId, grantSchema);
    if (!grant) return undefined;
    const person = new GrantIdentity(grantId, this.grants);
    const resolver = new CredentialResolver([person, ...this.sharedIdentities], this.config, this.shared);
    // Who signed in is known from the sign-in: descriptions name them before any request. The
    // first call that needs more (their workspaces) asks /users/me once, then every 5 minutes.
    resolver.seed(person, {
      status: "ok",
      user: { gid: grant.person.gid, name: grant.person.name, email: grant.person.email ?? undefined },
      at: 0,
    });
    const session: Session = { grantId, person: grant.person, resolver };
    this.sessions.set(grantId, session);
    while (this.sessions.size > this.max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    return session;
  }
}

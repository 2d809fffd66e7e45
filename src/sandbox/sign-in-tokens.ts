// The anti-forgery tokens of the sandbox's sign-in page. Each page render gets a fresh random token
// bound to the authorize request it shows; a submission must present it with that same request, once,
// within a few minutes. The store is bounded (oldest dropped first) so a client that renders the page
// in a loop cannot grow the sandbox's memory.
import { randomBytes } from "node:crypto";

export interface SignInTokenOptions {
  /** How long a rendered page stays usable. */
  ttlMs: number;
  /** How many unused tokens are kept at most; beyond that the oldest is forgotten. */
  max: number;
  /** The clock, replaceable so expiry can be tested without waiting. */
  now?: () => number;
}

export const SIGN_IN_TOKEN_DEFAULTS: SignInTokenOptions = { ttlMs: 10 * 60_000, max: 500 };

interface Issued {
  binding: string;
  expiresAt: number;
}

export class SignInTokens {
  // A Map iterates in insertion order, which is also expiry order: the first entries are the oldest.
  private readonly issued = new Map<string, Issued>();
  private readonly now: () => number;

  constructor(private readonly options: SignInTokenOptions = SIGN_IN_TOKEN_DEFAULTS) {
    if (!(options.max >= 1) || !(options.ttlMs > 0)) throw new RangeError("SignInTokens: bad limits");
    this.now = options.now ?? Date.now;
  }

  /** How many tokens are outstanding (issued, unused, maybe expired but not yet swept). */
  get size(): number {
    return this.issued.size;
  }

  /** A new token for one page render, bound to `binding` (the request that page carries). */
  issue(binding: string): string {
    this.sweep();
    while (this.issued.size >= this.options.max) {
      const oldest = this.issued.keys().next().value;
      if (oldest === undefined) break;
      this.issued.delete(oldest);
    }
    const token = randomBytes(24).toString("base64url");
    this.issued.set(token, { binding, expiresAt: this.now() + this.options.ttlMs });
    return token;
  }

  /**
   * True when `token` was issued for `binding` and has not expired. The token is spent either way:
   * a failed attempt must not leave it usable for a second guess.
   */
  take(token: string, binding: string): boolean {
    const entry = this.issued.get(token);
    if (entry === undefined) return false;
    this.issued.delete(token);
    return entry.binding === binding && this.now() < entry.expiresAt;
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, entry] of this.issued) {
      if (entry.expiresAt > now) break;
      this.issued.delete(token);
    }
  }
}

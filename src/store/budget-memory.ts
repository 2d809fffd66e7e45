// The budget operations of the embedded store (slots, quotas, claims), in memory. The file store
// serves one process, and what these count lives only as long as the requests they guard, so
// nothing here is written to the file: a restart ends every request, and with them their slots.
// The quota is a GCRA (generic cell rate algorithm): one "theoretical arrival time" per name,
// which the PostgreSQL store keeps as a row the same way.

/** The spacing of requests of a quota, and how far ahead of now its arrival time may run. */
export function quotaShape(perMinute: number): { intervalMs: number; toleranceMs: number } {
  if (!(perMinute > 0)) throw new RangeError("a quota needs a positive number of requests per minute");
  const intervalMs = 60_000 / perMinute;
  // A full minute's requests may go at once; past that they are spaced by intervalMs.
  return { intervalMs, toleranceMs: 60_000 - intervalMs };
}

/** Claims held before expired ones are dropped on the next claim. */
const MAX_CLAIMS = 10_000;

export class MemoryBudget {
  /** name -> holder -> lease end (epoch ms). */
  private readonly slots = new Map<string, Map<string, number>>();
  /** name -> theoretical arrival time (epoch ms). */
  private readonly quotas = new Map<string, number>();
  /** name -> expiry (epoch ms). */
  private readonly claims = new Map<string, number>();

  acquireSlot(name: string, capacity: number, holder: string, leaseMs: number, now = Date.now()): boolean {
    let held = this.slots.get(name);
    if (!held) {
      held = new Map();
      this.slots.set(name, held);
    }
    for (const [who, until] of held) if (until <= now) held.delete(who);
    if (held.size >= capacity && !held.has(holder)) return false;
    held.set(holder, now + leaseMs);
    return true;
  }

  countSlots(name: string, now = Date.now()): number {
    let held = 0;
    for (const until of this.slots.get(name)?.values() ?? []) if (until > now) held++;
    return held;
  }

  releaseSlot(name: string, holder: string): void {
    const held = this.slots.get(name);
    held?.delete(holder);
    if (held?.size === 0) this.slots.delete(name);
  }

  takeQuota(name: string, perMinute: number, now = Date.now()): number {
    const { intervalMs, toleranceMs } = quotaShape(perMinute);
    const arrival = Math.max(this.quotas.get(name) ?? now, now);
    const ahead = arrival - now;
    if (ahead > toleranceMs) return Math.ceil(ahead - toleranceMs);
    this.quotas.set(name, arrival + intervalMs);
    return 0;
  }

  claim(name: string, expiresAt: number, now = Date.now()): boolean {
    // Nothing else sweeps a long-running server's claims: past a bound, the expired ones go.
    if (this.claims.size >= MAX_CLAIMS) this.sweep(now);
    const until = this.claims.get(name);
    if (until !== undefined && until > now) return false;
    this.claims.set(name, expiresAt);
    return true;
  }

  /** Drops ended leases, quotas back at rest and expired claims; resolves how many claims. */
  sweep(now = Date.now()): number {
    for (const [name, held] of this.slots) {
      for (const [who, until] of held) if (until <= now) held.delete(who);
      if (held.size === 0) this.slots.delete(name);
    }
    for (const [name, arrival] of this.quotas) if (arrival <= now) this.quotas.delete(name);
    let dropped = 0;
    for (const [name, until] of this.claims) {
      if (until <= now) {
        this.claims.delete(name);
        dropped++;
      }
    }
    return dropped;
  }
}

// One ceiling for the answer bytes held by every exchange in flight together. Each answer is
// capped on its own (maxResponseBytes); without a shared budget N concurrent large answers
// would still hold N times that. Past the budget an exchange pauses reading (its socket stops,
// Asana's bytes wait in the network) until others finish. The oldest holder never waits, so the
// answers in flight always finish one after another: no two can wait on each other.

/** One exchange's share of the budget, from its response headers to its end. */
export interface BudgetHolder {
  bytes: number;
  /** Set while paused: resumes reading. */
  resume?: () => void;
}

export class BodyBudget {
  private held = 0;
  private peak = 0;
  /** In order of arrival: the first is the oldest. */
  private readonly holders = new Set<BudgetHolder>();

  constructor(readonly limit: number) {}

  join(): BudgetHolder {
    const holder: BudgetHolder = { bytes: 0 };
    this.holders.add(holder);
    return holder;
  }

  /**
   * Counts bytes that have arrived; false when the holder must pause (call `resume` to be woken).
   */
  add(holder: BudgetHolder, bytes: number): boolean {
    holder.bytes += bytes;
    this.held += bytes;
    this.peak = Math.max(this.peak, this.held);
    return this.held <= this.limit || this.holders.values().next().value === holder;
  }

  /** Releases the holder's bytes (idempotent) and wakes the paused: each rechecks at its next chunk. */
  leave(holder: BudgetHolder): void {
    if (!this.holders.delete(holder)) return;
    this.held -= holder.bytes;
    holder.bytes = 0;
    const resumes: Array<() => void> = [];
    for (const waiting of this.holders) {
      if (waiting.resume) resumes.push(waiting.resume);
      waiting.resume = undefined;
    }
    // Never from inside this call: it runs in another exchange's body callback, and undici's
    // HTTP parser must not be re-entered by a resumed connection parsing at once.
    if (resumes.length > 0)
      setImmediate(() => {
        for (const resume of resumes) resume();
      });
  }

  /** The most bytes held at once so far (for tests). */
  get peakBytes(): number {
    return this.peak;
  }
}

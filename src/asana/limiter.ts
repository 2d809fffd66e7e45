// A FIFO counting semaphore: keeps each identity's requests in flight under Asana's
// concurrency limits (50 reads, 15 writes per token), so bursts queue here instead of
// drawing 429s, and waiters are served in arrival order.
export class Limiter {
  private active = 0;
  /** Waiters in arrival order, each with the units it needs; the first is served first. */
  private readonly waiting: Array<{ units: number; grant: () => void }> = [];

  constructor(readonly capacity: number) {}

  /**
   * Runs `task` once `weight` units are free together (a batch request of n actions counts as n
   * requests to Asana's concurrency limit). A weight above the capacity takes the whole capacity.
   */
  async run<T>(task: () => Promise<T>, options: { signal?: AbortSignal; weight?: number } = {}): Promise<T> {
    const { signal, weight = 1 } = options;
    const units = Math.max(1, Math.min(Math.floor(weight), this.capacity));
    await this.acquire(signal, units);
    try {
      return await task();
    } finally {
      this.release(units);
    }
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  private acquire(signal: AbortSignal | undefined, units: number): Promise<void> {
    signal?.throwIfAborted();
    // FIFO: nobody overtakes a waiter, so a heavy request is never starved by light ones.
    if (this.waiting.length === 0 && this.active + units <= this.capacity) {
      this.active += units;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        units,
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          this.active += units;
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
        this.serve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private release(units: number): void {
    this.active -= units;
    this.serve();
  }

  private serve(): void {
    for (
      let next = this.waiting[0];
      next && this.active + next.units <= this.capacity;
      next = this.waiting[0]
    ) {
      this.waiting.shift();
      next.grant();
    }
  }
}

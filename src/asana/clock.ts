// Asana's clock, as learnt from the Date header of its answers. Settling an uncertain create asks
// "was this object made after the call was sent?", and Asana's created_at is in Asana's clock, not
// ours: a machine running minutes fast or slow would otherwise accept an old lookalike or miss the
// object it made.
//
// Date has 1-second resolution and is the server's time truncated to the second, stamped somewhere
// between our sending the request (t0) and receiving the answer (t1). So for the true offset
// (Asana minus this machine): D - t1 <= offset < D + 1 s - t0. Each answer gives such an interval;
// the recent ones are intersected. The lower end is what a "created after" bound may use: it never
// exceeds the truth, so an object made by our own call is never judged older than the call (that
// would be answered "not created" and then doubled by a retry). With one sample it is up to about
// 1 s + the round trip below the truth; more samples narrow it.
//
// Local times are taken from the monotonic clock (performance.now), so a step of this machine's
// wall clock does not break the intersection; drift between the two is far below the margin over
// the SAMPLE_TTL_MS the samples are kept.

const SAMPLE_TTL_MS = 10 * 60_000;
const MAX_SAMPLES = 32;

interface Sample {
  low: number;
  high: number;
  at: number;
}

export class AsanaClock {
  private samples: Sample[] = [];

  /** This machine's time, on the monotonic clock, as epoch milliseconds. */
  now(): number {
    return performance.timeOrigin + performance.now();
  }

  /** One answer's Date header, for a request sent at `sentAt` and answered at `receivedAt` (now()). */
  observe(date: string | undefined, sentAt: number, receivedAt: number): void {
    if (!date) return;
    const d = Date.parse(date);
    if (!Number.isFinite(d)) return;
    const sample = { low: d - receivedAt, high: d + 1_000 - sentAt, at: receivedAt };
    this.samples = this.samples.filter((s) => receivedAt - s.at < SAMPLE_TTL_MS).slice(-(MAX_SAMPLES - 1));
    this.samples.push(sample);
    const { low, high } = this.bounds();
    // Inconsistent samples (Asana's clock was stepped, or a proxy's Date): keep only the newest.
    if (low > high) this.samples = [sample];
  }

  /**
   * The earliest Asana time that this machine's `local` (from now()) can correspond to, or
   * undefined when no answer with a Date header was seen in the last SAMPLE_TTL_MS.
   */
  earliest(local: number): number | undefined {
    const fresh = this.samples.filter((s) => local - s.at < SAMPLE_TTL_MS);
    if (fresh.length === 0) return undefined;
    return local + Math.max(...fresh.map((s) => s.low));
  }

  private bounds(): { low: number; high: number } {
    return {
      low: Math.max(...this.samples.map((s) => s.low)),
      high: Math.min(...this.samples.map((s) => s.high)),
    };
  }
}

import { describe, expect, it } from "vitest";
import { AsanaClock } from "../../src/asana/clock.js";

const httpDate = (ms: number) => new Date(ms).toUTCString();

describe("AsanaClock: Asana's clock from Date headers", () => {
  it("knows nothing before an answer with a Date header", () => {
    const clock = new AsanaClock();
    clock.observe(undefined, 0, 10);
    clock.observe("not a date", 0, 10);
    expect(clock.earliest(clock.now())).toBeUndefined();
  });

  it("never puts Asana's time later than it can be, whatever the second's truncation", () => {
    const clock = new AsanaClock();
    const offset = 123_456; // Asana runs this far ahead
    const local = clock.now();
    // The server stamped 0.9 s into its second, and the Date header dropped the 0.9 s.
    const server = Math.floor((local + offset) / 1000) * 1000 + 900;
    clock.observe(httpDate(server), server - offset - 20, server - offset + 20);
    const earliest = clock.earliest(local) ?? Number.NaN;
    expect(earliest).toBeLessThanOrEqual(local + offset);
    expect(earliest).toBeGreaterThan(local + offset - 1_100);
  });

  it("narrows with more answers, and starts again when Asana's clock is stepped", () => {
    const clock = new AsanaClock();
    const base = clock.now();
    for (let i = 0; i < 10; i++) {
      const t = base + i * 137;
      clock.observe(httpDate(Math.floor(t / 1000) * 1000), t - 5, t + 5);
    }
    const narrowed = (clock.earliest(base) ?? Number.NaN) - base;
    expect(narrowed).toBeLessThanOrEqual(0);
    expect(narrowed).toBeGreaterThan(-200);
    // Asana's clock jumps a minute back: the old samples no longer fit and are dropped.
    const t = base + 2_000;
    clock.observe(httpDate(t - 60_000), t - 5, t + 5);
    const after = (clock.earliest(base) ?? Number.NaN) - base;
    expect(after).toBeLessThanOrEqual(-60_000 + 1);
    expect(after).toBeGreaterThan(-61_100);
  });
});

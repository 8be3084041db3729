import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runPeriodically } from "./periodic.js";

describe("runPeriodically", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs at start when asked, then every interval, never two rounds at a time, until stopped", async () => {
    let rounds = 0;
    let finish: () => void = () => {};
    const task = () => {
      rounds++;
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    };
    const periodic = runPeriodically(1000, task, () => {}, { atStart: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(rounds).toBe(1);
    // The first round is still running when the next two are due: neither starts.
    await vi.advanceTimersByTimeAsync(2000);
    expect(rounds).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(1000);
    expect(rounds).toBe(2);
    finish();
    periodic.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(rounds).toBe(2);
  });

  it("hands a failed round to onError and runs the next; without atStart, the first waits an interval", async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const periodic = runPeriodically(
      1000,
      async () => {
        rounds++;
        if (rounds === 1) throw new Error("store away");
      },
      (error) => errors.push(error),
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(rounds).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(errors).toEqual([new Error("store away")]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(rounds).toBe(2);
    expect(errors).toHaveLength(1);
    periodic.stop();
  });
});

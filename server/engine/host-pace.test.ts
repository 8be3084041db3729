import { describe, expect, it } from "vitest";
import { HostPace } from "./host-pace.js";

// A mail host's pace within one job: exponential backoff on its rate limits, remembered.
describe("HostPace", () => {
  it("does not slow a host that never limited the job", () => {
    const pace = new HostPace(1000, 60_000);
    pace.started("mx", 0);
    expect(pace.waitBefore("mx", 1)).toBe(0);
  });

  it("doubles the wait between a limiting host's connections, from the base to the cap", () => {
    const pace = new HostPace(1000, 5000);
    expect([1, 2, 3, 4].map(() => pace.slowDown("mx"))).toEqual([1000, 2000, 4000, 5000]);
    pace.started("mx", 10_000);
    expect(pace.waitBefore("mx", 10_000)).toBe(5000);
    expect(pace.waitBefore("mx", 13_000)).toBe(2000);
    expect(pace.waitBefore("mx", 16_000)).toBe(0);
  });

  it("keeps each host's pace apart, and for the rest of the job", () => {
    const pace = new HostPace(1000, 60_000);
    pace.slowDown("a");
    pace.started("a", 0);
    pace.started("b", 0);
    expect(pace.waitBefore("a", 100)).toBe(900);
    expect(pace.waitBefore("b", 100)).toBe(0);
    pace.started("a", 5000);
    expect(pace.waitBefore("a", 5500)).toBe(500);
  });

  it("halves the wait when a connection got answers before the next limit, never below the base", () => {
    const pace = new HostPace(1000, 60_000);
    for (let i = 0; i < 4; i++) pace.slowDown("mx");
    pace.progressed("mx");
    expect(pace.slowDown("mx")).toBe(8000);
    pace.progressed("mx");
    pace.progressed("mx");
    pace.progressed("mx");
    pace.progressed("mx");
    pace.started("mx", 0);
    expect(pace.waitBefore("mx", 0)).toBe(1000);
    pace.progressed("other");
    expect(pace.waitBefore("other", 0)).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { newId, pooledRandomBytes, randomToken } from "./ids.js";

const madeAt = (id: string) => Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16);

describe("newId", () => {
  it("makes UUIDs that sort by the millisecond they were made, so rows made together share index pages", async () => {
    const made: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      made.push(newId());
      if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(new Set(made).size).toBe(made.length);
    const times = made.map(madeAt);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBeGreaterThan(10);
    for (const id of made) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs(times.at(-1)! - Date.now())).toBeLessThan(5_000);
  });
});

describe("pooledRandomBytes", () => {
  it("never hands out the same bytes twice, across refills of the pool, and keeps what it handed out", () => {
    const first = pooledRandomBytes(16);
    const copy = Buffer.from(first);
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) seen.add(pooledRandomBytes(16).toString("hex")); // ~8 refills
    expect(seen.size).toBe(2_000);
    expect(first).toEqual(copy);
    expect(pooledRandomBytes(10_000)).toHaveLength(10_000);
    expect(randomToken(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

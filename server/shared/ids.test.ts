import { describe, expect, it } from "vitest";
import { newId } from "./ids.js";

describe("newId", () => {
  it("makes UUIDs that sort as they were made, so rows made together share index pages", async () => {
    const made: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      made.push(newId());
      if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(new Set(made).size).toBe(made.length);
    expect([...made].sort()).toEqual(made);
    for (const id of made) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The first 48 bits are the time of making, in ms.
    expect(Math.abs(Number.parseInt(made.at(-1)!.replace(/-/g, "").slice(0, 12), 16) - Date.now())).toBeLessThan(5_000);
  });
});

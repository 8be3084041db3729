import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { perTurn } from "./per-turn.js";

describe("perTurn", () => {
  it("passes on what one turn added in one delivery, in order, and the next turn's in another", async () => {
    const delivered: number[][] = [];
    const batch = perTurn<number>((items) => delivered.push(items));
    batch.add(1);
    batch.add(2);
    await Promise.resolve(); // a microtask is still the same turn
    batch.add(3);
    expect(delivered).toEqual([]);
    await nextTurn();
    batch.add(4);
    await nextTurn();
    expect(delivered).toEqual([[1, 2, 3], [4]]);
  });

  it("passes on what waits at once when flushed, and nothing again when the turn ends", async () => {
    const delivered: string[][] = [];
    const batch = perTurn<string>((items) => delivered.push(items));
    batch.add("a");
    batch.flush();
    expect(delivered).toEqual([["a"]]);
    await nextTurn();
    batch.flush();
    expect(delivered).toEqual([["a"]]);
  });

  it("hands what waits to the caller on take, and delivers none of it", async () => {
    const delivered: string[][] = [];
    const batch = perTurn<string>((items) => delivered.push(items));
    batch.add("a");
    batch.add("b");
    expect(batch.take()).toEqual(["a", "b"]);
    await nextTurn();
    expect(delivered).toEqual([]);
    batch.add("c");
    await nextTurn();
    expect(delivered).toEqual([["c"]]);
  });
});

import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createLogger, linesPerTurn } from "./logger.js";

function recordingTarget() {
  const writes: string[] = [];
  return { writes, write: (chunk: string) => writes.push(chunk), flushSync: () => {} };
}

describe("linesPerTurn", () => {
  it("writes the lines of one turn of the event loop together, in order, once the loop turns", async () => {
    const target = recordingTarget();
    const logger = createLogger({ level: "info", version: "1", process: "test", destination: linesPerTurn(target) });
    logger.info({ n: 1 }, "first");
    logger.info({ n: 2 }, "second");
    logger.info({ n: 3 }, "third");
    expect(target.writes).toEqual([]);
    await nextTurn();
    expect(target.writes).toHaveLength(1);
    const lines = target.writes[0]!.trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { n: number; msg: string });
    expect(lines.map((l) => [l.n, l.msg])).toEqual([
      [1, "first"],
      [2, "second"],
      [3, "third"],
    ]);
  });

  it("writes a line of a later turn in a write of its own", async () => {
    const target = recordingTarget();
    const destination = linesPerTurn(target);
    destination.write("a\n");
    await nextTurn();
    destination.write("b\n");
    await nextTurn();
    expect(target.writes).toEqual(["a\n", "b\n"]);
  });

  it("writes what waits at once when flushed (before a deliberate exit)", () => {
    const target = recordingTarget();
    const destination = linesPerTurn(target);
    destination.write("last words\n");
    destination.flush();
    expect(target.writes).toEqual(["last words\n"]);
  });
});

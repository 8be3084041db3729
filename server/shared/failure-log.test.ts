import { describe, expect, it } from "vitest";
import { failureLog } from "./failure-log.js";
import type { LogLines } from "./logger.js";

function recording() {
  const lines: [string, string, Record<string, unknown>][] = [];
  const logger: LogLines = {
    info: (fields, message) => lines.push(["info", message, fields]),
    warn: (fields, message) => lines.push(["warn", message, fields]),
    error: (fields, message) => lines.push(["error", message, fields]),
  };
  return { lines, logger };
}

describe("failureLog", () => {
  it("logs the first failure at once, then one line per interval with the count, and the recovery", () => {
    const { lines, logger } = recording();
    let now = 1_000;
    const log = failureLog(logger, "claim", { everyMs: 60_000, now: () => now });
    log.succeeded(); // nothing was failing: nothing to say
    log.failed(new Error("SQLITE_FULL: database or disk is full"));
    for (let i = 0; i < 10; i++) {
      now += 250;
      log.failed(new Error("SQLITE_FULL: database or disk is full"));
    }
    expect(lines).toEqual([["error", "claim failed", { error: "SQLITE_FULL: database or disk is full" }]]);

    now = 61_000;
    log.failed("connection reset");
    now = 61_250;
    log.failed("connection reset");
    expect(lines.slice(1)).toEqual([
      [
        "error",
        "claim still failing",
        { error: "connection reset", failures_since_last_line: 11, failing_for_ms: 60_000 },
      ],
    ]);

    now = 121_250;
    log.failed("connection reset");
    expect(lines[2]).toEqual([
      "error",
      "claim still failing",
      { error: "connection reset", failures_since_last_line: 2, failing_for_ms: 120_250 },
    ]);

    now = 122_000;
    log.succeeded();
    log.succeeded();
    expect(lines.slice(3)).toEqual([["info", "claim works again", { failures: 14, failed_for_ms: 121_000 }]]);
  });

  it("starts afresh after a recovery: the next failure is logged at once", () => {
    const { lines, logger } = recording();
    let now = 0;
    const log = failureLog(logger, "claim", { everyMs: 60_000, now: () => now });
    log.failed(new Error("first outage"));
    now = 10;
    log.succeeded();
    now = 20;
    log.failed(new Error("second outage"));
    now = 30;
    log.failed(new Error("second outage"));
    now = 40;
    log.succeeded();
    expect(lines.map(([level, message, fields]) => [level, message, fields.error ?? fields.failures])).toEqual([
      ["error", "claim failed", "first outage"],
      ["info", "claim works again", 1],
      ["error", "claim failed", "second outage"],
      ["info", "claim works again", 2],
    ]);
  });
});

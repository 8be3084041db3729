import { hostname } from "node:os";
import { type DestinationStream, type Logger, pino } from "pino";
import { perTurn } from "./per-turn.js";

export type { Logger };

/**
 * What code that only writes lines needs, in pino's order (fields, then the message): a pino
 * logger is one, and so is the mail thread's, which posts its lines to the main thread.
 * Callers pass only what is safe to log: never an API key, a confirmation token, a request body
 * or a whole email address.
 */
export interface LogLines {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * The process's logger: one JSON line per event on stderr (stdout is the operator's: the start
 * banner, a CLI's answers), with pid, hostname and version on every line, ISO times, and level
 * names rather than numbers. `LOG_LEVEL` sets the level.
 */
export function createLogger(options: {
  level: string;
  version: string;
  process: string;
  destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { pid: process.pid, hostname: hostname(), version: options.version, process: options.process },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? linesPerTurn(pino.destination({ fd: 2, sync: false })),
  );
}

type Flushed = (error?: Error) => void;
/** Where lines go in the end: pino's SonicBoom destination is one. */
type LineTarget = DestinationStream & { flushSync(): void; flush?(callback: Flushed): void };

/**
 * The lines logged during one turn of the event loop, written to `target` together: under load
 * that is one write for many access lines instead of one each (each write is a hand-over to
 * libuv's thread pool). A line waits at most until the loop turns; on exit, what waits is written
 * synchronously.
 */
export function linesPerTurn(target: LineTarget): DestinationStream & { flush(callback?: Flushed): void } {
  const lines = perTurn<string>((pending) => target.write(pending.join("")));
  process.once("exit", () => {
    lines.flush();
    try {
      target.flushSync();
    } catch {
      // Nothing more can be done for a log line while the process exits.
    }
  });
  return {
    write: (line: string) => lines.add(line),
    flush(callback) {
      lines.flush();
      target.flush?.(callback ?? (() => {}));
    },
  };
}

export const silentLogger: Logger = pino({ level: "silent" });

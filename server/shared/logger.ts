import { hostname } from "node:os";
import { type DestinationStream, type Logger, pino } from "pino";

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
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

export const silentLogger: Logger = pino({ level: "silent" });

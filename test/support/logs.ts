import { createLogger, type Logger } from "../../server/shared/logger.js";

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A real pino logger (the server's own settings) whose lines are kept, parsed, for the test to read. */
export function recordingLogger(): { lines: LogLine[]; text: string[]; logger: Logger } {
  const lines: LogLine[] = [];
  const text: string[] = [];
  const logger = createLogger({
    level: "info",
    version: "test",
    process: "test",
    destination: {
      write(line: string) {
        text.push(line);
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  });
  return { lines, text, logger };
}

import type { LogLines } from "./logger.js";

/** What a loop that retries (a worker's claims, say) tells its log about each attempt. */
export interface FailureLog {
  failed(error: unknown): void;
  succeeded(): void;
}

/**
 * The log of a loop that keeps retrying something that fails (a worker claiming from a store that
 * is away or full tries four times a second): the first failure at once, then at most one line
 * per `everyMs` with the latest error and how many attempts failed since the last line, and one
 * line when an attempt works again, with how long it failed. Not a line per attempt: an outage of
 * an hour would otherwise write 14,400 of them per worker and bury everything else.
 */
export function failureLog(
  logger: LogLines,
  what: string,
  options: { everyMs?: number; now?: () => number } = {},
): FailureLog {
  const everyMs = options.everyMs ?? 60_000;
  const now = options.now ?? Date.now;
  let failingSince: number | null = null;
  let lastLineAt = 0;
  let failures = 0;
  let sinceLastLine = 0;
  return {
    failed(error) {
      const at = now();
      const message = error instanceof Error ? error.message : String(error);
      failures++;
      if (failingSince === null) {
        failingSince = lastLineAt = at;
        sinceLastLine = 0;
        logger.error({ error: message }, `${what} failed`);
        return;
      }
      sinceLastLine++;
      if (at - lastLineAt < everyMs) return;
      logger.error(
        { error: message, failures_since_last_line: sinceLastLine, failing_for_ms: at - failingSince },
        `${what} still failing`,
      );
      lastLineAt = at;
      sinceLastLine = 0;
    },
    succeeded() {
      if (failingSince === null) return;
      logger.info({ failures, failed_for_ms: now() - failingSince }, `${what} works again`);
      failingSince = null;
      failures = 0;
    },
  };
}

import type { LogLines } from "./logger.js";

const HOUR_MS = 60 * 60 * 1000;

/**
 * Runs `task` every `everyMs` in the background (and once right away with `atStart`), never two
 * rounds at a time: a round still running when the next is due is not doubled. A failed round
 * goes to `onError` and the next tries again. The timers do not keep the process alive.
 */
export function runPeriodically(
  everyMs: number,
  task: () => Promise<void>,
  onError: (error: unknown) => void,
  options: { atStart?: boolean } = {},
): { stop: () => void } {
  let running = false;
  const round = async () => {
    if (running) return;
    running = true;
    try {
      await task();
    } catch (error) {
      onError(error);
    } finally {
      running = false;
    }
  };
  const first = options.atStart ? setTimeout(() => void round(), 0).unref() : undefined;
  const timer = setInterval(() => void round(), everyMs).unref();
  return {
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}

/**
 * A sweep of rows past their use, at start and then hourly: how many it deleted is logged (null:
 * another process swept, nothing to say); a failure (the store away) too, and the next round tries
 * again.
 */
export function sweepHourly(logger: LogLines, what: string, sweep: () => Promise<number | null>): { stop: () => void } {
  return runPeriodically(
    HOUR_MS,
    async () => {
      const deleted = await sweep();
      if (deleted) logger.info({ deleted }, `${what} deleted`);
    },
    (error) => logger.warn({ error: error instanceof Error ? error.message : String(error) }, `${what}: sweep failed`),
    { atStart: true },
  );
}

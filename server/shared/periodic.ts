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

import { setImmediate as nextTurn } from "node:timers/promises";
import { type Clock, iso } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { runPeriodically } from "../shared/periodic.js";
import { KEEP_MS } from "./idempotency.js";
import type { IdempotencyRepository } from "./idempotency-repository.js";

const SWEEP_EVERY_MS = 60 * 60 * 1000;
const BATCH = 1000;

/**
 * Deletes the idempotency keys past their day (answered, or abandoned long since), a batch at a
 * time with a turn of the event loop between, so that a backlog of millions (a store upgraded
 * from before the sweep) never holds the store or the requests long. How many it deleted.
 */
export async function sweepExpiredKeys(
  repository: IdempotencyRepository,
  clock: Clock,
  batch = BATCH,
): Promise<number> {
  const before = iso(new Date(clock().getTime() - KEEP_MS));
  let deleted = 0;
  for (;;) {
    const n = await repository.prune(before, batch);
    deleted += n;
    if (n < batch) return deleted;
    await nextTurn();
  }
}

/** The sweep at start and then hourly, in every API process (their deletes do not conflict). */
export function startIdempotencySweep(
  repository: IdempotencyRepository,
  clock: Clock,
  logger: Logger,
): { stop: () => void } {
  return runPeriodically(
    SWEEP_EVERY_MS,
    async () => {
      const deleted = await sweepExpiredKeys(repository, clock);
      if (deleted > 0) logger.info({ deleted }, "idempotency keys past their day deleted");
    },
    // The store may be away: the next round tries again.
    (error) =>
      logger.warn({ error: error instanceof Error ? error.message : String(error) }, "idempotency sweep failed"),
    { atStart: true },
  );
}

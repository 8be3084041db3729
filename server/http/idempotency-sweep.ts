import { deleteInBatches } from "../db/batches.js";
import type { Db } from "../db/database.js";
import { unlessRunningElsewhere } from "../db/one-at-a-time.js";
import { type Clock, iso } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { sweepHourly } from "../shared/periodic.js";
import { KEEP_MS } from "./idempotency.js";
import type { IdempotencyRepository } from "./idempotency-repository.js";

const BATCH = 1000;

/**
 * Deletes the idempotency keys past their day (answered, or abandoned long since), a batch at a
 * time (db/batches.ts). How many it deleted.
 */
export function sweepExpiredKeys(repository: IdempotencyRepository, clock: Clock, batch = BATCH): Promise<number> {
  const before = iso(new Date(clock().getTime() - KEEP_MS));
  return deleteInBatches(() => repository.prune(before, batch), batch);
}

/** The sweep at start and then hourly, by one API process at a time. */
export function startIdempotencySweep(
  db: Db,
  repository: IdempotencyRepository,
  clock: Clock,
  logger: Logger,
): { stop: () => void } {
  return sweepHourly(logger, "idempotency keys past their day", () =>
    unlessRunningElsewhere(db, "sweep: idempotency keys", (handle) => sweepExpiredKeys(repository.in(handle), clock)),
  );
}

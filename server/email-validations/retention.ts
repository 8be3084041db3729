import { deleteInBatches } from "../db/batches.js";
import type { Db } from "../db/database.js";
import { unlessRunningElsewhere } from "../db/one-at-a-time.js";
import { type Clock, iso } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { sweepHourly } from "../shared/periodic.js";
import type { EmailValidationRepository } from "./repository.js";

/**
 * Deletes the jobs that ended more than `retentionMs` ago, with their addresses and results (the
 * lists hold other people's addresses: VALIDATION_RETENTION is how long they may be kept); how
 * many. One job per transaction, a turn of the event loop between them (db/batches.ts): a job of
 * 100,000 results takes about 0.3 s to delete on SQLite, where requests would wait behind more.
 */
export function deleteEndedValidations(
  repository: EmailValidationRepository,
  clock: Clock,
  retentionMs: number,
): Promise<number> {
  const before = iso(new Date(clock().getTime() - retentionMs));
  return deleteInBatches(() => repository.deleteOldestEnded(before, iso(clock())), 1);
}

/** The deletion at start and then hourly, by one API process at a time; nothing when retention is 0. */
export function startValidationRetention(
  db: Db,
  repository: EmailValidationRepository,
  clock: Clock,
  retentionMs: number,
  logger: Logger,
): { stop: () => void } {
  if (retentionMs === 0) return { stop: () => undefined };
  return sweepHourly(logger, "email validations past VALIDATION_RETENTION", () =>
    unlessRunningElsewhere(db, "sweep: validation retention", (handle) =>
      deleteEndedValidations(repository.in(handle), clock, retentionMs),
    ),
  );
}

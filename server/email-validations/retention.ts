import { setImmediate as turn } from "node:timers/promises";
import type { Db } from "../db/database.js";
import { unlessRunningElsewhere } from "../db/one-at-a-time.js";
import { type Clock, iso } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { sweepHourly } from "../shared/periodic.js";
import type { EmailValidationRepository } from "./repository.js";

/** The advisory lock's name: one API process at a time deletes old jobs on PostgreSQL. */
export const VALIDATION_RETENTION_SWEEP = "mailproof:validation-retention";

/**
 * Deletes the jobs that ended more than `retentionMs` ago, with their addresses and results (the
 * lists hold other people's addresses: VALIDATION_RETENTION is how long they may be kept); how
 * many. One job per transaction, and the event loop's turn between them: a job of 100,000
 * results takes about 0.3 s to delete on SQLite, where requests would wait behind a longer one.
 */
export async function deleteEndedValidations(
  repository: EmailValidationRepository,
  clock: Clock,
  retentionMs: number,
): Promise<number> {
  const before = iso(new Date(clock().getTime() - retentionMs));
  let deleted = 0;
  for (;;) {
    const ended = await repository.endedBefore(before, 100);
    for (const job of ended) {
      if (await repository.delete(job.account_id, job.id, iso(clock()))) deleted++;
      await turn();
    }
    if (ended.length < 100) return deleted;
  }
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
    unlessRunningElsewhere(db, VALIDATION_RETENTION_SWEEP, (handle) =>
      deleteEndedValidations(repository.in(handle), clock, retentionMs),
    ),
  );
}

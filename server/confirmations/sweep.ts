import { setImmediate as nextTurn } from "node:timers/promises";
import { deleteInBatches } from "../db/batches.js";
import type { Db } from "../db/database.js";
import { unlessRunningElsewhere } from "../db/one-at-a-time.js";
import { type Clock, iso } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { sweepHourly } from "../shared/periodic.js";
import { DAY_MS } from "./caps.js";
import type { ConfirmationRepository, SendsCursor } from "./repository.js";

const BATCH = 1000;

/**
 * How long a send is kept: longer than every window the caps and the verification summaries count
 * (24 hours). Past it only each address's newest send matters, and that one stays.
 */
export const KEEP_SENDS_MS = 2 * DAY_MS;

/** How long a token is kept after it expired: its link's page says "expired" until then, "not valid" after. */
export const KEEP_EXPIRED_TOKENS_MS = 30 * DAY_MS;

/**
 * Deletes what confirmation mail leaves behind once nothing reads it: tokens long expired (a batch
 * at a time: db/batches.ts), and sends older than KEEP_SENDS_MS to an address mailed again since,
 * account by account, looking at a batch of sends at a time with a turn of the event loop between:
 * an account's old sends are read once per sweep, however many of them stay. How many rows it
 * deleted.
 */
export async function sweepConfirmations(
  repository: ConfirmationRepository,
  clock: Clock,
  batch = BATCH,
): Promise<number> {
  const now = clock().getTime();
  const expiredBefore = iso(new Date(now - KEEP_EXPIRED_TOKENS_MS));
  let deleted = await deleteInBatches(() => repository.pruneTokens(expiredBefore, batch), batch);
  const sentBefore = iso(new Date(now - KEEP_SENDS_MS));
  for (let account = await repository.nextAccountWithSends(""); account !== null; ) {
    for (let after: SendsCursor = { sent_at: "", email_key: "" }; ; await nextTurn()) {
      const round = await repository.pruneSends(account, sentBefore, after, batch);
      deleted += round.deleted;
      if (round.last === null) break;
      after = round.last;
    }
    account = await repository.nextAccountWithSends(account);
  }
  return deleted;
}

/** The confirmation sweep's name among the tasks one process at a time runs. */
export const CONFIRMATION_SWEEP = "sweep: confirmations";

/**
 * The sweep, unless another API process is sweeping now (null): each would read every old send,
 * and at a start of all their deletes of the same rows waited on each other.
 */
export function sweepConfirmationsInTurn(
  db: Db,
  repository: ConfirmationRepository,
  clock: Clock,
): Promise<number | null> {
  return unlessRunningElsewhere(db, CONFIRMATION_SWEEP, (handle) => sweepConfirmations(repository.in(handle), clock));
}

/** The sweep at start and then hourly, by one API process at a time. */
export function startConfirmationSweep(
  db: Db,
  repository: ConfirmationRepository,
  clock: Clock,
  logger: Logger,
): { stop: () => void } {
  return sweepHourly(logger, "confirmation tokens and sends past their use", () =>
    sweepConfirmationsInTurn(db, repository, clock),
  );
}

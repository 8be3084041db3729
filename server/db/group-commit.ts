import { CompiledQuery, type ControlledTransaction, type Transaction } from "kysely";
import type { Db } from "./database.js";
import { isPostgres } from "./dialect.js";
import { storeFault } from "./faults.js";
import type { Database } from "./schema.js";

type Work<T> = (trx: Transaction<Database>) => Promise<T>;

interface Job {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The most works one commit carries: a work's answer waits for the whole batch. */
export const MAX_BATCH = 32;

const queues = new WeakMap<Db, Job[]>();

/**
 * Runs `work` in a transaction and resolves once it is committed, like `db.transaction()`; on
 * SQLite, works that queue while one runs commit together. SQLite has one connection and runs
 * one transaction at a time, so concurrent works wait for each other anyway; a commit, though,
 * writes every page it changed to the WAL (for a create, a page of each of a dozen tables and
 * indexes: most of its cost), and one commit for several works writes pages they share once.
 *
 * Each work runs in a savepoint of the batch's transaction: a work that throws (a conflict, a
 * cap) is rolled back alone and rejects with its own error. If the store fails (a full disk, a
 * lost file) or the commit does, the batch's transaction is rolled back and every work of it
 * rejects with that error: none of them is kept, and none answered before the commit. A work
 * waits for no more than the works queued with it (at most MAX_BATCH) and the end of the event
 * loop's turn (see commitBatch), never for a timer.
 * PostgreSQL commits each work on its own (it has a connection per transaction, and groups the
 * WAL flushes of concurrent commits itself).
 */
export function inGroupCommit<T>(db: Db, work: Work<T>): Promise<T> {
  if (isPostgres(db) || db.isTransaction) return db.transaction().execute(work);
  let queue = queues.get(db);
  const running = queue !== undefined;
  if (!queue) {
    queue = [];
    queues.set(db, queue);
  }
  const done = new Promise<T>((resolve, reject) =>
    queue.push({ work: work as Work<unknown>, resolve: resolve as (value: unknown) => void, reject }),
  );
  if (!running) void drain(db, queue);
  return done;
}

/** Commits batches while works are queued; the queue is forgotten once empty. */
async function drain(db: Db, queue: Job[]): Promise<void> {
  while (queue.length > 0) await commitBatch(db, queue);
  queues.delete(db);
}

/** One transaction: the works queued, up to MAX_BATCH, each in its savepoint; one commit. */
async function commitBatch(db: Db, queue: Job[]): Promise<void> {
  const kept: { job: Job; value: unknown }[] = [];
  // Taken before the transaction begins: if it cannot, this work fails with that, and the loop
  // in drain() moves on (each work gets one attempt, as with a transaction of its own).
  let current = queue.shift();
  let trx: ControlledTransaction<Database> | undefined;
  try {
    trx = await db.startTransaction().execute();
    for (let taken = 1; current; taken++) {
      await inSavepoint(trx, current, kept);
      if (taken >= MAX_BATCH) break;
      // better-sqlite3 is synchronous: a work runs to its end within the turn of the event loop
      // that started it, before any other request is read. The requests that arrived with it are
      // read in the same turn; the commit waits for the turn's end so that their works join.
      if (queue.length === 0) await endOfTurn();
      current = queue.shift();
    }
    await trx.commit().execute();
  } catch (error) {
    // The store failed (or the commit did): nothing of this batch is kept.
    await trx
      ?.rollback()
      .execute()
      .catch(() => undefined);
    current?.reject(error);
    for (const { job } of kept) job.reject(error);
    return;
  }
  for (const { job, value } of kept) job.resolve(value);
}

// Statements every work runs: compiled once (Kysely's sql`` compiles its template on every run).
const SAVEPOINT = CompiledQuery.raw("savepoint batched_work");
const RELEASE = CompiledQuery.raw("release batched_work");
const ROLLBACK_TO = CompiledQuery.raw("rollback to batched_work");

const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One work in a savepoint, kept if it succeeds. Its own failure rolls back to the savepoint and
 * rejects it alone; a store fault (after which SQLite may have ended the whole transaction) is
 * thrown, to fail the batch.
 */
async function inSavepoint(trx: Transaction<Database>, job: Job, kept: { job: Job; value: unknown }[]): Promise<void> {
  await trx.executeQuery(SAVEPOINT);
  try {
    const value = await job.work(trx);
    await trx.executeQuery(RELEASE);
    kept.push({ job, value });
  } catch (error) {
    if (storeFault(error) !== null) throw error;
    await trx.executeQuery(ROLLBACK_TO);
    await trx.executeQuery(RELEASE);
    job.reject(error);
  }
}

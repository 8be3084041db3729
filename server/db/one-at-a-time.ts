import { sql } from "kysely";
import type { Db } from "./database.js";
import { isPostgres } from "./dialect.js";

/**
 * Runs `task` unless another process is running the task of the same `name` now; its result, or
 * null when it was not this process's turn. On PostgreSQL, where many API processes share a store,
 * a session advisory lock held on one connection while the task runs (the task's own statements
 * use the pool as usual); PostgreSQL lets go of it if the process dies. On SQLite one API process
 * serves a store (db/api-lock.ts): the task always runs.
 */
export async function unlessRunningElsewhere<T>(db: Db, name: string, task: () => Promise<T>): Promise<T | null> {
  if (!isPostgres(db)) return task();
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{
      taken: boolean;
    }>`select pg_try_advisory_lock(hashtext(${name})) as taken`.execute(connection);
    if (!rows[0]?.taken) return null;
    try {
      return await task();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name}))`.execute(connection);
    }
  });
}

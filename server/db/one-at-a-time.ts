import { sql } from "kysely";
import type { Db } from "./database.js";
import { isPostgres } from "./dialect.js";

/**
 * Runs `task` unless another process is running the task of the same `name` now; its result, or
 * null when it was not this process's turn. On PostgreSQL, where many API processes share a store,
 * a session advisory lock held on one connection while the task runs; PostgreSQL lets go of it if
 * the process dies. The task gets that connection for its statements: one from the pool beside it
 * would wait for ever with DB_POOL_MAX=1, and take requests' connections otherwise. On SQLite one
 * API process serves a store (db/api-lock.ts): the task always runs, on `db`.
 */
export async function unlessRunningElsewhere<T>(
  db: Db,
  name: string,
  task: (handle: Db) => Promise<T>,
): Promise<T | null> {
  if (!isPostgres(db)) return task(db);
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{
      taken: boolean;
    }>`select pg_try_advisory_lock(hashtext(${name})) as taken`.execute(connection);
    if (!rows[0]?.taken) return null;
    try {
      return await task(connection);
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name}))`.execute(connection);
    }
  });
}

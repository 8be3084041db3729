import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";

/**
 * On SQLite one API process serves a store: its request budgets are counted in its memory, exact
 * because nothing else shares them. This holds an exclusive lock on `api.lock` in the data
 * directory for as long as the process lives (the OS lets go of it however the process ends,
 * SIGKILL included: no stale lock to clear), so that a second API process on the same DATA_DIR
 * refuses to start instead of silently doubling every budget. Workers and the CLIs do not take it.
 * Returns its release.
 */
export function holdApiLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  // No wait: a lock held is held by a running process.
  const lock = new Database(join(dataDir, "api.lock"), { timeout: 0 });
  try {
    lock.pragma("locking_mode = EXCLUSIVE");
    // In exclusive locking mode the lock a write transaction takes is kept until the connection closes.
    lock.exec("BEGIN EXCLUSIVE; COMMIT;");
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
    throw new Error(
      `another mailproof API process serves ${dataDir}: on SQLite one process serves a store (its request ` +
        "budgets are counted in its memory). Stop that one first, or run several on PostgreSQL (DATABASE_URL).",
    );
  }
  return () => lock.close();
}

import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

// Runs in the worker thread: its own connection to the same file, checkpointing on a timer.
const WORKER_SOURCE = `
  const { workerData } = require("node:worker_threads");
  const SQLite = require(workerData.driver);
  const db = new SQLite(workerData.file);
  db.pragma("busy_timeout = 5000");
  setInterval(() => {
    try { db.pragma("wal_checkpoint(PASSIVE)"); } catch { /* busy: the next tick retries */ }
  }, workerData.intervalMs);
`;

/**
 * Moves SQLite's WAL checkpoints off the request path. By default the commit that fills the
 * 1000th WAL page copies the WAL into the database file and syncs it, inside somebody's request;
 * with this, the request connection never checkpoints (wal_autocheckpoint = 0) and a worker
 * thread does it every `intervalMs`. PASSIVE checkpoints never block readers or writers. The
 * thread is unref'd: it never keeps the process alive, and a WAL left behind is replayed on open.
 */
export function startCheckpointer(file: string, intervalMs = 500): void {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs, driver } }).unref();
}

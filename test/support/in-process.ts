import { mkdtempSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../server/app.js";
import { loadConfig, sqliteFile } from "../../server/config.js";
import { migrate, openSqlite, type Db } from "../../server/db/database.js";
import { systemClock, type Clock } from "../../server/shared/clock.js";
import { silentLogger } from "../../server/shared/logger.js";
import { testServerEnv } from "./real-server.js";

/** The app built in this process from real parts (a fresh SQLite file), listening on loopback. */
export async function inProcessServer(options: { clock?: Clock; prepare?: (db: Db) => Promise<void> } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "mailproof-inproc-"));
  const config = loadConfig(testServerEnv(dataDir, 0));
  const db = openSqlite(sqliteFile(config));
  await migrate(db);
  await options.prepare?.(db);
  const app = buildApp({ db, config, clock: options.clock ?? systemClock, logger: silentLogger });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, db, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A server whose store has gone away (its connection is closed): what /healthz must report. */
export async function serverWithDeadStore(): Promise<string> {
  const { url } = await inProcessServer({ prepare: (db) => db.destroy() });
  return url;
}

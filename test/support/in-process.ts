import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../server/app.js";
import { compose } from "../../server/compose.js";
import { loadConfig, sqliteFile } from "../../server/config.js";
import { type Db, migrate, openDatabase } from "../../server/db/database.js";
import { listen } from "../../server/http/http-server.js";
import { createMailer } from "../../server/mail/mailer.js";
import { type Clock, systemClock } from "../../server/shared/clock.js";
import { type Logger, silentLogger } from "../../server/shared/logger.js";
import { createMetrics } from "../../server/shared/metrics.js";
import { redisAtStart } from "../../server/shared/redis.js";
import { freshDatabaseEnv } from "./database.js";
import { testServerEnv } from "./real-server.js";

export interface InProcessOptions {
  /** Environment variables on top of the test defaults. */
  env?: Record<string, string>;
  clock?: Clock;
  logger?: Logger;
  retryDelaysMs?: number[];
  prepare?: (db: Db) => Promise<void>;
  /** SQLite even in a PostgreSQL run (a server in a state only SQLite can be put in). */
  sqlite?: boolean;
}

const MAIL_THREAD = new URL("../../dist/mail/mail-thread.js", import.meta.url);

/** The app built in this process from real parts (a fresh SQLite file), listening on loopback. */
export async function inProcessServer(options: InProcessOptions = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "mailproof-inproc-"));
  const database = options.sqlite ? {} : await freshDatabaseEnv();
  const config = loadConfig({ ...testServerEnv(dataDir, 0), ...database, ...options.env });
  const db = openDatabase(config, sqliteFile(config));
  await migrate(db);
  await options.prepare?.(db);
  const logger = options.logger ?? silentLogger;
  const metrics = createMetrics({ processMetrics: false });
  // The mail thread as `npm start` runs it (dist/ is built by the test setup).
  const mailer = createMailer(
    {
      smtpUrl: config.smtpUrl,
      outboxDir: join(dataDir, "outbox"),
      from: config.mailFrom,
      ...(options.retryDelaysMs && { retryDelaysMs: options.retryDelaysMs }),
    },
    logger,
    { thread: MAIL_THREAD, onOutcome: (outcome) => metrics.mailDeliveries.inc({ outcome }) },
  );
  const clock = options.clock ?? systemClock;
  const redis = await redisAtStart(config.redisUrl, config.redisKeyPrefix, logger);
  const services = compose({ db, config, clock, logger, mailer, metrics, redis });
  const app = buildApp({ services, db, config, mailer, clock, logger });
  const server: Server = await listen(app, 0, "127.0.0.1", config.http);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    db,
    services,
    config,
    mailer,
    dataDir,
    /** A key of a (new or existing) account of this server. */
    createKey: async (account: string) => (await services.accounts.createKey(account)).key,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis?.close();
    },
  };
}

/**
 * A server on SQLite whose data directory is a small tmpfs (mounting needs root, as CI has), and
 * a way to fill that disk to the last byte and to free it again.
 */
export async function serverOnSmallDisk(env: Record<string, string> = {}, logger?: Logger) {
  const dataDir = mkdtempSync(join(tmpdir(), "mailproof-disk-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", dataDir]);
  // However the test process ends, the mount goes with it.
  process.once("exit", () => spawnSync("umount", ["-l", dataDir]));
  const server = await inProcessServer({ sqlite: true, env: { ...env, DATA_DIR: dataDir }, ...(logger && { logger }) });
  const key = await server.createKey("small-disk");
  const filler = join(dataDir, "filler");
  return {
    ...server,
    key,
    fill: () => {
      const block = Buffer.alloc(64 * 1024, 1);
      const fd = openSync(filler, "a");
      try {
        for (;;) writeSync(fd, block);
      } catch {
        // ENOSPC: the disk is full. A few bytes may still fit; fill them too.
        for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
          try {
            for (;;) writeSync(fd, block.subarray(0, size));
          } catch {}
        }
      } finally {
        closeSync(fd);
      }
    },
    free: () => rmSync(filler, { force: true }),
    close: async () => {
      await server.close();
      await server.db.destroy().catch(() => undefined);
      spawnSync("umount", ["-l", dataDir]);
    },
  };
}

/** A server whose store has gone away (its connection is closed): what /healthz must report. */
export async function serverWithDeadStore(): Promise<string> {
  const { url } = await inProcessServer({ prepare: (db) => db.destroy() });
  return url;
}

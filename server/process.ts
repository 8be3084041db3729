import { type Config, configOrExit, isQualifiedName } from "./config.js";
import { holdApiLock } from "./db/api-lock.js";
import { type Db, openMigratedDatabase } from "./db/database.js";
import { packageVersion } from "./generated-files.js";
import { createLogger, type Logger } from "./shared/logger.js";
import { createMetrics, type Metrics } from "./shared/metrics.js";

/**
 * What every long-running entry point starts from: its configuration, its logger and metrics,
 * the migrated database (MIGRATE_ON_START); for an API process on SQLite, the store's API lock
 * (db/api-lock.ts), taken before the store is read or migrated, and its release.
 */
export async function openProcess(
  name: string,
  options: { apiLock?: boolean } = {},
): Promise<{ config: Config; logger: Logger; db: Db; metrics: Metrics; releaseLock: () => void }> {
  const config = configOrExit(process.env);
  const logger = createLogger({ level: config.logLevel, version: packageVersion, process: name });
  if (config.validation.probeEnabled && !isQualifiedName(config.validation.heloName))
    logger.warn(
      { helo_name: config.validation.heloName, mail_from: config.validation.mailFrom },
      "VALIDATION_HELO_NAME is not a fully-qualified domain name: many mail hosts refuse or distrust such a " +
        "probe. Set it to a name whose A and PTR records match this host's address (README, Production layout).",
    );
  const releaseLock = options.apiLock && !config.databaseUrl ? holdApiLock(config.dataDir) : () => {};
  const db = await openMigratedDatabase(config, { backgroundCheckpoints: true });
  return { config, logger, db, metrics: createMetrics(), releaseLock };
}

/**
 * On SIGTERM or SIGINT: `stop`, then exit; exit anyway after `boundMs`. Each step of `stop` is
 * logged by the caller; the signal and the exit are logged here.
 */
export function onShutdown(logger: Logger, stop: () => Promise<unknown>, boundMs: number): void {
  const once = (signal: NodeJS.Signals) => {
    logger.info({ signal, bound_ms: boundMs }, "shutting down");
    const exit = (clean: boolean) => {
      logger.info({ clean }, clean ? "shut down" : "shut down: the bound ran out first");
      logger.flush();
      process.exit(0);
    };
    void stop()
      .catch((error: unknown) => logger.error({ error: String(error) }, "shutdown step failed"))
      .finally(() => exit(true));
    setTimeout(() => exit(false), boundMs).unref();
  };
  process.once("SIGTERM", once);
  process.once("SIGINT", once);
}

/** Runs an entry point; a failure to start is one line on stderr and exit code 1. */
export function run(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

import { type Config, configOrExit } from "./config.js";
import { type Db, openMigratedDatabase } from "./db/database.js";
import { jsonLogger, type Logger } from "./shared/logger.js";

/** What every long-running entry point starts from: its configuration, a logger, the migrated database. */
export async function openProcess(): Promise<{ config: Config; logger: Logger; db: Db }> {
  const config = configOrExit(process.env);
  const logger = jsonLogger();
  const db = await openMigratedDatabase(config, { backgroundCheckpoints: true });
  return { config, logger, db };
}

/** On SIGTERM or SIGINT: `stop`, then exit; exit anyway after `boundMs`. */
export function onShutdown(stop: () => Promise<unknown>, boundMs: number): void {
  const once = () => {
    void stop().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), boundMs).unref();
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

import { compose } from "../compose.js";
import { type Config, ConfigError, loadConfig, sqliteFile } from "../config.js";
import { type Db, openDatabase, openMigratedDatabase } from "../db/database.js";
import { systemClock } from "../shared/clock.js";
import { silentLogger } from "../shared/logger.js";

/** A usage or input error: its message on stderr, exit code 1. */
export class CommandError extends Error {}

/**
 * Runs an operator's command: its exit code, or 1 with one line on stderr (2 for a bad
 * configuration, as the server). `name` prefixes unexpected errors.
 */
export function runCommand(name: string, command: (args: string[]) => Promise<number>): void {
  command(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(error instanceof CommandError ? `${message}\n` : `${name}: ${message}\n`);
      process.exit(1);
    },
  );
}

/** The configured store, migrated as the server would, with the services; closed after `use`. */
export async function withServices<T>(
  use: (services: ReturnType<typeof compose>, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig(process.env);
  const db = await openMigratedDatabase(config);
  try {
    return await use(compose({ db, config, clock: systemClock, logger: silentLogger }), config);
  } finally {
    await db.destroy();
  }
}

/** The configured store as it is (no migration), closed after `use`. */
export async function withStore<T>(use: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const db = openDatabase(config, sqliteFile(config));
  try {
    return await use(db, config);
  } finally {
    await db.destroy();
  }
}

/** The value after `--flag`, or undefined; a flag without a value is a usage error. */
export function option(args: string[], flag: string, usage: string): string | undefined {
  const at = args.indexOf(flag);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith("--")) throw new CommandError(`${flag} needs a value\n\n${usage}`);
  return value;
}

/** Prints to stdout, one line. */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

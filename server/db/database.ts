import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect, sql, type Transaction } from "kysely";
import { sqliteFile } from "../config.js";
import { startCheckpointer } from "./checkpointer.js";
import { isPostgres } from "./dialect.js";
import { storeFault } from "./faults.js";
import { migrationProvider } from "./migrations/index.js";
import { openPostgres, waitForDatabase } from "./postgres.js";
import type { Database } from "./schema.js";

export { isPostgres };

export type Db = Kysely<Database>;

/** The store the configuration names: PostgreSQL for a DATABASE_URL, else SQLite in DATA_DIR. */
export function openDatabase(
  config: { databaseUrl: string | undefined; dbPoolMax: number; dbQueryTimeoutMs?: number },
  sqliteFile: string,
  options: { backgroundCheckpoints?: boolean } = {},
): Db {
  return config.databaseUrl
    ? openPostgres(config.databaseUrl, { poolMax: config.dbPoolMax, queryTimeoutMs: config.dbQueryTimeoutMs ?? 10_000 })
    : openSqlite(sqliteFile, options);
}

/** The configured store, once it answers (PostgreSQL may still be starting) and is migrated. */
export async function openMigratedDatabase(
  config: {
    databaseUrl: string | undefined;
    dbPoolMax: number;
    dbQueryTimeoutMs?: number;
    dbStartupTimeoutMs: number;
    dataDir: string;
    migrateOnStart?: boolean;
  },
  options: { backgroundCheckpoints?: boolean } = {},
): Promise<Db> {
  const db = openDatabase(config, sqliteFile(config), options);
  try {
    if (config.databaseUrl)
      await waitForDatabase(db, config.dbStartupTimeoutMs, (line) => process.stderr.write(`${line}\n`));
    await prepareSchema(db, config.migrateOnStart ?? true);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return db;
}

/**
 * Serializes transactions that decide on the same `key` (a resend cap, say) until they commit.
 * SQLite needs nothing: its one connection runs one transaction at a time. PostgreSQL takes a
 * transaction-scoped advisory lock, which also holds across processes.
 */
export async function serializeOn(trx: Transaction<Database>, key: string): Promise<void> {
  if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}

/**
 * Opens the SQLite store: WAL (readers never wait for the writer, and the keys CLI can work
 * beside a running server), foreign keys on, and a busy timeout so concurrent writers queue
 * instead of failing. The long-running server checkpoints in the background (see checkpointer.ts).
 */
export function openSqlite(file: string, options: { backgroundCheckpoints?: boolean } = {}): Db {
  mkdirSync(dirname(file), { recursive: true });
  const connection = new SQLite(file);
  connection.pragma("journal_mode = WAL");
  connection.pragma("foreign_keys = ON");
  connection.pragma("busy_timeout = 5000");
  connection.pragma("synchronous = NORMAL");
  // SQLite's default page cache is 2 MB: once a store outgrows it, every insert reads the pages of
  // its random-keyed indexes (an address, a token's hash) back from the OS. 32 MB keeps them here
  // (a create cost 6 % less CPU on a store of a few hundred thousand rows, bench/README.md).
  connection.pragma("cache_size = -32768");
  if (options.backgroundCheckpoints) {
    connection.pragma("wal_autocheckpoint = 0");
    startCheckpointer(file);
  }
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
}

/**
 * Kysely prepares every query anew; preparing is the largest single cost of a simple request.
 * Our queries are parameterised, so there are few distinct SQL strings: keep their statements.
 * (better-sqlite3 runs each statement synchronously to completion, so reuse is safe.)
 */
function withStatementCache(connection: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  return new Proxy(connection, {
    get(target, property, receiver) {
      if (property !== "prepare") return Reflect.get(target, property, receiver) as unknown;
      return (source: string) => {
        // SQLite rolls a transaction back by itself on SQLITE_FULL, IOERR or BUSY; Kysely's own
        // ROLLBACK then fails with "no transaction is active" and that error would replace the
        // one that says what happened (a full disk). A rollback with nothing to roll back is a no-op.
        if (source === "rollback" && !target.inTransaction) return target.prepare("select 1");
        let statement = cache.get(source);
        if (!statement) {
          statement = target.prepare(source);
          if (cache.size < 1000) cache.set(source, statement);
        }
        return statement;
      };
    },
  });
}

/** Brings the schema to the newest migration (`npm run migrate`, and at start), or up or down to `target`. */
export async function migrate(db: Db, target?: string): Promise<void> {
  const migrator = await migratorOf(db);
  const { error, results } = await (target ? migrator.migrateTo(target) : migrator.migrateToLatest());
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) throw new Error(`migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
}

export interface MigrationStatus {
  /** Applied, with when; in order. */
  applied: { name: string; at: string }[];
  /** Known to this version and not applied yet. */
  pending: string[];
  /** Applied by a newer version of mailproof (this one does not know them). */
  newer: string[];
}

/** Which migrations the store has, which this version would apply, and which only a newer version knows. */
export async function migrationStatus(db: Db): Promise<MigrationStatus> {
  const migrator = await migratorOf(db);
  const known = await migrator.getMigrations();
  const names = new Set(known.map((m) => m.name));
  const recorded = await appliedMigrationNames(db);
  return {
    applied: known.flatMap((m) => (m.executedAt ? [{ name: m.name, at: m.executedAt.toISOString() }] : [])),
    pending: known.filter((m) => !m.executedAt).map((m) => m.name),
    newer: recorded.filter((name) => !names.has(name)),
  };
}

/**
 * At start: applies what is pending (MIGRATE_ON_START, the default), or refuses to run on a schema
 * older than this code. A store a newer version has migrated is used as it is: migrations only
 * add (columns, tables, indexes), so the previous version keeps working during a rolling upgrade.
 */
export async function prepareSchema(db: Db, migrateOnStart: boolean): Promise<MigrationStatus> {
  const status = await migrationStatus(db);
  if (status.newer.length > 0) return status;
  if (status.pending.length === 0) return status;
  if (!migrateOnStart)
    throw new Error(
      `the database lacks migrations ${status.pending.join(", ")}: run 'npm run migrate' (MIGRATE_ON_START=false)`,
    );
  await migrate(db);
  return migrationStatus(db);
}

/**
 * On PostgreSQL the migration bookkeeping lives in the connection's schema (search_path), like
 * the tables; otherwise Kysely looks for it across schemas and finds another instance's.
 */
async function migratorOf(db: Db): Promise<Migrator> {
  const schema = await currentSchema(db);
  return new Migrator({ db, provider: migrationProvider, ...(schema && { migrationTableSchema: schema }) });
}

async function currentSchema(db: Db): Promise<string | undefined> {
  return isPostgres(db) ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s : undefined;
}

/** The names Kysely recorded as applied; none before the first migration. */
async function appliedMigrationNames(db: Db): Promise<string[]> {
  const schema = await currentSchema(db);
  const table = schema ? sql.table(`${schema}.kysely_migration`) : sql.table("kysely_migration");
  try {
    const rows = await sql<{ name: string }>`select name from ${table} order by name`.execute(db);
    return rows.rows.map((r) => r.name);
  } catch {
    return [];
  }
}

/** Whether the store answers a trivial query. */
export async function databaseAnswers(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the database takes a write: one committed row (the time of the last health check, in
 * app_secrets' table, overwritten each time). A write that is rolled back may never reach the
 * disk, so only a commit tells that there is room. `full` when there is none.
 */
export async function databaseWrites(db: Db): Promise<"ok" | "full" | "error"> {
  try {
    await sql`insert into app_secrets (name, value) values ('health-probe', ${new Date().toISOString()})
      on conflict (name) do update set value = excluded.value`.execute(db);
    return "ok";
  } catch (error) {
    return storeFault(error) === "full" ? "full" : "error";
  }
}

/** Unique-constraint violations, as both drivers report them. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string };
  return e?.code === "SQLITE_CONSTRAINT_UNIQUE" || e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || e?.code === "23505";
}

/** Foreign-key violations, as both drivers report them. */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: string };
  return e?.code === "SQLITE_CONSTRAINT_FOREIGNKEY" || e?.code === "23503";
}

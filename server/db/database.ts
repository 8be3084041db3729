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
  },
  options: { backgroundCheckpoints?: boolean } = {},
): Promise<Db> {
  const db = openDatabase(config, sqliteFile(config), options);
  if (config.databaseUrl)
    await waitForDatabase(db, config.dbStartupTimeoutMs, (line) => process.stderr.write(`${line}\n`));
  await migrate(db);
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

/** Brings the schema to the newest migration (run at every start), or up or down to `target`. */
export async function migrate(db: Db, target?: string): Promise<void> {
  // On PostgreSQL the migration bookkeeping lives in the connection's schema (search_path), like
  // the tables; otherwise Kysely looks for it across schemas and finds another instance's.
  const schema = isPostgres(db)
    ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
    : undefined;
  const migrator = new Migrator({ db, provider: migrationProvider, ...(schema && { migrationTableSchema: schema }) });
  const { error, results } = await (target ? migrator.migrateTo(target) : migrator.migrateToLatest());
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) throw new Error(`migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
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

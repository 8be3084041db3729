import { Kysely, sql } from "kysely";
import pg from "pg";
import { CurrentSchemaPostgresDialect } from "./postgres-introspector.js";
import type { Database } from "./schema.js";

/**
 * The PostgreSQL database: a bounded pool in which every wait is bounded (getting a connection,
 * and each query: on the client, which also ends a query whose connection was black-holed, and on
 * the server), so a slow or lost database gives errors (503 store_unavailable), never requests
 * that hang.
 */
export function openPostgres(url: string, options: { poolMax: number; queryTimeoutMs?: number }): Kysely<Database> {
  const queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    query_timeout: queryTimeoutMs,
    statement_timeout: queryTimeoutMs,
    keepAlive: true,
  });
  // An idle client's error (the server restarted) must not crash the process; the pool replaces it.
  pool.on("error", () => undefined);
  // Nor may a checked-out client's: a connection reset while Kysely holds it emits 'error' on the
  // client, which without a listener ends the process. The query in flight fails on its own.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

const pools = new WeakMap<object, pg.Pool>();

/** The pool under a PostgreSQL store (for the rate limiter, which speaks to pg directly); undefined on SQLite. */
export function postgresPoolOf(db: object): pg.Pool | undefined {
  return pools.get(db);
}

/** Waits until the database answers, saying so while it waits; fails after `timeoutMs`. */
export async function waitForDatabase(
  db: Kysely<Database>,
  timeoutMs: number,
  say: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await sql`select 1`.execute(db);
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(
          `the database did not answer within ${timeoutMs} ms: ` +
            `${error instanceof Error ? error.message : String(error)}`,
        );
      if (attempt === 0) say(`waiting for the database (${error instanceof Error ? error.message : String(error)})...`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

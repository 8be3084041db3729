import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

/**
 * The PostgreSQL store: a bounded pool with connect and idle timeouts, so a slow or lost database
 * gives errors (problem+json 500s and a 503 /healthz), never requests that hang.
 */
export function openPostgres(url: string, options: { poolMax: number }): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client's error (the server restarted) must not crash the process; the pool replaces it.
  pool.on("error", () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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

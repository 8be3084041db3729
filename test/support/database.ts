import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { type Db, migrate, openDatabase } from "../../server/db/database.js";

// With TEST_DATABASE_URL set (`npm run test:pg`), every server the tests start gets a fresh
// PostgreSQL schema of its own; without it, a fresh SQLite file (the default).

const run = () => (process.env.MAILPROOF_TEST_RUN ??= randomUUID().replace(/-/g, "").slice(0, 8));

/** `{ DATABASE_URL }` for a new, empty schema, or `{}` on SQLite. */
export async function freshDatabaseEnv(): Promise<Record<string, string>> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return {};
  const schema = `mp_${run()}_${randomUUID().replace(/-/g, "").slice(0, 8)}`;
  await withClient(base, (client) => client.query(`create schema ${schema}`));
  const url = new URL(base);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return { DATABASE_URL: url.toString() };
}

/**
 * A store of the test's own, migrated to `target` (the newest migration if none): a fresh schema
 * under TEST_DATABASE_URL, else a fresh SQLite file. The caller destroys it.
 */
export async function freshStore(target?: string): Promise<Db> {
  const env = await freshDatabaseEnv();
  const db = openDatabase(
    { databaseUrl: env.DATABASE_URL, dbPoolMax: 2 },
    join(mkdtempSync(join(tmpdir(), "mailproof-store-")), "mailproof.sqlite"),
  );
  await migrate(db, target);
  return db;
}

/** Accounts named by their ids. */
export async function insertAccounts(db: Db, ids: string[], createdAt = "2026-11-30T00:00:00.000Z"): Promise<void> {
  for (const id of ids) await db.insertInto("accounts").values({ id, name: id, created_at: createdAt }).execute();
}

/** Confirmation sends, each [account, address key, sent at], with ids s0, s1, …, all of one subject. */
export async function insertSends(db: Db, sends: [string, string, string][]): Promise<void> {
  for (const [i, [account, emailKey, sentAt]] of sends.entries())
    await db
      .insertInto("confirmation_sends")
      .values({
        id: `s${i}`,
        account_id: account,
        subject_type: "destination",
        subject_id: "d",
        email_key: emailKey,
        sent_at: sentAt,
      })
      .execute();
}

/** PostgreSQL: the backend process of `db`'s session (`db`, a transaction). */
export async function sessionPid(db: Db): Promise<number> {
  return (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid;
}

/**
 * PostgreSQL: whether another session waits for a lock that session `pid` holds, by PostgreSQL's
 * own account (tests wait for it rather than for a guessed delay); `watcher` asks (a pool).
 */
export async function waitedOn(pid: number, watcher: Db): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
    where ${pid} = any(pg_blocking_pids(pid))`.execute(watcher);
  return rows[0]!.n > 0;
}

/** Drops the schemas this run created. */
export async function dropRunSchemas(): Promise<void> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base || !process.env.MAILPROOF_TEST_RUN) return;
  await withClient(base, async (client) => {
    const { rows } = await client.query<{ nspname: string }>("select nspname from pg_namespace where nspname like $1", [
      `mp_${process.env.MAILPROOF_TEST_RUN}_%`,
    ]);
    for (const { nspname } of rows) await client.query(`drop schema ${nspname} cascade`);
  });
}

/** Every row of every table of the store behind `databaseUrl`, as text (to look for secrets). */
export async function everyStoredRow(databaseUrl: string): Promise<string> {
  return withClient(databaseUrl, async (client) => {
    const { rows: tables } = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = current_schema()",
    );
    let text = "";
    for (const { table_name } of tables)
      text += JSON.stringify((await client.query(`select * from "${table_name}"`)).rows);
    return text;
  });
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

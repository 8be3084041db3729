import { type Kysely, sql } from "kysely";
import { isPostgres } from "../dialect.js";

// On SQLite a `text primary key` is a unique index beside the table's rowid B-tree. Nothing reads
// a confirmation send by its id (the caps read by account, address and time), yet every send wrote
// that index at a random place (a UUID v4): about a sixth of a create's work in SQLite (issue 18,
// bench/README.md). The table is rebuilt without it; its rowid keeps the rows apart. The id column
// stays, written as before, so the version before this one keeps working on the store.
// PostgreSQL keeps its primary key: replication tools need one to carry a table's deletes.
const COLUMNS = "id, account_id, subject_type, subject_id, sent_at, email_key";

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) await rebuildSends(db, "id text not null");
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) await rebuildSends(db, "id text primary key");
}

/** SQLite's way to change a column's constraints: a new table, the rows copied, the indexes again. */
async function rebuildSends(db: Kysely<unknown>, id: string): Promise<void> {
  await sql
    .raw(`create table confirmation_sends_rebuilt (${id},
      account_id text not null references accounts (id) on delete cascade,
      subject_type text not null, subject_id text not null, sent_at text not null,
      email_key text default '' not null)`)
    .execute(db);
  await sql
    .raw(`insert into confirmation_sends_rebuilt (${COLUMNS}) select ${COLUMNS} from confirmation_sends`)
    .execute(db);
  await db.schema.dropTable("confirmation_sends").execute();
  await sql`alter table confirmation_sends_rebuilt rename to confirmation_sends`.execute(db);
  await db.schema
    .createIndex("confirmation_sends_address")
    .on("confirmation_sends")
    .columns(["account_id", "email_key", "sent_at"])
    .execute();
  await db.schema
    .createIndex("confirmation_sends_account")
    .on("confirmation_sends")
    .columns(["account_id", "sent_at"])
    .execute();
}

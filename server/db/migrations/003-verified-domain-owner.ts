import { type Kysely, sql } from "kysely";

// A domain can be verified by one account only: the first to prove ownership wins, and the
// database decides it, so two processes racing cannot both win. (Partial indexes: SQLite and PostgreSQL.)
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create unique index mailbox_domains_one_verified_owner
    on mailbox_domains (domain) where status = 'verified'`.execute(db);
  await db.schema
    .createIndex("mailbox_domains_recheck")
    .on("mailbox_domains")
    .columns(["status", "last_checked_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("mailbox_domains_recheck").execute();
  await db.schema.dropIndex("mailbox_domains_one_verified_owner").execute();
}

import { type Kysely, sql } from "kysely";
import { isPostgres } from "../dialect.js";

// Abuse limits (issue 11):
// - confirmation_sends learns the address each mail went to (`email_key`, lower-cased), so the
//   per-address caps count every mail of the account to that address, whichever resource sent it
//   and across delete and re-create; and an index for the account's hourly quota.
// - app_secrets keeps secrets every process must share (the confirmation form's HMAC key).
// - rate_limits holds the request budgets on PostgreSQL (rate-limiter-flexible's layout). It is
//   UNLOGGED: counters lost in a crash only reset budgets, and no request pays a WAL flush.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("confirmation_sends")
    .addColumn("email_key", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  // Each send recorded its token at the same time: that row names the address.
  await sql`update confirmation_sends set email_key = coalesce((
      select lower(t.email) from confirmation_tokens t
      where t.subject_type = confirmation_sends.subject_type and t.subject_id = confirmation_sends.subject_id
        and t.created_at = confirmation_sends.sent_at
      limit 1), '')`.execute(db);
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

  await db.schema
    .createTable("app_secrets")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();

  if (isPostgres(db)) {
    await sql`create unlogged table rate_limits
      (key varchar(255) primary key, points integer not null default 0, expire bigint)`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) await db.schema.dropTable("rate_limits").execute();
  await db.schema.dropTable("app_secrets").execute();
  await db.schema.dropIndex("confirmation_sends_account").execute();
  await db.schema.dropIndex("confirmation_sends_address").execute();
  await db.schema.alterTable("confirmation_sends").dropColumn("email_key").execute();
}

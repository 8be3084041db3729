import type { Kysely } from "kysely";

// Since 006 the caps count an address's sends through (account_id, email_key, sent_at); nothing
// reads a subject's sends any more, yet every send still wrote this index at a random place (a
// subject's id is a UUID v4): a page of the WAL per create (issue 18). Neither this version nor
// the one before it reads it, so dropping it is safe during a rolling upgrade.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("confirmation_sends_subject").ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("confirmation_sends_subject")
    .ifNotExists()
    .on("confirmation_sends")
    .columns(["subject_type", "subject_id", "sent_at"])
    .execute();
}

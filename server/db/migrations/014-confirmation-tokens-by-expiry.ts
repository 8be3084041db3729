import type { Kysely } from "kysely";

// Confirmation tokens were never deleted: one row per mail, for good. The confirmations sweep
// (confirmations/sweep.ts) deletes those long past their expiry, a batch at a time; this index lets
// it find them without reading the whole table. Expiries grow with time, so each new token adds
// its entry at the index's end. The version before neither reads nor minds it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("confirmation_tokens_expires_at")
    .ifNotExists()
    .on("confirmation_tokens")
    .column("expires_at")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("confirmation_tokens_expires_at").ifExists().execute();
}

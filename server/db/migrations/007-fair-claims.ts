import type { Kysely } from "kysely";

// Fair claims (issue 15): workers serve the account served least recently, then within it the
// job served least recently, instead of the oldest chunk overall (a small job waited behind
// every big job queued before it). A job remembers when a chunk of it was last claimed; its
// claimable chunks are found by an index of their own.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("email_validations").addColumn("last_claimed_at", "text").execute();
  await db.schema
    .createIndex("validation_chunks_job_claim")
    .on("validation_chunks")
    .columns(["validation_id", "status", "chunk"])
    .execute();
  await db.schema
    .createIndex("email_validations_active")
    .on("email_validations")
    .columns(["status", "account_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("email_validations_active").execute();
  await db.schema.dropIndex("validation_chunks_job_claim").execute();
  await db.schema.alterTable("email_validations").dropColumn("last_claimed_at").execute();
}

import type { Kysely } from "kysely";

// Idempotency keys live a day (http/idempotency.ts), but nothing deleted them unless the same key
// came again: every create through the typed client (which sends a key by default) left its row,
// answer included, for good. The sweep (http/idempotency-sweep.ts) deletes them by age, a batch at
// a time; this index lets it find them without reading the whole table. The version before
// neither reads nor minds it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("idempotency_keys_created_at")
    .ifNotExists()
    .on("idempotency_keys")
    .column("created_at")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("idempotency_keys_created_at").ifExists().execute();
}

import type { Kysely } from "kysely";

// Email validation jobs: the job, its unique inputs with their results, and the chunks workers
// claim with a lease. Everything a job needs to finish after a crash is here.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("email_validations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("total", "integer", (c) => c.notNull())
    .addColumn("processed", "integer", (c) => c.notNull())
    .addColumn("deliverable", "integer", (c) => c.notNull())
    .addColumn("risky", "integer", (c) => c.notNull())
    .addColumn("undeliverable", "integer", (c) => c.notNull())
    .addColumn("unknown", "integer", (c) => c.notNull())
    .addColumn("errors", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("started_at", "text")
    .addColumn("completed_at", "text")
    .execute();
  await db.schema
    .createIndex("email_validations_page")
    .on("email_validations")
    .columns(["account_id", "created_at", "id"])
    .execute();

  await db.schema
    .createTable("validation_items")
    .addColumn("validation_id", "text", (c) => c.notNull().references("email_validations.id").onDelete("cascade"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("chunk", "integer", (c) => c.notNull())
    .addColumn("result", "text")
    .addPrimaryKeyConstraint("validation_items_pk", ["validation_id", "email"])
    .execute();
  await db.schema
    .createIndex("validation_items_chunk")
    .on("validation_items")
    .columns(["validation_id", "chunk"])
    .execute();

  await db.schema
    .createTable("validation_chunks")
    .addColumn("validation_id", "text", (c) => c.notNull().references("email_validations.id").onDelete("cascade"))
    .addColumn("chunk", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("lease_owner", "text")
    .addColumn("lease_expires_at", "text")
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("validation_chunks_pk", ["validation_id", "chunk"])
    .execute();
  await db.schema
    .createIndex("validation_chunks_claim")
    .on("validation_chunks")
    .columns(["status", "created_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["validation_chunks", "validation_items", "email_validations"])
    await db.schema.dropTable(table).execute();
}

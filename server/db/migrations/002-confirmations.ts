import type { Kysely } from "kysely";

// Confirmation mail: every send (for the resend caps) and every token (stored as its hash).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("confirmation_sends")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("subject_type", "text", (c) => c.notNull())
    .addColumn("subject_id", "text", (c) => c.notNull())
    .addColumn("sent_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("confirmation_sends_subject")
    .on("confirmation_sends")
    .columns(["subject_type", "subject_id", "sent_at"])
    .execute();

  await db.schema
    .createTable("confirmation_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("subject_type", "text", (c) => c.notNull())
    .addColumn("subject_id", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("spent_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("confirmation_tokens_subject")
    .on("confirmation_tokens")
    .columns(["subject_type", "subject_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("confirmation_tokens").execute();
  await db.schema.dropTable("confirmation_sends").execute();
}

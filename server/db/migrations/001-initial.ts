import type { Kysely } from "kysely";

// Types and constraints that mean the same on SQLite and PostgreSQL.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("accounts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("revoked_at", "text")
    .execute();

  await db.schema
    .createTable("destinations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("email_key", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("verified_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("destinations_account_email", ["account_id", "email_key"])
    .execute();
  await db.schema
    .createIndex("destinations_page")
    .on("destinations")
    .columns(["account_id", "created_at", "id"])
    .execute();

  await db.schema
    .createTable("mailbox_domains")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("domain", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("dns_records", "text", (c) => c.notNull())
    .addColumn("verified_at", "text")
    .addColumn("last_checked_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("mailbox_domains_account_domain", ["account_id", "domain"])
    .execute();
  await db.schema
    .createIndex("mailbox_domains_page")
    .on("mailbox_domains")
    .columns(["account_id", "created_at", "id"])
    .execute();

  await db.schema
    .createTable("sender_identities")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    // RESTRICT: a domain cannot disappear under its identities, even in a race with the 409 check.
    .addColumn("domain_id", "text", (c) => c.notNull().references("mailbox_domains.id").onDelete("restrict"))
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("email_key", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("reply_to_email", "text")
    .addColumn("reply_to_name", "text")
    .addColumn("is_verified", "integer", (c) => c.notNull())
    .addColumn("verified_at", "text")
    .addColumn("resends", "integer", (c) => c.notNull())
    .addColumn("add_note", "integer", (c) => c.notNull())
    .addColumn("personal_note", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("sender_identities_account_email", ["account_id", "email_key"])
    .execute();
  await db.schema
    .createIndex("sender_identities_page")
    .on("sender_identities")
    .columns(["account_id", "created_at", "id"])
    .execute();
  await db.schema.createIndex("sender_identities_domain").on("sender_identities").columns(["domain_id"]).execute();

  await db.schema
    .createTable("idempotency_keys")
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("status", "integer")
    .addColumn("response_headers", "text")
    .addColumn("response_body", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("idempotency_keys_pk", ["account_id", "key"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "idempotency_keys",
    "sender_identities",
    "mailbox_domains",
    "destinations",
    "api_keys",
    "accounts",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}

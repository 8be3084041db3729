import { type Kysely, sql } from "kysely";

// Operating mailproof (issue 16):
// - accounts get the display name the people we email see (until now they saw the internal
//   name); existing accounts start with their name.
// - api_keys get a label and the time of their last use (written at most once a minute).
// - validation_workers holds each worker's heartbeat, so /healthz can tell whether any worker of
//   any process is alive.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("accounts").addColumn("display_name", "text").execute();
  await sql`update accounts set display_name = name`.execute(db);
  await db.schema.alterTable("api_keys").addColumn("label", "text").execute();
  await db.schema.alterTable("api_keys").addColumn("last_used_at", "text").execute();
  await db.schema
    .createTable("validation_workers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("seen_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("validation_workers").execute();
  await db.schema.alterTable("api_keys").dropColumn("last_used_at").execute();
  await db.schema.alterTable("api_keys").dropColumn("label").execute();
  await db.schema.alterTable("accounts").dropColumn("display_name").execute();
}

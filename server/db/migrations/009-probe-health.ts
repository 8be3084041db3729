import type { Kysely } from "kysely";

// The probe's health (issue 14): each worker's heartbeat also says when its probes last had their
// sender refused, so /healthz of any process can tell the operator that the probe's identity is
// being refused somewhere.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("validation_workers").addColumn("sender_refused_at", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("validation_workers").dropColumn("sender_refused_at").execute();
}

import { type Kysely, sql } from "kysely";
import { isPostgres } from "../dialect.js";

// A job's inputs move into its chunks (a JSON array per chunk), and validation_items keeps
// results only, written when a chunk is done. Storing 100,000 inputs before the 202 was 100,000
// indexed rows; it is now one row per 100 addresses, and the result rows are written by the
// workers, spread over the job. Unfinished work carries over: the inputs of pending and leased
// chunks are copied into them, then their result-less rows go.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("validation_chunks").addColumn("emails", "text").execute();
  const collect = isPostgres(db) ? sql`json_agg(i.email order by i.email)::text` : sql`json_group_array(i.email)`;
  await sql`update validation_chunks set emails = (
      select ${collect} from validation_items i
      where i.validation_id = validation_chunks.validation_id and i.chunk = validation_chunks.chunk
        and i.result is null)
    where status in ('pending', 'leased')`.execute(db);
  await sql`delete from validation_items where result is null`.execute(db);
  // Nothing looks result rows up by chunk any more; the index only slowed their inserts.
  await db.schema.dropIndex("validation_items_chunk").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("validation_items_chunk")
    .on("validation_items")
    .columns(["validation_id", "chunk"])
    .execute();
  const elements = isPostgres(db)
    ? sql`json_array_elements_text(c.emails::json) as e(value)`
    : sql`json_each(c.emails) as e`;
  await sql`insert into validation_items (validation_id, email, chunk, result)
    select c.validation_id, e.value, c.chunk, null from validation_chunks c, ${elements}
    where c.status in ('pending', 'leased') and c.emails is not null`.execute(db);
  await db.schema.alterTable("validation_chunks").dropColumn("emails").execute();
}

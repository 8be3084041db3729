import { type Kysely, PostgresAdapter } from "kysely";

/** Which dialect a connection (or transaction, or a migration's untyped handle) speaks. */
export function isPostgres(db: Pick<Kysely<unknown>, "getExecutor">): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

import { type SendSummary, sendSummaryColumns } from "../confirmations/service.js";
import type { Db } from "../db/database.js";
import { type Page, type PageRequest, readPage } from "../db/keyset-page.js";
import { preparedInsert, preparedQuery } from "../db/prepared.js";
import type { Database } from "../db/schema.js";
import type { DestinationsTable } from "./tables.js";

export type DestinationRow = DestinationsTable;
/** A row as a GET or a list reads it: with the summary of its address's sends since a time. */
export type DestinationRead = DestinationRow & SendSummary;

/** What a list may be narrowed to: a status, an address (by its key, shared/email.ts). */
export interface DestinationFilter {
  status?: DestinationRow["status"] | undefined;
  emailKey?: string | undefined;
}

/** A create runs it in its transaction (a new handle each time): compiled once, not per create. */
const insertDestination = preparedInsert<Database, "destinations">("destinations");
const byId = preparedQuery(
  (db: Db, accountId: string, id: string) =>
    db.selectFrom("destinations").selectAll().where("account_id", "=", accountId).where("id", "=", id),
  2,
);
/** An account's rows as a GET or a list reads them: each with its sends' summary since `since`. */
function readsOf(db: Db, accountId: string, since: string) {
  return db
    .selectFrom("destinations")
    .selectAll()
    .select(sendSummaryColumns("destinations", since))
    .where("account_id", "=", accountId);
}
// On every GET of a destination: the row and its sends' summary, one statement.
const byIdWithSends = preparedQuery(
  (db: Db, accountId: string, id: string, since: string) => readsOf(db, accountId, since).where("id", "=", id),
  3,
);

export class DestinationRepository {
  constructor(private readonly db: Db) {}

  /** The same queries on another handle (a transaction). */
  in(db: Db): DestinationRepository {
    return new DestinationRepository(db);
  }

  insert(row: DestinationRow): Promise<void> {
    return insertDestination(this.db, row);
  }

  async find(accountId: string, id: string): Promise<DestinationRow | undefined> {
    return (await byId(this.db, accountId, id))[0];
  }

  /** The row and the summary of its address's sends since `since` (for its `verification`). */
  async findWithSends(accountId: string, id: string, since: string): Promise<DestinationRead | undefined> {
    return (await byIdWithSends(this.db, accountId, id, since))[0];
  }

  findByKey(accountId: string, emailKey: string): Promise<DestinationRow | undefined> {
    return this.db
      .selectFrom("destinations")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("email_key", "=", emailKey)
      .executeTakeFirst();
  }

  /** A page of rows, each with the summary of its address's sends since `since`. */
  list(accountId: string, filter: DestinationFilter, page: PageRequest, since: string): Promise<Page<DestinationRead>> {
    let query = readsOf(this.db, accountId, since);
    if (filter.status) query = query.where("status", "=", filter.status);
    if (filter.emailKey !== undefined) query = query.where("email_key", "=", filter.emailKey);
    return readPage(query, page);
  }

  /**
   * Marks a pending row verified (in `db`, the confirmation's transaction) if its address is still
   * `emailKey`; the row, or none if it was not pending or its address changed.
   */
  markVerified(
    accountId: string,
    id: string,
    emailKey: string,
    at: string,
    db: Db = this.db,
  ): Promise<DestinationRow | undefined> {
    return db
      .updateTable("destinations")
      .set({ status: "verified", verified_at: at, updated_at: at })
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .where("email_key", "=", emailKey)
      .where("status", "=", "pending")
      .returningAll()
      .executeTakeFirst();
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("destinations")
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

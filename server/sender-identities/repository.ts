import { type SendSummary, sendSummaryColumns } from "../confirmations/service.js";
import type { Db } from "../db/database.js";
import { type Page, type PageRequest, readPage } from "../db/keyset-page.js";
import type { SenderIdentitiesTable } from "./tables.js";

export type SenderIdentityRow = SenderIdentitiesTable;
/** A row as a GET, a list or an update reads it: with the summary of its address's sends since a time. */
export type SenderIdentityRead = SenderIdentityRow & SendSummary;
/** What a list may be narrowed to: a mailbox domain, a From address (by its key, shared/email.ts). */
export interface SenderIdentityFilter {
  domainId?: string | undefined;
  emailKey?: string | undefined;
}

/** An account's rows as a GET, a list or an update reads them: each with its sends' summary since `since`. */
function readsOf(db: Db, accountId: string, since: string) {
  return db
    .selectFrom("sender_identities")
    .selectAll()
    .select(sendSummaryColumns("sender_identities", since))
    .where("account_id", "=", accountId);
}

export class SenderIdentityRepository {
  constructor(private readonly db: Db) {}

  /** The same queries on another handle (a transaction). */
  in(db: Db): SenderIdentityRepository {
    return new SenderIdentityRepository(db);
  }

  async insert(row: SenderIdentityRow): Promise<void> {
    await this.db.insertInto("sender_identities").values(row).execute();
  }

  find(accountId: string, id: string): Promise<SenderIdentityRow | undefined> {
    return this.db
      .selectFrom("sender_identities")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /** The row and the summary of its address's sends since `since` (for its `verification`), one statement. */
  findWithSends(accountId: string, id: string, since: string): Promise<SenderIdentityRead | undefined> {
    return readsOf(this.db, accountId, since).where("id", "=", id).executeTakeFirst();
  }

  findByKey(accountId: string, emailKey: string): Promise<SenderIdentityRow | undefined> {
    return this.db
      .selectFrom("sender_identities")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("email_key", "=", emailKey)
      .executeTakeFirst();
  }

  /** A page of rows, each with the summary of its address's sends since `since`. */
  list(
    accountId: string,
    filter: SenderIdentityFilter,
    page: PageRequest,
    since: string,
  ): Promise<Page<SenderIdentityRead>> {
    let query = readsOf(this.db, accountId, since);
    if (filter.domainId) query = query.where("domain_id", "=", filter.domainId);
    if (filter.emailKey !== undefined) query = query.where("email_key", "=", filter.emailKey);
    return readPage(query, page);
  }

  /** Writes `changes` if the row still has the address `emailKey`; whether it had (and exists). */
  async update(accountId: string, id: string, emailKey: string, changes: Partial<SenderIdentityRow>): Promise<boolean> {
    const result = await this.db
      .updateTable("sender_identities")
      .set(changes)
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .where("email_key", "=", emailKey)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
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
  ): Promise<SenderIdentityRow | undefined> {
    return db
      .updateTable("sender_identities")
      .set({ is_verified: 1, verified_at: at, updated_at: at })
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .where("email_key", "=", emailKey)
      .where("is_verified", "=", 0)
      .returningAll()
      .executeTakeFirst();
  }

  /** Counts a resend while the identity is pending at `emailKey`; the row as counted, or none. */
  countResend(accountId: string, id: string, emailKey: string, at: string): Promise<SenderIdentityRow | undefined> {
    return this.db
      .updateTable("sender_identities")
      .set((eb) => ({ resends: eb("resends", "+", 1), updated_at: at }))
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .where("email_key", "=", emailKey)
      .where("is_verified", "=", 0)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("sender_identities")
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  countByDomain(accountId: string, domainId: string): Promise<number> {
    return this.db
      .selectFrom("sender_identities")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("account_id", "=", accountId)
      .where("domain_id", "=", domainId)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  }
}

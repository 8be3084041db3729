import { sql } from "kysely";
import type { Db } from "../db/database.js";
import { type Page, type PageRequest, readPage } from "../db/keyset-page.js";
import type { MailboxDomainsTable } from "./tables.js";

export type MailboxDomainRow = MailboxDomainsTable;

/** Where a re-check round is: the last domain it looked at, by (last check or '', id). */
export interface RecheckCursor {
  checked: string;
  id: string;
}

export class MailboxDomainRepository {
  constructor(private readonly db: Db) {}

  async insert(row: MailboxDomainRow): Promise<void> {
    await this.db.insertInto("mailbox_domains").values(row).execute();
  }

  find(accountId: string, id: string): Promise<MailboxDomainRow | undefined> {
    return this.db
      .selectFrom("mailbox_domains")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .executeTakeFirst();
  }

  findMany(accountId: string, ids: string[]): Promise<MailboxDomainRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom("mailbox_domains")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("id", "in", ids)
      .execute();
  }

  findByDomain(accountId: string, domain: string): Promise<MailboxDomainRow | undefined> {
    return this.db
      .selectFrom("mailbox_domains")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("domain", "=", domain)
      .executeTakeFirst();
  }

  list(
    accountId: string,
    status: MailboxDomainRow["status"] | undefined,
    page: PageRequest,
  ): Promise<Page<MailboxDomainRow>> {
    let query = this.db.selectFrom("mailbox_domains").selectAll().where("account_id", "=", accountId);
    if (status) query = query.where("status", "=", status);
    return readPage(query, page);
  }

  /**
   * Stores a check's outcome if the domain still has the status `fromStatus` it was checked from;
   * whether it had. The unique index refuses a second verified owner of a domain. `also` (the event
   * of a new status) runs in the same transaction, and only if the outcome was stored.
   */
  async saveCheck(
    accountId: string,
    id: string,
    fromStatus: MailboxDomainRow["status"],
    changes: Pick<MailboxDomainRow, "status" | "dns_records" | "verified_at" | "last_checked_at" | "updated_at">,
    also?: (db: Db) => Promise<void>,
  ): Promise<boolean> {
    const save = async (db: Db) =>
      (
        await db
          .updateTable("mailbox_domains")
          .set(changes)
          .where("account_id", "=", accountId)
          .where("id", "=", id)
          .where("status", "=", fromStatus)
          .executeTakeFirst()
      ).numUpdatedRows > 0n;
    if (!also) return save(this.db);
    return this.db.transaction().execute(async (trx) => {
      if (!(await save(trx))) return false;
      await also(trx);
      return true;
    });
  }

  /**
   * Domains the background re-check should look at (never checked, or last checked before
   * `before`), `limit` at a time in the order of (last check, id) after `after`: a round pages
   * through them once, and a domain whose check stored nothing (its lookup failed) is behind the
   * cursor rather than first in every batch. Never checked sorts first ('' on both stores).
   */
  due(before: string, after: RecheckCursor, limit: number): Promise<MailboxDomainRow[]> {
    const checked = sql<string>`coalesce(last_checked_at, '')`;
    return this.db
      .selectFrom("mailbox_domains")
      .selectAll()
      .where(checked, "<", before)
      .where((eb) =>
        eb.or([eb(checked, ">", after.checked), eb.and([eb(checked, "=", after.checked), eb("id", ">", after.id)])]),
      )
      .orderBy(checked)
      .orderBy("id")
      .limit(limit)
      .execute();
  }

  /**
   * Claims a domain for a re-check: moves its last check from `from` (as the round read it) to
   * `at`; whether it did. A round that read it too, here or in another process, finds it moved.
   */
  async claimCheck(id: string, from: string | null, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable("mailbox_domains")
      .set({ last_checked_at: at })
      .where("id", "=", id)
      .where(sql<string>`coalesce(last_checked_at, '')`, "=", from ?? "")
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Gives back a claim whose lookup failed: its last check is `from` again, unless stored since. */
  async releaseCheck(id: string, at: string, from: string | null): Promise<void> {
    await this.db
      .updateTable("mailbox_domains")
      .set({ last_checked_at: from })
      .where("id", "=", id)
      .where("last_checked_at", "=", at)
      .execute();
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("mailbox_domains")
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

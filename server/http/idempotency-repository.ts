import { type Db, isUniqueViolation } from "../db/database.js";
import type { IdempotencyKeysTable } from "./idempotency-tables.js";

export type IdempotencyRecord = IdempotencyKeysTable;

/** The idempotency_keys table: one row per (account, key), reserved first, answered later. */
export class IdempotencyRepository {
  constructor(private readonly db: Db) {}

  /** The same queries on another handle (the connection a sweep holds its lock on). */
  in(db: Db): IdempotencyRepository {
    return new IdempotencyRepository(db);
  }

  /** Reserves the key; false when the account already has a row for it. */
  async reserve(record: IdempotencyRecord): Promise<boolean> {
    try {
      await this.db.insertInto("idempotency_keys").values(record).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  find(accountId: string, key: string): Promise<IdempotencyRecord | undefined> {
    return this.db
      .selectFrom("idempotency_keys")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("key", "=", key)
      .executeTakeFirst();
  }

  async answer(
    accountId: string,
    key: string,
    status: number,
    headers: Record<string, string>,
    body: string,
  ): Promise<void> {
    await this.db
      .updateTable("idempotency_keys")
      .set({ status, response_headers: JSON.stringify(headers), response_body: body })
      .where("account_id", "=", accountId)
      .where("key", "=", key)
      .execute();
  }

  /** Deletes the key (its first request failed: a retry runs again). */
  async release(accountId: string, key: string): Promise<void> {
    await this.db.deleteFrom("idempotency_keys").where("account_id", "=", accountId).where("key", "=", key).execute();
  }

  /**
   * Deletes the key if it is past its time: answered before `answeredBefore` (expired), or still
   * unanswered since before `unansweredBefore` (its request was abandoned).
   */
  async releaseExpired(
    accountId: string,
    key: string,
    before: { answeredBefore: string; unansweredBefore: string },
  ): Promise<void> {
    await this.db
      .deleteFrom("idempotency_keys")
      .where("account_id", "=", accountId)
      .where("key", "=", key)
      .where((eb) =>
        eb.or([
          eb("created_at", "<", before.answeredBefore),
          eb.and([eb("status", "is", null), eb("created_at", "<", before.unansweredBefore)]),
        ]),
      )
      .execute();
  }

  /**
   * Deletes up to `limit` keys created before `before` (expired: answered or abandoned long
   * since), oldest first; how many. A batch at a time, so no one statement holds the store long.
   */
  async prune(before: string, limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom("idempotency_keys")
      .where(({ eb, refTuple, selectFrom }) =>
        eb(
          refTuple("account_id", "key"),
          "in",
          selectFrom("idempotency_keys")
            .select(["account_id", "key"])
            .where("created_at", "<", before)
            .orderBy("created_at")
            .limit(limit)
            .$asTuple("account_id", "key"),
        ),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

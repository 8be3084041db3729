import { sql } from "kysely";
import { serializeOn, type Db } from "../db/database.js";
import type { ConfirmationTokensTable, SubjectType } from "../db/schema.js";

export type TokenRow = ConfirmationTokensTable;

/** The confirmation tables. Nothing else reads them; families ask the confirmation service. */
export class ConfirmationStore {
  constructor(private readonly db: Db) {}

  /** Runs `work` in one transaction, serialized with every other one about the same subject. */
  subjectTransaction<T>(type: SubjectType, id: string, work: (store: ConfirmationStore) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await serializeOn(trx, `confirmation:${type}:${id}`);
      return work(new ConfirmationStore(trx));
    });
  }

  /** Sends since `since`, oldest first. */
  async sendsSince(type: SubjectType, id: string, since: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("confirmation_sends")
      .select("sent_at")
      .where("subject_type", "=", type)
      .where("subject_id", "=", id)
      .where("sent_at", ">", since)
      .orderBy("sent_at")
      .execute();
    return rows.map((r) => r.sent_at);
  }

  /** For many subjects at once, in one query: sends since `since`, and the newest send ever. */
  async summaries(type: SubjectType, ids: string[], since: string) {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom("confirmation_sends")
      .select([
        "subject_id",
        sql<number>`sum(case when sent_at > ${since} then 1 else 0 end)`.as("sends"),
        sql<string>`max(sent_at)`.as("last_sent_at"),
      ])
      .where("subject_type", "=", type)
      .where("subject_id", "in", ids)
      .groupBy("subject_id")
      .execute();
  }

  async recordSend(row: { id: string; account_id: string; subject_type: SubjectType; subject_id: string; sent_at: string }, token: TokenRow): Promise<void> {
    await this.db.insertInto("confirmation_sends").values(row).execute();
    await this.db.insertInto("confirmation_tokens").values(token).execute();
  }

  findToken(hash: string): Promise<TokenRow | undefined> {
    return this.db.selectFrom("confirmation_tokens").selectAll().where("token_hash", "=", hash).executeTakeFirst();
  }

  /** Spends every unspent token of the subject. */
  async spendAll(type: SubjectType, id: string, at: string): Promise<void> {
    await this.db.updateTable("confirmation_tokens").set({ spent_at: at }).where("subject_type", "=", type).where("subject_id", "=", id).where("spent_at", "is", null).execute();
  }
}

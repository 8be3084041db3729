import type { Db } from "../db/database.js";
import type { DestinationsTable } from "../db/schema.js";
import { readPage, type Page, type PageRequest } from "../http/pagination.js";

export type DestinationRow = DestinationsTable;

export class DestinationStore {
  constructor(private readonly db: Db) {}

  async insert(row: DestinationRow): Promise<void> {
    await this.db.insertInto("destinations").values(row).execute();
  }

  find(accountId: string, id: string): Promise<DestinationRow | undefined> {
    return this.db.selectFrom("destinations").selectAll().where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
  }

  findByKey(accountId: string, emailKey: string): Promise<DestinationRow | undefined> {
    return this.db.selectFrom("destinations").selectAll().where("account_id", "=", accountId).where("email_key", "=", emailKey).executeTakeFirst();
  }

  list(accountId: string, status: DestinationRow["status"] | undefined, page: PageRequest): Promise<Page<DestinationRow>> {
    let query = this.db.selectFrom("destinations").selectAll().where("account_id", "=", accountId);
    if (status) query = query.where("status", "=", status);
    return readPage(query, page);
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("destinations").where("account_id", "=", accountId).where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

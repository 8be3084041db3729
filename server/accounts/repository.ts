import type { Db } from "../db/database.js";
import { preparedQuery } from "../db/prepared.js";
import type { AccountsTable, ApiKeysTable } from "./tables.js";

// On every authenticated request.
const activeKey = preparedQuery(
  (db: Db, hash: string) =>
    db.selectFrom("api_keys").select("account_id").where("key_hash", "=", hash).where("revoked_at", "is", null),
  1,
);

export class AccountRepository {
  constructor(private readonly db: Db) {}

  count(): Promise<number> {
    return this.db
      .selectFrom("accounts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  }

  findById(id: string): Promise<AccountsTable | undefined> {
    return this.db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findByName(name: string): Promise<AccountsTable | undefined> {
    return this.db.selectFrom("accounts").selectAll().where("name", "=", name).executeTakeFirst();
  }

  async insertAccount(account: AccountsTable): Promise<void> {
    await this.db.insertInto("accounts").values(account).execute();
  }

  /** Inserts the account unless one of that name exists; whether this call inserted it. */
  async insertAccountIfAbsent(account: AccountsTable): Promise<boolean> {
    const result = await this.db
      .insertInto("accounts")
      .values(account)
      .onConflict((oc) => oc.column("name").doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  /** Sets an account's display name; whether the account exists. */
  async setDisplayName(id: string, displayName: string): Promise<boolean> {
    const result = await this.db
      .updateTable("accounts")
      .set({ display_name: displayName })
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  listAccounts(): Promise<AccountsTable[]> {
    return this.db.selectFrom("accounts").selectAll().orderBy("created_at").orderBy("name").execute();
  }

  /**
   * Records that a key was used at `at`, unless it was recorded less than a minute before: one
   * write per key per minute, across processes, whatever the request rate.
   */
  async touchKey(hash: string, at: string, minuteAgo: string): Promise<void> {
    await this.db
      .updateTable("api_keys")
      .set({ last_used_at: at })
      .where("key_hash", "=", hash)
      .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<=", minuteAgo)]))
      .execute();
  }

  async insertKey(key: ApiKeysTable): Promise<void> {
    await this.db.insertInto("api_keys").values(key).execute();
  }

  /** The account of an active key, by the key's hash. */
  async accountForKeyHash(hash: string): Promise<string | undefined> {
    return (await activeKey(this.db, hash))[0]?.account_id;
  }

  listKeys(): Promise<(ApiKeysTable & { account_name: string })[]> {
    return this.db
      .selectFrom("api_keys")
      .innerJoin("accounts", "accounts.id", "api_keys.account_id")
      .selectAll("api_keys")
      .select("accounts.name as account_name")
      .orderBy("api_keys.created_at")
      .execute();
  }

  /** Revokes every key of an account; how many. */
  async revokeKeysOf(accountId: string, at: string): Promise<number> {
    const result = await this.db
      .updateTable("api_keys")
      .set({ revoked_at: at })
      .where("account_id", "=", accountId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Deletes an account; every table that holds its data cascades (their foreign keys). */
  async deleteAccount(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("accounts").where("id", "=", id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Revokes by key id or key prefix; returns how many keys it revoked. */
  async revoke(idOrPrefix: string, at: string): Promise<number> {
    const result = await this.db
      .updateTable("api_keys")
      .set({ revoked_at: at })
      .where((eb) => eb.or([eb("id", "=", idOrPrefix), eb("prefix", "=", idOrPrefix)]))
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

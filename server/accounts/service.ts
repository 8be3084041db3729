import type { Clock } from "../shared/clock.js";
import { iso } from "../shared/clock.js";
import { newId, randomToken, sha256Hex } from "../shared/ids.js";
import type { AccountStore } from "./store.js";

export const KEY_PREFIX = "mp_live_";

export interface CreatedKey {
  accountId: string;
  accountName: string;
  keyId: string;
  /** The key itself: shown once, never stored. */
  key: string;
}

export class AccountService {
  constructor(
    private readonly store: AccountStore,
    private readonly clock: Clock,
  ) {}

  hasAccounts(): Promise<boolean> {
    return this.store.count().then((n) => n > 0);
  }

  /** Creates a key for the named account, creating the account if it does not exist. */
  async createKey(accountName: string): Promise<CreatedKey> {
    const now = iso(this.clock());
    let account = await this.store.findByName(accountName);
    if (!account) {
      account = { id: newId(), name: accountName, created_at: now };
      await this.store.insertAccount(account);
    }
    const key = `${KEY_PREFIX}${randomToken(32)}`;
    const keyId = newId();
    await this.store.insertKey({ id: keyId, account_id: account.id, prefix: key.slice(0, 14), key_hash: sha256Hex(key), created_at: now, revoked_at: null });
    return { accountId: account.id, accountName: account.name, keyId, key };
  }

  /**
   * The account a presented key belongs to, or null. Keys are high-entropy random strings, so a
   * plain SHA-256 is the right hash (a slow password hash would only slow every request).
   */
  async authenticate(key: string): Promise<string | null> {
    return (await this.store.accountForKeyHash(sha256Hex(key))) ?? null;
  }

  listKeys() {
    return this.store.listKeys();
  }

  revoke(idOrPrefix: string): Promise<number> {
    return this.store.revoke(idOrPrefix, iso(this.clock()));
  }
}

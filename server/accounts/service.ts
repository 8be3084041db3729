import type { Clock } from "../shared/clock.js";
import { iso } from "../shared/clock.js";
import { newId, randomToken, sha256Hex } from "../shared/ids.js";
import type { AccountRepository } from "./repository.js";

export const KEY_PREFIX = "mp_live_";

export interface CreatedKey {
  accountId: string;
  accountName: string;
  keyId: string;
  /** The key itself: shown once, never stored. */
  key: string;
}

/**
 * How long a verified key is remembered in this process. Saves a store round trip on every
 * request; the price is that a revoked key keeps working here for at most this long.
 */
export const KEY_CACHE_MS = 1000;

export class AccountService {
  private readonly verified = new Map<string, { accountId: string; until: number }>();

  constructor(
    private readonly repository: AccountRepository,
    private readonly clock: Clock,
  ) {}

  hasAccounts(): Promise<boolean> {
    return this.repository.count().then((n) => n > 0);
  }

  /**
   * On an empty database, the first account (`name`) and its key; null when accounts exist.
   * Processes starting together on one empty database race here: the account's insert decides,
   * and only the process that made it creates (and prints) a key.
   */
  async bootstrap(name: string): Promise<CreatedKey | null> {
    if (await this.hasAccounts()) return null;
    const account = { id: newId(), name, created_at: iso(this.clock()) };
    if (!(await this.repository.insertAccountIfAbsent(account))) return null;
    return this.createKey(name);
  }

  /** Creates a key for the named account, creating the account if it does not exist. */
  async createKey(accountName: string): Promise<CreatedKey> {
    const now = iso(this.clock());
    let account = await this.repository.findByName(accountName);
    if (!account) {
      account = { id: newId(), name: accountName, created_at: now };
      await this.repository.insertAccount(account);
    }
    const key = `${KEY_PREFIX}${randomToken(32)}`;
    const keyId = newId();
    await this.repository.insertKey({
      id: keyId,
      account_id: account.id,
      prefix: key.slice(0, 14),
      key_hash: sha256Hex(key),
      created_at: now,
      revoked_at: null,
    });
    return { accountId: account.id, accountName: account.name, keyId, key };
  }

  /**
   * The account a presented key belongs to, with the key's id for per-key budgets (a prefix of
   * its hash: never the key), or null. Keys are high-entropy random strings, so a plain SHA-256
   * is the right hash (a slow password hash would only slow every request).
   */
  async authenticate(key: string): Promise<{ accountId: string; keyId: string } | null> {
    const hash = sha256Hex(key);
    const keyId = hash.slice(0, 32);
    const now = Date.now();
    const hit = this.verified.get(hash);
    if (hit && hit.until > now) return { accountId: hit.accountId, keyId };
    const accountId = (await this.repository.accountForKeyHash(hash)) ?? null;
    if (this.verified.size >= 10_000) this.verified.clear();
    if (accountId) this.verified.set(hash, { accountId, until: now + KEY_CACHE_MS });
    else this.verified.delete(hash);
    return accountId ? { accountId, keyId } : null;
  }

  async nameOf(accountId: string): Promise<string> {
    return (await this.repository.findById(accountId))?.name ?? "An account";
  }

  listKeys() {
    return this.repository.listKeys();
  }

  revoke(idOrPrefix: string): Promise<number> {
    return this.repository.revoke(idOrPrefix, iso(this.clock()));
  }
}

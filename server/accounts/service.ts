import { setTimeout as sleep } from "node:timers/promises";
import type { components } from "../../generated/schema.js";
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

/**
 * How long this process remembers an account's display name for its mails: a create or resend
 * then reads no account row. A rename by another process (the CLI, another API process) shows in
 * mail within this time; a PATCH here shows at once.
 */
export const DISPLAY_NAME_CACHE_MS = 1000;

/** A key's last use is written at most this often (per process here, per key in the store). */
export const KEY_USE_RESOLUTION_MS = 60_000;

/**
 * The contract's AccountDisplayName: 1 to 100 characters, no control characters or line breaks,
 * no white space at either end, no bidirectional controls. The API's validator applies the
 * contract; the CLI applies this (a unit test holds the two patterns equal).
 */
export const DISPLAY_NAME_PATTERN =
  "^(?=\\S)(?=.*\\S$)[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]+$";
const displayNameRule = new RegExp(DISPLAY_NAME_PATTERN, "u");

export function isDisplayName(value: string): boolean {
  return value.length <= 100 && displayNameRule.test(value);
}

/** The account as the contract shows it to its own keys. */
export type AccountView = components["schemas"]["Account"];

export class AccountService {
  private readonly verified = new Map<string, { accountId: string; until: number }>();
  /** When this process last recorded each key's use (by hash). */
  private readonly recordedUse = new Map<string, number>();
  private readonly displayNames = new Map<string, { name: string; until: number }>();

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
    const account = { id: newId(), name, display_name: name, created_at: iso(this.clock()) };
    if (!(await this.repository.insertAccountIfAbsent(account))) return null;
    return this.createKey(name, { label: "first start" });
  }

  /**
   * Creates a key for the named account, creating the account if it does not exist (its display
   * name is `displayName`, else its name).
   */
  async createKey(accountName: string, options: { label?: string; displayName?: string } = {}): Promise<CreatedKey> {
    const now = iso(this.clock());
    let account = await this.repository.findByName(accountName);
    if (!account) {
      account = { id: newId(), name: accountName, display_name: options.displayName ?? accountName, created_at: now };
      await this.repository.insertAccount(account);
    }
    const key = `${KEY_PREFIX}${randomToken(32)}`;
    const keyId = newId();
    await this.repository.insertKey({
      id: keyId,
      account_id: account.id,
      prefix: key.slice(0, 14),
      key_hash: sha256Hex(key),
      label: options.label ?? null,
      created_at: now,
      last_used_at: null,
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
    if (hit && hit.until > now) {
      this.recordUse(hash);
      return { accountId: hit.accountId, keyId };
    }
    const accountId = (await this.repository.accountForKeyHash(hash)) ?? null;
    if (this.verified.size >= 10_000) this.verified.clear();
    if (accountId) this.verified.set(hash, { accountId, until: now + KEY_CACHE_MS });
    else this.verified.delete(hash);
    if (accountId) this.recordUse(hash);
    return accountId ? { accountId, keyId } : null;
  }

  /**
   * Writes the key's last use, at most once a minute per key: in the background, so no request
   * waits for it (a failed write is tried again on the next request).
   */
  private recordUse(hash: string): void {
    const now = this.clock().getTime();
    if (now - (this.recordedUse.get(hash) ?? Number.NEGATIVE_INFINITY) < KEY_USE_RESOLUTION_MS) return;
    if (this.recordedUse.size >= 10_000) this.recordedUse.clear();
    this.recordedUse.set(hash, now);
    this.repository
      .touchKey(hash, iso(new Date(now)), iso(new Date(now - KEY_USE_RESOLUTION_MS)))
      .catch(() => this.recordedUse.delete(hash));
  }

  /** The name the people we email see: the account's display name. */
  async displayNameOf(accountId: string): Promise<string> {
    const now = Date.now();
    const known = this.displayNames.get(accountId);
    if (known && known.until > now) return known.name;
    const account = await this.repository.findById(accountId);
    if (!account) return "An account";
    const name = account.display_name ?? account.name;
    if (this.displayNames.size >= 10_000) this.displayNames.clear();
    this.displayNames.set(accountId, { name, until: now + DISPLAY_NAME_CACHE_MS });
    return name;
  }

  /** The account as its API key sees it. */
  async view(accountId: string): Promise<AccountView> {
    const account = await this.repository.findById(accountId);
    if (!account) throw new Error(`account ${accountId} is gone`);
    return { id: account.id, display_name: account.display_name ?? account.name, created_at: account.created_at };
  }

  /** Changes what the account's API key may change (its display name). */
  async update(accountId: string, change: { display_name?: string }): Promise<AccountView> {
    if (change.display_name !== undefined) {
      await this.repository.setDisplayName(accountId, change.display_name);
      this.displayNames.delete(accountId);
    }
    return this.view(accountId);
  }

  /** The operator renames an account's display name (CLI); false when no account has that name. */
  async setDisplayNameOf(accountName: string, displayName: string): Promise<boolean> {
    const account = await this.repository.findByName(accountName);
    return account ? this.repository.setDisplayName(account.id, displayName) : false;
  }

  listAccounts() {
    return this.repository.listAccounts();
  }

  listKeys() {
    return this.repository.listKeys();
  }

  /**
   * Deletes the named account with everything it holds (destinations, identities, domains,
   * validations, webhook endpoints, keys: the store's foreign keys cascade); false when there is
   * no such account. Its keys are revoked first and the deletion waits out KEY_CACHE_MS: an API
   * process that still remembered a key would act for an account that is gone.
   */
  async deleteAccount(accountName: string): Promise<boolean> {
    const account = await this.repository.findByName(accountName);
    if (!account) return false;
    await this.repository.revokeKeysOf(account.id, iso(this.clock()));
    await sleep(KEY_CACHE_MS + 100);
    return this.repository.deleteAccount(account.id);
  }

  revoke(idOrPrefix: string): Promise<number> {
    return this.repository.revoke(idOrPrefix, iso(this.clock()));
  }
}

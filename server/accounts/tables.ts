// The accounts family's tables, as Kysely sees them. Each part of the server declares its own
// tables into the one Database interface (module augmentation), so db/ names no family.
declare module "../db/schema.js" {
  interface Database {
    accounts: AccountsTable;
    api_keys: ApiKeysTable;
  }
}

export interface AccountsTable {
  id: string;
  /** The operator's name for the account (CLI, logs); unique. */
  name: string;
  /** What the people we email see; null only in rows written before migration 008. */
  display_name: string | null;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  /** The first characters of the key, shown in listings so a person can tell keys apart. */
  prefix: string;
  /** SHA-256 of the whole key, hex; the key itself is never stored. */
  key_hash: string;
  /** The operator's note on what the key is for (never the key). */
  label: string | null;
  created_at: string;
  /** When the key last authenticated a request, to the minute (written at most once a minute). */
  last_used_at: string | null;
  revoked_at: string | null;
}

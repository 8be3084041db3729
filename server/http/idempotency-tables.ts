// The idempotency middleware's table, as Kysely sees them. Each part of the server declares its own
// tables into the one Database interface (module augmentation), so db/ names no family.
declare module "../db/schema.js" {
  interface Database {
    idempotency_keys: IdempotencyKeysTable;
  }
}

export interface IdempotencyKeysTable {
  account_id: string;
  key: string;
  /** `METHOD path` the key was first used for. */
  scope: string;
  request_hash: string;
  /** null while the first request is still being answered. */
  status: number | null;
  response_headers: string | null;
  response_body: string | null;
  created_at: string;
}

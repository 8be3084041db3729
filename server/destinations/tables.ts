// The destinations family's tables, as Kysely sees them. Each part of the server declares its own
// tables into the one Database interface (module augmentation), so db/ names no family.
declare module "../db/schema.js" {
  interface Database {
    destinations: DestinationsTable;
  }
}

export interface DestinationsTable {
  id: string;
  account_id: string;
  email: string;
  /** Lower-cased address: the account-wide uniqueness key. */
  email_key: string;
  status: "pending" | "verified";
  verified_at: string | null;
  created_at: string;
  updated_at: string;
}

// The sender-identities family's tables, as Kysely sees them. Each part of the server declares its own
// tables into the one Database interface (module augmentation), so db/ names no family.
declare module "../db/schema.js" {
  interface Database {
    sender_identities: SenderIdentitiesTable;
  }
}

export interface SenderIdentitiesTable {
  id: string;
  account_id: string;
  domain_id: string;
  email: string;
  email_key: string;
  name: string;
  reply_to_email: string | null;
  reply_to_name: string | null;
  is_verified: number;
  verified_at: string | null;
  resends: number;
  add_note: number;
  personal_note: string | null;
  created_at: string;
  updated_at: string;
}

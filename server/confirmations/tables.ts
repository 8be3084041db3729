// The confirmations family's tables, as Kysely sees them. Each part of the server declares its own
// tables into the one Database interface (module augmentation), so db/ names no family.
declare module "../db/schema.js" {
  interface Database {
    confirmation_sends: ConfirmationSendsTable;
    confirmation_tokens: ConfirmationTokensTable;
  }
}

export type SubjectType = "destination" | "sender_identity";

export interface ConfirmationSendsTable {
  id: string;
  account_id: string;
  subject_type: SubjectType;
  subject_id: string;
  sent_at: string;
  /** The lower-cased address the mail went to: the per-address caps count by it. */
  email_key: string;
}

export interface ConfirmationTokensTable {
  /** SHA-256 of the token, hex; the token itself exists only in the mail. */
  token_hash: string;
  account_id: string;
  subject_type: SubjectType;
  subject_id: string;
  /** The address the token confirms: a token for an address since changed confirms nothing. */
  email: string;
  expires_at: string;
  spent_at: string | null;
  created_at: string;
}

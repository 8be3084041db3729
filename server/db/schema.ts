import type { components } from "../../generated/schema.js";
// The tables as Kysely sees them. Columns are portable between SQLite and PostgreSQL on purpose:
// times are ISO-8601 UTC text (sortable, exactly what the API shows), booleans are 0/1 integers.

export interface AccountsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  /** The first characters of the key, shown in listings so a person can tell keys apart. */
  prefix: string;
  /** SHA-256 of the whole key, hex; the key itself is never stored. */
  key_hash: string;
  created_at: string;
  revoked_at: string | null;
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

export interface MailboxDomainsTable {
  id: string;
  account_id: string;
  domain: string;
  status: "pending" | "verified" | "failed";
  /** JSON: the records to publish, fixed at creation, with the last check's status and observed values. */
  dns_records: string;
  verified_at: string | null;
  last_checked_at: string | null;
  created_at: string;
  updated_at: string;
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

export interface AppSecretsTable {
  name: string;
  value: string;
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

/** The job statuses are the contract's. */
export type JobStatus = components["schemas"]["ValidationStatus"];

export interface EmailValidationsTable {
  id: string;
  account_id: string;
  status: JobStatus;
  total: number;
  processed: number;
  deliverable: number;
  risky: number;
  undeliverable: number;
  unknown: number;
  /** JSON array of {code, message}. */
  errors: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface ValidationItemsTable {
  validation_id: string;
  email: string;
  chunk: number;
  /** JSON of the result. Rows are written when their chunk is done (migration 005 removed the result-less ones). */
  result: string;
}

export interface ValidationChunksTable {
  validation_id: string;
  chunk: number;
  status: "pending" | "leased" | "done" | "canceled";
  lease_owner: string | null;
  lease_expires_at: string | null;
  attempts: number;
  /** The job's creation time: chunks are claimed oldest job first. */
  created_at: string;
  /** JSON array of the chunk's input addresses (null for chunks finished before migration 005). */
  emails: string | null;
}

export interface Database {
  email_validations: EmailValidationsTable;
  validation_items: ValidationItemsTable;
  validation_chunks: ValidationChunksTable;
  confirmation_sends: ConfirmationSendsTable;
  confirmation_tokens: ConfirmationTokensTable;
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  destinations: DestinationsTable;
  mailbox_domains: MailboxDomainsTable;
  sender_identities: SenderIdentitiesTable;
  idempotency_keys: IdempotencyKeysTable;
  app_secrets: AppSecretsTable;
}

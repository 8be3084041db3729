// The email-validations family's tables, as Kysely sees them. Each part of the server declares its own
// tables into the one Database interface (module augmentation), so db/ names no family.
declare module "../db/schema.js" {
  interface Database {
    email_validations: EmailValidationsTable;
    validation_items: ValidationItemsTable;
    validation_chunks: ValidationChunksTable;
    validation_workers: ValidationWorkersTable;
  }
}

/** A worker's heartbeat: it is alive while `seen_at` is recent. */
export interface ValidationWorkersTable {
  id: string;
  seen_at: string;
  /** When this worker's probes last had their sender refused (within the last hour), if they did. */
  sender_refused_at: string | null;
}

/**
 * A job's status as stored. The contract's ValidationStatus names the same values; the table does
 * not follow the spec by itself: a new status needs a migration.
 */
export type JobStatus = "queued" | "processing" | "completed" | "canceled" | "error";

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
  /** When a chunk of the job was last claimed: claims go to the least recently served account, then job. */
  last_claimed_at: string | null;
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

// The mailbox-domains family's tables, as Kysely sees them. Each part of the server declares its own
// tables into the one Database interface (module augmentation), so db/ names no family.
declare module "../db/schema.js" {
  interface Database {
    mailbox_domains: MailboxDomainsTable;
  }
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

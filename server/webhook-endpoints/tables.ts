// The webhook-endpoints family's tables, as Kysely sees them (declared into db's Database).
declare module "../db/schema.js" {
  interface Database {
    webhook_endpoints: WebhookEndpointsTable;
    webhook_deliveries: WebhookDeliveriesTable;
  }
}

export interface WebhookEndpointsTable {
  id: string;
  account_id: string;
  url: string;
  description: string | null;
  /** JSON array of the subscribed event types. */
  events: string;
  /** 1 or 0 (the same column type on SQLite and PostgreSQL). */
  enabled: number;
  disabled_reason: string | null;
  /**
   * The signing secret is derived from the server's signing key, the endpoint's id and this
   * version (signing.ts), so no secret is stored here; a rotation moves to the next version.
   */
  secret_version: number;
  previous_secret_version: number | null;
  previous_secret_expires_at: string | null;
  /** When the current run of failed attempts began; null after a success. */
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

export type DeliveryStatus = "pending" | "delivered" | "failed";

/** The outbox: one row per event and endpoint, written in the transaction of the change. */
export interface WebhookDeliveriesTable {
  id: string;
  account_id: string;
  endpoint_id: string;
  /** The event's `webhook-id`, shared by its deliveries to each endpoint and kept on every retry. */
  event_id: string;
  event_type: string;
  /** The exact JSON body that is signed and sent. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  response_excerpt: string | null;
  delivered_at: string | null;
  created_at: string;
}

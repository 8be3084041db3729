import { sql } from "kysely";
import { type Db, isPostgres } from "../db/database.js";
import { type Page, type PageRequest, readPage } from "../db/keyset-page.js";
import type { DeliveryStatus, WebhookDeliveriesTable, WebhookEndpointsTable } from "./tables.js";

export type EndpointRow = WebhookEndpointsTable;
export type DeliveryRow = WebhookDeliveriesTable;

/** A claimed delivery with what its attempt needs to know of the endpoint. */
export interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  event_id: string;
  payload: string;
  attempts: number;
  created_at: string;
  url: string;
  secret_version: number;
  previous_secret_version: number | null;
  previous_secret_expires_at: string | null;
  failing_since: string | null;
}

/** What an attempt changes on its delivery. */
export type AttemptRecord = Pick<
  DeliveryRow,
  | "status"
  | "attempts"
  | "next_attempt_at"
  | "last_attempt_at"
  | "last_status_code"
  | "last_error"
  | "response_excerpt"
  | "delivered_at"
>;

export class WebhookEndpointRepository {
  constructor(private readonly db: Db) {}

  async insert(row: EndpointRow): Promise<void> {
    await this.db.insertInto("webhook_endpoints").values(row).execute();
  }

  find(accountId: string, id: string): Promise<EndpointRow | undefined> {
    return this.db
      .selectFrom("webhook_endpoints")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .executeTakeFirst();
  }

  list(accountId: string, page: PageRequest): Promise<Page<EndpointRow>> {
    return readPage(this.db.selectFrom("webhook_endpoints").selectAll().where("account_id", "=", accountId), page);
  }

  /**
   * Changes an endpoint; the endpoint as stored after the change, other fields included (they may
   * have changed since a read), or none if the account has no such endpoint.
   */
  update(accountId: string, id: string, changes: Partial<EndpointRow>): Promise<EndpointRow | undefined> {
    return this.db
      .updateTable("webhook_endpoints")
      .set(changes)
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Moves the endpoint to its next secret version in one statement (right-hand sides read the row
   * as it was), so two concurrent rotations make two versions and each caller gets the one it made.
   */
  rotate(accountId: string, id: string, previousExpiresAt: string, now: string): Promise<EndpointRow | undefined> {
    return this.db
      .updateTable("webhook_endpoints")
      .set((eb) => ({
        secret_version: eb("secret_version", "+", 1),
        previous_secret_version: eb.ref("secret_version"),
        previous_secret_expires_at: previousExpiresAt,
        updated_at: now,
      }))
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Turns an endpoint on with `changes`; if it was off (whatever a read before said: the
   * dispatcher may have turned it off since), its waiting deliveries become due at once. An
   * endpoint that was on keeps its retries' schedule. Its row is locked from the look to the
   * write (PostgreSQL's FOR NO KEY UPDATE, the lock the write takes anyway, so an event's read of
   * the endpoints is not held up; SQLite's writers take turns). The endpoint as stored after;
   * none if gone.
   */
  async enable(
    accountId: string,
    id: string,
    changes: Partial<EndpointRow>,
    now: string,
  ): Promise<EndpointRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const was = await trx
        .selectFrom("webhook_endpoints")
        .select("enabled")
        .where("account_id", "=", accountId)
        .where("id", "=", id)
        .$if(isPostgres(trx), (q) => q.forNoKeyUpdate())
        .executeTakeFirst();
      if (!was) return undefined;
      const stored = await new WebhookEndpointRepository(trx).update(accountId, id, changes);
      // Not one in flight: its attempt sets its next time itself, and the dispatcher holds its row
      // while it wants this endpoint's (finishAttempt); waiting for it here would be a deadlock.
      if (was.enabled === 0)
        await trx
          .updateTable("webhook_deliveries")
          .set({ next_attempt_at: now })
          .where("endpoint_id", "=", id)
          .where("status", "=", "pending")
          .where("lease_owner", "is", null)
          .execute();
      return stored;
    });
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("webhook_endpoints")
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * The account's enabled endpoints, in `db` (the transaction that records an event for them). On
   * PostgreSQL they are kept from being deleted until it commits (FOR KEY SHARE: the dispatcher's
   * updates of them still go ahead): a delete committed between this read and the insert of their
   * deliveries would fail the insert's foreign key, and with it the change that caused the event.
   * SQLite's writers take turns, so nothing comes between there.
   */
  enabledEndpoints(accountId: string, db: Db = this.db): Promise<Pick<EndpointRow, "id" | "events">[]> {
    return db
      .selectFrom("webhook_endpoints")
      .select(["id", "events"])
      .where("account_id", "=", accountId)
      .where("enabled", "=", 1)
      .$if(isPostgres(db), (q) => q.forKeyShare())
      .execute();
  }

  /** Writes deliveries, in `db` (the transaction of the change that caused their event) if given. */
  async insertDeliveries(rows: DeliveryRow[], db: Db = this.db): Promise<void> {
    if (rows.length > 0) await db.insertInto("webhook_deliveries").values(rows).execute();
  }

  deliveries(
    accountId: string,
    endpointId: string,
    status: DeliveryStatus | undefined,
    page: PageRequest,
  ): Promise<Page<DeliveryRow>> {
    let query = this.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("endpoint_id", "=", endpointId);
    if (status) query = query.where("status", "=", status);
    return readPage(query, page);
  }

  findDelivery(accountId: string, endpointId: string, id: string): Promise<DeliveryRow | undefined> {
    return this.db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("endpoint_id", "=", endpointId)
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /**
   * Leases up to `limit` due deliveries, at most one per endpoint and none of an endpoint that has
   * one in flight already: a slow or dead endpoint holds one slot, never the queue. On PostgreSQL
   * concurrent workers skip each other's rows (FOR UPDATE SKIP LOCKED); SQLite runs one
   * transaction at a time.
   */
  claim(owner: string, now: string, leaseUntil: string, limit: number): Promise<ClaimedDelivery[]> {
    return this.db.transaction().execute(async (trx) => {
      const lock = isPostgres(trx) ? sql`for update of d skip locked` : sql``;
      const due = await sql<ClaimedDelivery>`
        select d.id, d.endpoint_id, d.event_id, d.payload, d.attempts, d.created_at, e.url, e.secret_version,
               e.previous_secret_version, e.previous_secret_expires_at, e.failing_since
        from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
        where d.status = 'pending' and d.next_attempt_at <= ${now} and e.enabled = 1
          and (d.lease_expires_at is null or d.lease_expires_at < ${now})
          and not exists (select 1 from webhook_deliveries o where o.endpoint_id = d.endpoint_id
                          and o.status = 'pending' and o.lease_expires_at >= ${now})
        order by d.next_attempt_at, d.id
        limit ${limit * 4} ${lock}`.execute(trx);
      const endpoints = new Set<string>();
      const picked = due.rows.filter((row) => {
        if (endpoints.has(row.endpoint_id) || endpoints.size >= limit) return false;
        endpoints.add(row.endpoint_id);
        return true;
      });
      if (picked.length === 0) return [];
      await trx
        .updateTable("webhook_deliveries")
        .set({ lease_owner: owner, lease_expires_at: leaseUntil })
        .where(
          "id",
          "in",
          picked.map((r) => r.id),
        )
        .execute();
      return picked.map((row) => ({ ...row, attempts: Number(row.attempts) }));
    });
  }

  /**
   * Records an attempt, only while `owner` still holds the lease (a worker whose lease ran out
   * and was reclaimed records nothing), with its effect on the endpoint in the same transaction:
   * a success ends a run of failures; a failure starts one (or continues it), and may disable it.
   */
  finishAttempt(
    owner: string,
    delivery: Pick<ClaimedDelivery, "id" | "endpoint_id">,
    record: AttemptRecord,
    endpoint: { succeeded: true } | { succeeded: false; at: string; disable: string | null },
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const held = await trx
        .updateTable("webhook_deliveries")
        .set({ ...record, lease_owner: null, lease_expires_at: null })
        .where("id", "=", delivery.id)
        .where("lease_owner", "=", owner)
        .where("status", "=", "pending")
        .executeTakeFirst();
      if (held.numUpdatedRows === 0n) return false;
      const update = trx.updateTable("webhook_endpoints").where("id", "=", delivery.endpoint_id);
      if (endpoint.succeeded) await update.set({ failing_since: null }).execute();
      else if (endpoint.disable !== null)
        await update
          .set({ enabled: 0, disabled_reason: endpoint.disable, failing_since: null, updated_at: endpoint.at })
          .execute();
      else await update.set({ failing_since: sql`coalesce(failing_since, ${endpoint.at})` }).execute();
      return true;
    });
  }

  /** Deletes finished deliveries (delivered or failed) created before `before`; how many. */
  async prune(before: string): Promise<number> {
    const result = await this.db
      .deleteFrom("webhook_deliveries")
      .where("status", "in", ["delivered", "failed"])
      .where("created_at", "<", before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Hands a stopping worker's leases back at once. */
  async release(owner: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable("webhook_deliveries")
      .set({ lease_owner: null, lease_expires_at: null })
      .where("id", "in", ids)
      .where("lease_owner", "=", owner)
      .execute();
  }
}

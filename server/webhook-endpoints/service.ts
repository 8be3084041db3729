import { isIP } from "node:net";
import type { components } from "../../generated/schema.js";
import { type Db, isForeignKeyViolation } from "../db/database.js";
import type { Page, PageRequest } from "../db/keyset-page.js";
import { isPrivateAddress } from "../engine/network-guard.js";
import { found, invalidField, notFound, ProblemError } from "../http/problem.js";
import { type Clock, iso } from "../shared/clock.js";
import type { ResolvedAddress } from "../shared/dns.js";
import type { EventData, EventOutbox, SubscribableEventType } from "../shared/events.js";
import { newId, randomToken } from "../shared/ids.js";
import type { DeliveryRow, EndpointRow, WebhookEndpointRepository } from "./repository.js";
import { isLocalhostName } from "./sender.js";
import { endpointSecret } from "./signing.js";
import type { DeliveryStatus } from "./tables.js";

export type WebhookEndpoint = components["schemas"]["WebhookEndpoint"];
export type WebhookDelivery = components["schemas"]["WebhookDelivery"];
type EndpointCreate = components["schemas"]["WebhookEndpointCreate"];
type EndpointUpdate = components["schemas"]["WebhookEndpointUpdate"];

export const EVENT_TYPES: SubscribableEventType[] = [
  "email_validation.completed",
  "email_validation.canceled",
  "email_validation.failed",
  "destination.verified",
  "sender_identity.verified",
  "mailbox_domain.verified",
  "mailbox_domain.failed",
];

/** How long the previous secret still signs after a rotation. */
const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

export interface EndpointSettings {
  allowHttp: boolean;
  allowPrivateNetworks: boolean;
  /** The server's signing key, from which every endpoint's secret is derived (signing.ts). */
  signingKey: () => Promise<string>;
  /** What a host name resolves to now (shared/dns.ts addressResolver). */
  resolve: (host: string) => Promise<ResolvedAddress[]>;
}

/** The account's webhook endpoints, their deliveries, and the outbox every event goes through. */
export class WebhookEndpointService {
  /** Where the families record their events, in the transaction of the change that causes them. */
  readonly outbox: EventOutbox = {
    record: (db, accountId, type, data) => this.record(db, accountId, type, data),
  };

  constructor(
    private readonly repository: WebhookEndpointRepository,
    private readonly clock: Clock,
    private readonly settings: EndpointSettings,
  ) {}

  async create(accountId: string, input: EndpointCreate): Promise<WebhookEndpoint> {
    const url = await this.acceptableUrl(input.url);
    const now = iso(this.clock());
    const row: EndpointRow = {
      id: newId(),
      account_id: accountId,
      url,
      description: input.description ?? null,
      events: JSON.stringify(input.events ?? EVENT_TYPES),
      enabled: 1,
      disabled_reason: null,
      secret_version: 1,
      previous_secret_version: null,
      previous_secret_expires_at: null,
      failing_since: null,
      created_at: now,
      updated_at: now,
    };
    await this.repository.insert(row);
    return this.withSecret(row);
  }

  /**
   * A stored answer to a create, with the endpoint's current secret put back (the idempotency
   * store keeps answers without it); as stored when the endpoint is gone.
   */
  async revealed(accountId: string, stored: unknown): Promise<unknown> {
    const id = (stored as { id?: unknown } | null)?.id;
    const row = typeof id === "string" ? await this.repository.find(accountId, id) : undefined;
    if (!row) return stored;
    return { ...(stored as object), secret: (await this.withSecret(row)).secret };
  }

  async get(accountId: string, id: string): Promise<WebhookEndpoint> {
    return this.present(await this.row(accountId, id));
  }

  async list(accountId: string, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    const result = await this.repository.list(accountId, page);
    return { ...result, items: result.items.map((row) => this.present(row)) };
  }

  /** Changes the fields given; turning an endpoint on makes its waiting deliveries due at once. */
  async update(accountId: string, id: string, input: EndpointUpdate): Promise<WebhookEndpoint> {
    // A 404 before a new URL's name is resolved.
    await this.row(accountId, id);
    const now = iso(this.clock());
    const changes: Partial<EndpointRow> = { updated_at: now };
    if (input.url !== undefined) changes.url = await this.acceptableUrl(input.url);
    if (input.description !== undefined) changes.description = input.description;
    if (input.events !== undefined) changes.events = JSON.stringify(input.events);
    if (input.enabled !== undefined) {
      changes.enabled = input.enabled ? 1 : 0;
      changes.disabled_reason = null;
      changes.failing_since = null;
    }
    // Answered with the endpoint as stored: the dispatcher may have changed it since the read.
    const saved =
      input.enabled === true
        ? await this.repository.enable(accountId, id, changes, now)
        : await this.repository.update(accountId, id, changes);
    if (!saved) throw notFound("webhook endpoint", id);
    return this.present(saved);
  }

  async delete(accountId: string, id: string): Promise<void> {
    if (!(await this.repository.delete(accountId, id))) throw notFound("webhook endpoint", id);
  }

  /** A new secret, shown once; the previous one keeps signing for 24 hours. */
  async rotateSecret(accountId: string, id: string): Promise<WebhookEndpoint> {
    const now = this.clock();
    const overlapUntil = iso(new Date(now.getTime() + ROTATION_OVERLAP_MS));
    const row = await found(this.repository.rotate(accountId, id, overlapUntil, iso(now)), "webhook endpoint", id);
    return this.withSecret(row);
  }

  /** Queues a ping to this endpoint alone. */
  async ping(accountId: string, id: string): Promise<WebhookDelivery> {
    const row = await this.row(accountId, id);
    if (row.enabled === 0)
      throw new ProblemError(
        409,
        "endpoint_disabled",
        `The webhook endpoint ${id} is disabled; enable it before a ping.`,
      );
    const delivery = this.newDelivery(row.account_id, row.id, newEventId(), "ping", {
      endpoint_id: id,
      message: "Hello from mailproof. This endpoint receives events.",
    });
    try {
      await this.repository.insertDeliveries([delivery]);
    } catch (error) {
      // Deleted since the read above: its deliveries' foreign key says so.
      if (isForeignKeyViolation(error)) throw notFound("webhook endpoint", id);
      throw error;
    }
    return presentDelivery(delivery);
  }

  async deliveries(
    accountId: string,
    endpointId: string,
    status: DeliveryStatus | undefined,
    page: PageRequest,
  ): Promise<Page<WebhookDelivery>> {
    await this.row(accountId, endpointId);
    const result = await this.repository.deliveries(accountId, endpointId, status, page);
    return { ...result, items: result.items.map(presentDelivery) };
  }

  async delivery(accountId: string, endpointId: string, id: string): Promise<WebhookDelivery> {
    return presentDelivery(await found(this.repository.findDelivery(accountId, endpointId, id), "delivery", id));
  }

  /** The outbox: one delivery per enabled endpoint of the account that subscribes to `type`. */
  private async record<T extends SubscribableEventType>(
    db: Db,
    accountId: string,
    type: T,
    data: EventData<T>,
  ): Promise<void> {
    const endpoints = (await this.repository.enabledEndpoints(accountId, db)).filter((e) =>
      (JSON.parse(e.events) as string[]).includes(type),
    );
    if (endpoints.length === 0) return;
    const eventId = newEventId();
    const rows = endpoints.map((e) => this.newDelivery(accountId, e.id, eventId, type, data));
    await this.repository.insertDeliveries(rows, db);
  }

  private newDelivery(
    accountId: string,
    endpointId: string,
    eventId: string,
    type: string,
    data: unknown,
  ): DeliveryRow {
    const now = iso(this.clock());
    return {
      id: newId(),
      account_id: accountId,
      endpoint_id: endpointId,
      event_id: eventId,
      event_type: type,
      payload: JSON.stringify({ type, timestamp: now, data }),
      status: "pending",
      attempts: 0,
      next_attempt_at: now,
      lease_owner: null,
      lease_expires_at: null,
      last_attempt_at: null,
      last_status_code: null,
      last_error: null,
      response_excerpt: null,
      delivered_at: null,
      created_at: now,
    };
  }

  /**
   * The URL as stored, or a 422: https (http only where the operator allows it), no credentials,
   * and a host that is not, and does not resolve to, a loopback, private or link-local address.
   * A name that does not resolve yet is accepted: its deliveries fail and are retried, and the
   * same guard runs again on every connection (sender.ts).
   */
  private async acceptableUrl(input: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw invalidField("/url", "must be an absolute URL");
    }
    const schemes = this.settings.allowHttp ? ["https:", "http:"] : ["https:"];
    if (!schemes.includes(url.protocol))
      throw invalidField(
        "/url",
        this.settings.allowHttp ? "must be an https:// or http:// URL" : "must be an https:// URL",
      );
    if (url.username || url.password) throw invalidField("/url", "must not carry a user name or password");
    // The URL parser takes port 0, where no connection can ever be made: every delivery would fail.
    if (url.port === "0") throw invalidField("/url", "must name a port from 1 to 65535");
    if (!this.settings.allowPrivateNetworks) {
      const host = url.hostname.replace(/^\[|\]$/g, "");
      if (isLocalhostName(host))
        throw invalidField("/url", `must not resolve to a loopback, private or link-local address (${host})`);
      // A name of one label (`https://intranet/`, or `https:///hook`, which the URL parser reads as
      // the host `hook`) resolves only through a private network's search domains.
      if (!isIP(host) && !host.replace(/\.$/, "").includes("."))
        throw invalidField("/url", `must name a public host: ${host} is a single label, for a private network`);
      const addresses = isIP(host) ? [host] : (await this.settings.resolve(host)).map((a) => a.address);
      const refused = addresses.find((address) => isPrivateAddress(address));
      if (refused)
        throw invalidField("/url", `must not resolve to a loopback, private or link-local address (${refused})`);
    }
    return url.toString();
  }

  private async withSecret(row: EndpointRow): Promise<WebhookEndpoint> {
    return {
      ...this.present(row),
      secret: endpointSecret(await this.settings.signingKey(), row.id, row.secret_version),
    };
  }

  private present(row: EndpointRow): WebhookEndpoint {
    return presentEndpoint(row, iso(this.clock()));
  }

  private row(accountId: string, id: string): Promise<EndpointRow> {
    return found(this.repository.find(accountId, id), "webhook endpoint", id);
  }
}

/** A Standard Webhooks message id. */
const newEventId = () => `msg_${randomToken(18)}`;

function presentEndpoint(row: EndpointRow, now: string): WebhookEndpoint {
  const overlapping = row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now;
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as WebhookEndpoint["events"],
    enabled: row.enabled === 1,
    disabled_reason: row.disabled_reason,
    previous_secret_expires_at: overlapping ? row.previous_secret_expires_at : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function presentDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpoint_id: row.endpoint_id,
    event_id: row.event_id,
    event_type: row.event_type as WebhookDelivery["event_type"],
    status: row.status,
    attempts: row.attempts,
    last_attempt_at: row.last_attempt_at,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    response_excerpt: row.response_excerpt,
    next_attempt_at: row.next_attempt_at,
    delivered_at: row.delivered_at,
    created_at: row.created_at,
  };
}

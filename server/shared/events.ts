import type { components, webhooks } from "../../generated/schema.js";
import type { Db } from "../db/database.js";

type Schemas = components["schemas"];

/** Every event mailproof sends to webhook endpoints: the bodies of the contract's `webhooks`. */
export type WebhookEvent = {
  [Name in keyof webhooks]: webhooks[Name]["post"]["requestBody"]["content"]["application/json"];
}[keyof webhooks];

export type EventType = WebhookEvent["type"];
/** The events an endpoint subscribes to (a ping is sent on request only). */
export type SubscribableEventType = Schemas["WebhookEventType"];
export type EventData<T extends EventType> = Extract<WebhookEvent, { type: T }>["data"];

/**
 * Where a family records an event: in `db`, the transaction of the change that causes it, so the
 * event exists exactly when the change does (the transactional outbox). The webhook-endpoints
 * family implements it; the families that cause events get it from the composition root.
 */
export interface EventOutbox {
  record<T extends SubscribableEventType>(db: Db, accountId: string, type: T, data: EventData<T>): Promise<void>;
}

/** For processes and tests that deliver no events. */
export const noEvents: EventOutbox = { record: async () => undefined };

// Receiving mailproof's webhooks: the signature check of the Standard Webhooks specification (by
// its reference package) and the event typed as the contract describes it.
import { Webhook } from "standardwebhooks";
import type { webhooks } from "./schema.js";

/**
 * Every event mailproof sends (the bodies of the contract's `webhooks`); narrow on `type`. New
 * types may be added in a minor version.
 */
export type WebhookEvent = {
  [Name in keyof webhooks]: webhooks[Name]["post"]["requestBody"]["content"]["application/json"];
}[keyof webhooks];
export type WebhookEventType = WebhookEvent["type"];

/** Headers as Node (`req.headers`), Fetch (`Headers`) or a plain object carry them. */
export type IncomingHeaders = Headers | Record<string, string | string[] | undefined>;

/** A request that is not a genuine, fresh mailproof event: answer it 400 (or 401) and drop it. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
}

/**
 * The event, once its signature proves it came from mailproof with this endpoint's secret (either
 * secret during a rotation) and its timestamp is within five minutes; else throws
 * `WebhookVerificationError`. Pass the body exactly as received (the raw bytes or text, not
 * re-serialised JSON). Deduplicate on the `webhook-id` header: a retry carries the same one.
 */
export function verifyWebhook(body: string | Uint8Array, headers: IncomingHeaders, secret: string): WebhookEvent {
  const payload = typeof body === "string" ? body : new TextDecoder().decode(body);
  try {
    return new Webhook(secret).verify(payload, plain(headers)) as WebhookEvent;
  } catch (error) {
    // The package's own error class stays inside: users depend on this package's types only.
    throw new WebhookVerificationError(error instanceof Error ? error.message : String(error));
  }
}

function plain(headers: IncomingHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const names = ["webhook-id", "webhook-timestamp", "webhook-signature"];
  for (const name of names) {
    const value =
      headers instanceof Headers ? headers.get(name) : (headers[name] ?? headers[name.toUpperCase()] ?? null);
    if (typeof value === "string") out[name] = value;
    else if (Array.isArray(value) && value.length > 0) out[name] = value.join(" ");
  }
  return out;
}

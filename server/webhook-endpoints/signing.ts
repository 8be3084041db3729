import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";

/**
 * An endpoint's signing secret, in the Standard Webhooks `whsec_` form: HMAC-SHA256 of the
 * endpoint's id and secret version under the server's signing key. Nothing secret is stored per
 * endpoint (a stolen database row signs nothing without the key), the secret can be shown again
 * only to whoever holds the key, and a rotation is a new version.
 */
export function endpointSecret(signingKey: string, endpointId: string, version: number): string {
  const bytes = createHmac("sha256", signingKey).update(`webhook-endpoint:${endpointId}:${version}`).digest();
  return `whsec_${bytes.toString("base64")}`;
}

/**
 * The Standard Webhooks headers of one attempt. During a rotation's overlap the signature header
 * carries a signature per secret (space-separated, as the specification allows), so a receiver
 * with either secret verifies the event.
 */
export function signedHeaders(
  eventId: string,
  payload: string,
  secrets: string[],
  at: Date,
): Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string> {
  return {
    "webhook-id": eventId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(eventId, at, payload)).join(" "),
  };
}

import type { MailproofClient } from "./client.js";
import { retryAfterSeconds, toError } from "./errors.js";
import type { Destination, Problem, SenderIdentity } from "./types.js";

/**
 * What a resend did. A 429 is an expected outcome, not an exception: it says when to try again.
 * Other failures (404, 409, ...) throw MailproofError.
 */
export type ResendOutcome<T> =
  | { sent: true; resource: T }
  | { sent: false; code: "resend_too_soon" | "resend_cap_reached"; retryAfterSeconds: number; problem: Problem };

export async function resendDestination(client: MailproofClient, id: string): Promise<ResendOutcome<Destination>> {
  return outcome(
    await client.POST("/v1/destinations/{destination_id}/resend", { params: { path: { destination_id: id } } }),
  );
}

export async function resendSenderIdentity(
  client: MailproofClient,
  id: string,
): Promise<ResendOutcome<SenderIdentity>> {
  return outcome(
    await client.POST("/v1/sender-identities/{identity_id}/resend", { params: { path: { identity_id: id } } }),
  );
}

function outcome<T>(result: { data?: T; error?: Problem; response: Response }): ResendOutcome<T> {
  const { data, error, response } = result;
  if (response.ok && data !== undefined) return { sent: true, resource: data };
  if (response.status === 429 && error && (error.code === "resend_too_soon" || error.code === "resend_cap_reached")) {
    // The contract requires Retry-After on every 429; 1 s is the safe floor if a proxy dropped it.
    return { sent: false, code: error.code, retryAfterSeconds: retryAfterSeconds(response) ?? 1, problem: error };
  }
  throw toError(response, error);
}

import type { components } from "../../generated/schema.js";
import type { Reply } from "./smtp-session.js";

export type ValidationResult = components["schemas"]["ValidationResult"];
export type Checks = ValidationResult["checks"];
type Reason = ValidationResult["reason"];

const RESULT_OF: Record<Reason, ValidationResult["result"]> = {
  accepted_email: "deliverable",
  catch_all: "risky",
  mailbox_full: "risky",
  disposable_domain: "risky",
  invalid_syntax: "undeliverable",
  invalid_domain: "undeliverable",
  null_mx: "undeliverable",
  no_mail_server: "undeliverable",
  rejected_email: "undeliverable",
  smtputf8_unsupported: "undeliverable",
  dns_error: "unknown",
  greylisted: "unknown",
  smtp_timeout: "unknown",
  smtp_unavailable: "unknown",
  smtp_blocked: "unknown",
  smtp_sender_refused: "unknown",
  smtp_rate_limited: "unknown",
  probe_disabled: "unknown",
  private_network: "unknown",
  unexpected_error: "unknown",
};

export function verdict(
  email: string,
  reason: Reason,
  checks: Checks,
  extra: { catchAll?: boolean | null; didYouMean?: string | null } = {},
): ValidationResult {
  return {
    email,
    result: RESULT_OF[reason],
    reason,
    catch_all: extra.catchAll ?? null,
    did_you_mean: extra.didYouMean ?? null,
    checks,
  };
}

/**
 * Words mail servers use for a limit on us rather than a fact about a mailbox: Postfix's
 * "450 4.7.1 Error: too many recipients" (smtpd_client_recipient_rate_limit) and "421 4.7.0 Error:
 * too many connections", "rate limit exceeded", "throttled", "slow down"...
 */
const RATE_LIMIT = /rate.?limit|too many (recipients|connections|messages|mails|requests|errors)|throttl|slow down/i;

/**
 * An answer that is a limit on the sender (temporary or not): it says nothing about the mailbox, so
 * it never makes an address undeliverable, and waiting a greylist's minute will not clear it.
 */
export function isRateLimit(reply: Reply): boolean {
  // Not in the addresses a server echoes: <x@ratelimit.example>: User unknown is about the mailbox.
  return reply.code >= 400 && reply.code < 600 && RATE_LIMIT.test(reply.message.replace(/<[^>]*>/g, ""));
}

/**
 * A refusal of our sender rather than an answer about the recipient: the enhanced codes for a bad
 * sender address (RFC 3463 x.1.7 syntax, x.1.8 its domain) or Postfix's "Sender address rejected"
 * (its sender restrictions answer at RCPT TO by default, smtpd_delay_reject).
 */
export function isSenderRefusal(reply: Reply): boolean {
  if (reply.code < 400 || reply.code >= 600) return false;
  return /^[45]\.1\.[78](?:\s|$)/.test(reply.message) || /sender address rejected/i.test(reply.message);
}

/**
 * What a mail server's answer to RCPT TO means (the catch-all decided separately). The enhanced
 * status code (RFC 3463), when the server gives one, is more precise than the basic code: a
 * `5.7.x` is a policy refusal of the probe (a blocked sending address, say), which says nothing
 * about the mailbox, and `x.2.2` is a full mailbox whatever the basic code.
 */
export function reasonOfReply(reply: Reply, catchAll: boolean | null): Reason {
  if (reply.code === 250 || reply.code === 251) return catchAll ? "catch_all" : "accepted_email";
  const enhanced = /^[245]\.(\d{1,3})\.(\d{1,3})(?:\s|$)/.exec(reply.message);
  if (enhanced?.[1] === "2" && enhanced[2] === "2") return "mailbox_full";
  if (reply.code >= 500 && enhanced?.[1] === "7") return "smtp_blocked";
  if (isRateLimit(reply)) return "smtp_rate_limited";
  if ([550, 551, 553, 554].includes(reply.code)) return "rejected_email";
  if (reply.code === 452 || reply.code === 552) return "mailbox_full";
  if (reply.code >= 400 && reply.code < 500) return "greylisted";
  return "unexpected_error";
}

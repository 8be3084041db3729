import type { components } from "../../generated/schema.js";
import { ProblemError } from "../http/problem.js";
import { iso } from "../shared/clock.js";

// The rules on confirmation mail, as pure functions of the sends already made and the time: the
// service reads the sends in its transaction, these decide. Times are ISO strings, oldest first
// unless said otherwise.

export type Verification = components["schemas"]["Verification"];

export interface CapSettings {
  /** Minimum time between two mails to one address. */
  minIntervalMs: number;
  /** Mails to one address per rolling 24 hours. */
  capPer24h: number;
  /** Mails of one account per rolling hour (null: no quota). */
  quotaPerHour: number | null;
  /** How long a link works. */
  tokenTtlMs: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;

/**
 * Given an address's sends of the last 24 hours: when the cap stops counting the oldest one that
 * keeps it reached, or null when it is not reached.
 */
export function capFreesAt(sends: string[], capPer24h: number): number | null {
  return sends.length >= capPer24h ? Date.parse(sends[sends.length - capPer24h]!) + DAY_MS : null;
}

/** Throws the 429 when another mail to this address is not allowed at `now`. */
export function checkAddressCaps(recent: string[], now: number, settings: CapSettings): void {
  const last = recent.at(-1);
  if (last) {
    const wait = Date.parse(last) + settings.minIntervalMs - now;
    if (wait > 0) {
      const ago = Math.floor((now - Date.parse(last)) / 1000);
      throw limited("resend_too_soon", wait, `A confirmation mail was sent to this address ${ago} s ago`);
    }
  }
  const freesAt = capFreesAt(recent, settings.capPer24h);
  if (freesAt !== null) {
    const wait = freesAt - now;
    throw limited(
      "resend_cap_reached",
      wait,
      `${recent.length} confirmation mails were sent to this address in the last 24 hours`,
    );
  }
}

/**
 * Throws the 429 when the account sent its quota in the last hour. `nthNewest`: its send that
 * is `quotaPerHour`th from the newest in that hour (undefined: fewer were sent). The quota frees
 * up when that send leaves the hour.
 */
export function checkAccountQuota(nthNewest: string | undefined, now: number, quotaPerHour: number): void {
  if (nthNewest === undefined) return;
  const wait = Date.parse(nthNewest) + HOUR_MS - now;
  throw limited(
    "mail_quota_exceeded",
    wait,
    `This account sent ${quotaPerHour} confirmation mails in the last hour (its quota)`,
  );
}

/** The `verification` of an unverified subject: when the next send is allowed, when its link expires. */
export function pendingVerification(
  now: number,
  lastSentAt: string | null,
  sends: number,
  freesAt: number | null,
  settings: Pick<CapSettings, "minIntervalMs" | "tokenTtlMs">,
): Verification {
  const afterInterval = lastSentAt ? Date.parse(lastSentAt) + settings.minIntervalMs : now;
  return {
    last_sent_at: lastSentAt,
    sends_last_24h: sends,
    next_resend_at: iso(new Date(Math.max(afterInterval, freesAt ?? now, now))),
    expires_at: lastSentAt ? iso(new Date(Date.parse(lastSentAt) + settings.tokenTtlMs)) : null,
  };
}

const seconds = (ms: number) => Math.ceil(ms / 1000);

/** The 429: what was reached, then when the next mail is allowed (the seconds Retry-After says too). */
function limited(code: "resend_too_soon" | "resend_cap_reached" | "mail_quota_exceeded", waitMs: number, what: string) {
  const wait = Math.max(1, seconds(waitMs));
  const detail = `${what}; the next is allowed in ${wait} s.`;
  return new ProblemError(429, code, detail, undefined, { "Retry-After": String(wait) });
}

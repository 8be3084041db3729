import type { components } from "../../generated/schema.js";
import type { Db } from "../db/database.js";
import { ProblemError } from "../http/problem.js";
import { confirmationMessage } from "../mail/confirmation-message.js";
import type { Mailer } from "../mail/mailer.js";
import { type Clock, iso } from "../shared/clock.js";
import { newId, randomToken, sha256Hex } from "../shared/ids.js";
import type { ConfirmationRepository } from "./repository.js";
import type { SubjectType } from "./tables.js";

export type Verification = components["schemas"]["Verification"];

export interface ConfirmationSettings {
  publicUrl: string;
  minIntervalMs: number;
  capPer24h: number;
  tokenTtlMs: number;
  /** Confirmation mails one account may send in a rolling hour. */
  quotaPerHour: number;
}

/** What a family tells the confirmation service about one of its addresses. */
export interface Subject {
  type: SubjectType;
  id: string;
  accountId: string;
  email: string;
  /** What confirming allows, in words for the mail and the page. */
  purpose: string;
  note: string | null;
}

/** How the owning family looks a subject up and marks it verified. */
export interface SubjectHandler {
  find(accountId: string, id: string): Promise<(Subject & { verified: boolean }) | null>;
  markVerified(accountId: string, id: string, at: string): Promise<void>;
}

export type TokenState =
  | { state: "unknown" }
  | { state: "expired"; subject: Subject }
  | { state: "valid" | "already_confirmed"; subject: Subject; accountName: string };

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/**
 * The glue every confirmable family needs: its repository's find and markVerified, and how one of
 * its rows reads as a subject.
 */
export function subjectHandler<Row>(
  repository: {
    find(accountId: string, id: string): Promise<Row | undefined>;
    markVerified(accountId: string, id: string, at: string): Promise<void>;
  },
  describe: (row: Row) => Subject & { verified: boolean },
): SubjectHandler {
  return {
    find: async (accountId, id) => {
      const row = await repository.find(accountId, id);
      return row ? describe(row) : null;
    },
    markVerified: (accountId, id, at) => repository.markVerified(accountId, id, at),
  };
}

export class ConfirmationService {
  constructor(
    private readonly repository: ConfirmationRepository,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly settings: ConfirmationSettings,
    private readonly accountName: (accountId: string) => Promise<string>,
    /** How each confirmable family finds its subjects and marks them verified. */
    private readonly handlers: Record<SubjectType, SubjectHandler>,
  ) {}

  /**
   * Sends a confirmation mail if the caps allow it, else a 429 with Retry-After, and changes
   * nothing. Every mail passes here: a create, an email change and a resend alike. The caps count
   * the account's mails to the address (whichever resource sent them, deleted ones included), the
   * quota the account's mails in the last hour. `write`, the family's own change (the insert of a
   * new resource, say), runs in the same transaction first: a refused mail leaves no resource
   * behind, and a resource never exists without its mail. Sends of one account are serialized, so
   * concurrent calls cannot both pass a check.
   */
  async send(subject: Subject, write?: (db: Db) => Promise<void>): Promise<Verification> {
    const token = randomToken(32);
    const emailKey = subject.email.toLowerCase();
    const { now, recent } = await this.repository.accountTransaction(subject.accountId, async (tx, trx) => {
      await write?.(trx);
      // The time is read once the lock is held: a request that waited must not judge the caps
      // with a time earlier than the send it waited for.
      const now = this.clock();
      const recent = await tx.sendsToAddressSince(subject.accountId, emailKey, iso(new Date(now.getTime() - DAY_MS)));
      this.checkCaps(recent, now);
      this.checkQuota(
        await tx.newestAccountSends(
          subject.accountId,
          iso(new Date(now.getTime() - HOUR_MS)),
          this.settings.quotaPerHour,
        ),
        now,
      );
      await tx.recordSend(
        {
          id: newId(),
          account_id: subject.accountId,
          subject_type: subject.type,
          subject_id: subject.id,
          email_key: emailKey,
          sent_at: iso(now),
        },
        {
          token_hash: sha256Hex(token),
          account_id: subject.accountId,
          subject_type: subject.type,
          subject_id: subject.id,
          email: emailKey,
          expires_at: iso(new Date(now.getTime() + this.settings.tokenTtlMs)),
          spent_at: null,
          created_at: iso(now),
        },
      );
      return { now, recent };
    });
    const link = `${this.settings.publicUrl}/confirm/${token}`;
    const accountName = await this.accountName(subject.accountId);
    this.mailer.send(
      confirmationMessage({
        to: subject.email,
        link,
        expiresAt: iso(new Date(now.getTime() + this.settings.tokenTtlMs)),
        accountName,
        purpose: subject.purpose,
        note: subject.note,
      }),
    );
    // What `verifications` would now read back, known without asking the store again.
    const sends = [...recent, iso(now)];
    return this.pending(now.getTime(), iso(now), sends.length, this.capFreesAt(sends) ?? now.getTime());
  }

  private checkCaps(recent: string[], now: Date): void {
    const last = recent.at(-1);
    if (last) {
      const wait = Date.parse(last) + this.settings.minIntervalMs - now.getTime();
      const ago = Math.floor((now.getTime() - Date.parse(last)) / 1000);
      if (wait > 0) {
        const next = Math.ceil(wait / 1000);
        const detail = `A confirmation mail was sent to this address ${ago} s ago; the next is allowed in ${next} s.`;
        throw limited("resend_too_soon", wait, detail);
      }
    }
    const freesAt = this.capFreesAt(recent);
    if (freesAt !== null) {
      const wait = freesAt - now.getTime();
      throw limited(
        "resend_cap_reached",
        wait,
        `${recent.length} confirmation mails were sent to this address in the last 24 hours; the next ` +
          `one is allowed in ${Math.ceil(wait / 1000)} s.`,
      );
    }
  }

  /** `newest`: the account's newest sends of the last hour, at most the quota, newest first. */
  private checkQuota(newest: string[], now: Date): void {
    const quota = this.settings.quotaPerHour;
    if (newest.length < quota) return;
    // The quota frees up when the oldest of the newest `quota` sends leaves the hour.
    const wait = Date.parse(newest[quota - 1]!) + HOUR_MS - now.getTime();
    throw limited(
      "mail_quota_exceeded",
      wait,
      `This account sent ${quota} confirmation mails in the last hour (its quota); the next one is ` +
        `allowed in ${Math.ceil(wait / 1000)} s.`,
    );
  }

  /** The `verification` objects of many subjects of one account, from the sends to their addresses. */
  async verifications(
    accountId: string,
    subjects: { id: string; email: string; verified: boolean }[],
  ): Promise<Map<string, Verification>> {
    const now = this.clock().getTime();
    const since = iso(new Date(now - DAY_MS));
    const keys = [...new Set(subjects.map((s) => s.email.toLowerCase()))];
    const sent = new Map((await this.repository.summaries(accountId, keys, since)).map((r) => [r.email_key, r]));
    const result = new Map<string, Verification>();
    for (const { id, email, verified } of subjects) {
      const summary = sent.get(email.toLowerCase());
      const lastSentAt = summary?.last_sent_at ?? null;
      const sends = Number(summary?.sends ?? 0);
      if (verified) {
        result.set(id, { last_sent_at: lastSentAt, sends_last_24h: sends, next_resend_at: null, expires_at: null });
        continue;
      }
      // Only an address at its cap needs its sends listed, to know when the oldest leaves the window.
      const freesAt =
        sends >= this.settings.capPer24h
          ? this.capFreesAt(await this.repository.sendsToAddressSince(accountId, email.toLowerCase(), since))
          : null;
      result.set(id, this.pending(now, lastSentAt, sends, freesAt ?? now));
    }
    return result;
  }

  /** The `verification` of an unverified subject: when the next send is allowed, when its link expires. */
  private pending(now: number, lastSentAt: string | null, sends: number, capFreesAt: number): Verification {
    const afterInterval = lastSentAt ? Date.parse(lastSentAt) + this.settings.minIntervalMs : now;
    return {
      last_sent_at: lastSentAt,
      sends_last_24h: sends,
      next_resend_at: iso(new Date(Math.max(afterInterval, capFreesAt, now))),
      expires_at: lastSentAt ? iso(new Date(Date.parse(lastSentAt) + this.settings.tokenTtlMs)) : null,
    };
  }

  /**
   * Given the sends of the last 24 hours (oldest first): when the cap stops counting the oldest
   * one that keeps it reached, or null when it is not reached.
   */
  private capFreesAt(sends: string[]): number | null {
    const cap = this.settings.capPer24h;
    return sends.length >= cap ? Date.parse(sends[sends.length - cap]!) + DAY_MS : null;
  }

  /** What a token names, for the page; changes nothing (mail scanners open links). */
  async inspect(token: string): Promise<TokenState> {
    const row = await this.repository.findToken(sha256Hex(token));
    const handler = row && this.handlers[row.subject_type];
    const subject = row && handler ? await handler.find(row.account_id, row.subject_id) : null;
    // A deleted address, or one whose email changed since the mail: the link names nothing.
    if (!row || !subject || subject.email.toLowerCase() !== row.email) return { state: "unknown" };
    const accountName = await this.accountName(row.account_id);
    if (subject.verified) return { state: "already_confirmed", subject, accountName };
    if (row.spent_at !== null || Date.parse(row.expires_at) <= this.clock().getTime())
      return { state: "expired", subject };
    return { state: "valid", subject, accountName };
  }

  /** Confirms the address the token names and spends every token of it. Idempotent. */
  async confirm(token: string): Promise<TokenState> {
    const state = await this.inspect(token);
    if (state.state !== "valid") return state;
    const at = iso(this.clock());
    // Verified first, then spent: a crash in between leaves a verified address whose other links
    // say "already confirmed", never a spent link with nothing confirmed.
    await this.handlers[state.subject.type].markVerified(state.subject.accountId, state.subject.id, at);
    await this.repository.spendAll(state.subject.type, state.subject.id, at);
    return state;
  }
}

function limited(
  code: "resend_too_soon" | "resend_cap_reached" | "mail_quota_exceeded",
  waitMs: number,
  detail: string,
): ProblemError {
  return new ProblemError(429, code, detail, undefined, {
    "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))),
  });
}

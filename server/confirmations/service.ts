import type { Db } from "../db/database.js";
import { ProblemError } from "../http/problem.js";
import { confirmationMessage } from "../mail/confirmation-message.js";
import type { Mailer } from "../mail/mailer.js";
import { type Clock, iso } from "../shared/clock.js";
import { newId, randomToken, sha256Hex } from "../shared/ids.js";
import {
  type CapSettings,
  capFreesAt,
  checkAccountQuota,
  checkAddressCaps,
  DAY_MS,
  HOUR_MS,
  pendingVerification,
  type Verification,
} from "./caps.js";
import type { ConfirmationRepository, SendSummary } from "./repository.js";
import type { SubjectType } from "./tables.js";

export { type SendSummary, sendSummaryColumns } from "./repository.js";
export type { Verification };

/** When a request reads verifications: its time, and where the 24 hours its sends count begin. */
export interface VerificationWindow {
  now: number;
  since: string;
}

export interface ConfirmationSettings extends CapSettings {
  publicUrl: string;
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
  /**
   * In `db`, the confirmation's transaction: the family's change and its event commit with the
   * spent tokens. Only while the subject is pending and still has the address `emailKey` (the
   * link's): whether it was marked.
   */
  markVerified(accountId: string, id: string, emailKey: string, at: string, db: Db): Promise<boolean>;
}

/** A resend's answer for an address confirmed already (409), of either family. */
export function alreadyConfirmed(email: string, verifiedAt: string | null): ProblemError {
  return new ProblemError(409, "already_verified", `${email} was confirmed at ${verifiedAt ?? "an earlier time"}.`);
}

export type TokenState =
  | { state: "unknown" }
  | { state: "expired"; subject: Subject }
  | { state: "valid" | "already_confirmed"; subject: Subject; accountName: string };

/**
 * The glue every confirmable family needs: its repository's find and markVerified, how one of its
 * rows reads as a subject, and what else happens when one is verified (its event), in the same
 * transaction.
 */
export function subjectHandler<Row>(
  repository: {
    find(accountId: string, id: string): Promise<Row | undefined>;
    markVerified(accountId: string, id: string, emailKey: string, at: string, db: Db): Promise<Row | undefined>;
  },
  describe: (row: Row) => Subject & { verified: boolean },
  onVerified: (db: Db, row: Row) => Promise<void>,
): SubjectHandler {
  return {
    find: async (accountId, id) => {
      const row = await repository.find(accountId, id);
      return row ? describe(row) : null;
    },
    markVerified: async (accountId, id, emailKey, at, db) => {
      const row = await repository.markVerified(accountId, id, emailKey, at, db);
      if (row) await onVerified(db, row);
      return row !== undefined;
    },
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
      const quota = this.settings.quotaPerHour;
      const { addressSends: recent, nthNewest } = await tx.capInputs(
        subject.accountId,
        emailKey,
        iso(new Date(now.getTime() - DAY_MS)),
        quota === null ? null : { since: iso(new Date(now.getTime() - HOUR_MS)), n: quota },
      );
      checkAddressCaps(recent, now.getTime(), this.settings);
      if (quota !== null) checkAccountQuota(nthNewest, now.getTime(), quota);
      await tx.recordSend(
        {
          id: newId(),
          account_id: subject.accountId,
          subject_type: subject.type,
          subject_id: subject.id,
          email_key: emailKey,
          sent_at: iso(now),
        },
        { token_hash: sha256Hex(token), expires_at: iso(new Date(now.getTime() + this.settings.tokenTtlMs)) },
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
        resource: { type: subject.type, id: subject.id },
      }),
    );
    // What `verifications` would now read back, known without asking the store again.
    const sends = [...recent, iso(now)];
    return pendingVerification(
      now.getTime(),
      iso(now),
      sends.length,
      capFreesAt(sends, this.settings.capPer24h),
      this.settings,
    );
  }

  /** When verifications are read: now, and the start of the 24 hours whose sends they count. */
  verificationWindow(): VerificationWindow {
    const now = this.clock().getTime();
    return { now, since: iso(new Date(now - DAY_MS)) };
  }

  /**
   * A subject's `verification`, from the summary of its address's sends that its family read
   * beside it (sendSummaryColumns, with the window's `since`).
   */
  async verificationOf(
    accountId: string,
    subject: { email: string; verified: boolean },
    { sends_since, last_sent_at }: SendSummary,
    { now, since }: VerificationWindow,
  ): Promise<Verification> {
    const sends = Number(sends_since);
    if (subject.verified) return { last_sent_at, sends_last_24h: sends, next_resend_at: null, expires_at: null };
    // Only an address at its cap needs its sends listed, to know when the oldest leaves the window.
    const { capPer24h } = this.settings;
    const freesAt =
      sends >= capPer24h
        ? capFreesAt(
            await this.repository.sendsToAddressSince(accountId, subject.email.toLowerCase(), since),
            capPer24h,
          )
        : null;
    return pendingVerification(now, last_sent_at, sends, freesAt, this.settings);
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
    // One transaction: the address verified, its event recorded and every link spent, or nothing.
    // What was looked at above may have changed since (the look is outside the transaction): the
    // subject is marked only if it is still pending at the link's address. Otherwise the link
    // confirms nothing, spends nothing (a new address's link stays good) and is looked at again.
    const { type, id, accountId, email } = state.subject;
    const marked = await this.repository.accountTransaction(accountId, async (tx, trx) => {
      if (!(await this.handlers[type].markVerified(accountId, id, email.toLowerCase(), at, trx))) return false;
      await tx.spendAll(type, id, at);
      return true;
    });
    if (marked) return state;
    const now = await this.inspect(token);
    // Not marked, yet still valid, would take a store whose addresses and keys disagree: the page
    // must not say confirmed when nothing was.
    return now.state === "valid" ? { state: "unknown" } : now;
  }
}

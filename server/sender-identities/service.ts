import type { components } from "../../generated/schema.js";
import {
  alreadyConfirmed,
  type ConfirmationService,
  type Verification,
  type VerificationWindow,
} from "../confirmations/service.js";
import { type Db, isForeignKeyViolation } from "../db/database.js";
import type { Page, PageRequest } from "../db/keyset-page.js";
import { found, invalidField, notFound, unlessTaken } from "../http/problem.js";
import type { MailboxDomain, MailboxDomainService } from "../mailbox-domains/service.js";
import { type Clock, iso } from "../shared/clock.js";
import { addressKey, normalizeAddress, splitAddress, unsendableAddress } from "../shared/email.js";
import { newId } from "../shared/ids.js";
import { identitySubject } from "./confirmable.js";
import type { SenderIdentityRead, SenderIdentityRepository, SenderIdentityRow } from "./repository.js";

export type SenderIdentity = components["schemas"]["SenderIdentity"];
type CreateInput = components["schemas"]["SenderIdentityCreate"];
type UpdateInput = components["schemas"]["SenderIdentityUpdate"];

/** How often an update or a resend starts again when the identity's address changed meanwhile. */
const ADDRESS_ATTEMPTS = 5;

/** The identity's address changed between a read and the write that relied on it. */
class AddressChanged extends Error {}

/** `once` again while it finds the address it read changed: each retry follows another request's change. */
async function whileAddressMoves<T>(id: string, once: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once();
    } catch (error) {
      if (!(error instanceof AddressChanged)) throw error;
      if (attempt === ADDRESS_ATTEMPTS) throw new Error(`sender identity ${id} changed under ${attempt} attempts`);
    }
  }
}

export class SenderIdentityService {
  constructor(
    private readonly repository: SenderIdentityRepository,
    private readonly domains: MailboxDomainService,
    private readonly confirmations: ConfirmationService,
    private readonly clock: Clock,
  ) {}

  async create(accountId: string, input: CreateInput): Promise<SenderIdentity> {
    checkSingleLine(input);
    checkSendable(input);
    const domain = await this.ownDomain(accountId, input.domain_id);
    const email = emailOnDomain(input.email, domain);
    const now = iso(this.clock());
    const row: SenderIdentityRow = {
      id: newId(),
      account_id: accountId,
      domain_id: domain.id,
      email,
      email_key: addressKey(email),
      name: input.name,
      reply_to_email: replyTo(input.reply_to_email),
      reply_to_name: input.reply_to_name ?? null,
      is_verified: 0,
      verified_at: null,
      resends: 0,
      add_note: input.add_note ? 1 : 0,
      personal_note: input.personal_note ?? null,
      created_at: now,
      updated_at: now,
    };
    // The insert joins the send's transaction: a refused mail (429) leaves no identity.
    const verification = await this.write(accountId, email, () =>
      this.confirmations.send(identitySubject(row), (db) => this.repository.in(db).insert(row)),
    );
    return present(row, domain, verification);
  }

  /**
   * Another confirmation mail, counted in `resends`, within the caps; 409 once verified. Counted
   * and sent only while the identity is pending at the address it was read with (in the send's
   * transaction, under the account's lock that a confirmation takes too): one confirmed or deleted
   * since gets no mail; one whose address an update changed is resent to its new address.
   */
  resend(accountId: string, id: string): Promise<SenderIdentity> {
    return whileAddressMoves(id, () => this.resendOnce(accountId, id));
  }

  private async resendOnce(accountId: string, id: string): Promise<SenderIdentity> {
    const row = await this.row(accountId, id);
    if (row.is_verified === 1) throw alreadyConfirmed(row.email, row.verified_at);
    const at = iso(this.clock());
    let counted: SenderIdentityRow | undefined;
    const verification = await this.confirmations.send(identitySubject(row), async (db) => {
      const repository = this.repository.in(db);
      counted = await repository.countResend(accountId, id, row.email_key, at);
      if (counted) return;
      const now = await repository.find(accountId, id);
      if (!now) throw notFound("sender identity", id);
      if (now.is_verified === 1) throw alreadyConfirmed(now.email, now.verified_at);
      throw new AddressChanged();
    });
    // As counted: concurrent resends each answer with their own count.
    const stored = counted!;
    return present(stored, await this.ownDomain(accountId, stored.domain_id), verification);
  }

  /**
   * PUT: the fields given replace the stored ones; a new email starts a new confirmation. An
   * update is computed from the identity as read and written only while it still has the address
   * it was read with: another update may have moved it since (and the new address been
   * confirmed), and writing the old address back would keep that confirmation for an address
   * nobody confirmed. Then it is computed again from what is there now.
   */
  async update(accountId: string, id: string, input: UpdateInput): Promise<SenderIdentity> {
    checkSingleLine(input);
    checkSendable(input);
    return whileAddressMoves(id, () => this.updateOnce(accountId, id, input));
  }

  /** The update; AddressChanged if the identity's address changed between its read and its write. */
  private async updateOnce(accountId: string, id: string, input: UpdateInput): Promise<SenderIdentity> {
    // Read with its sends: an update that keeps the address answers with the same verification.
    const window = this.confirmations.verificationWindow();
    const row = await found(this.repository.findWithSends(accountId, id, window.since), "sender identity", id);
    const domain = await this.ownDomain(accountId, input.domain_id ?? row.domain_id);
    const email = emailOnDomain(input.email ?? row.email, domain);
    const emailChanged = addressKey(email) !== row.email_key;
    const changes: Partial<SenderIdentityRow> = {
      domain_id: domain.id,
      email,
      email_key: addressKey(email),
      ...(input.name !== undefined && { name: input.name }),
      ...(input.reply_to_email !== undefined && { reply_to_email: replyTo(input.reply_to_email) }),
      ...(input.reply_to_name !== undefined && { reply_to_name: input.reply_to_name }),
      ...(input.add_note !== undefined && { add_note: input.add_note ? 1 : 0 }),
      ...(input.personal_note !== undefined && { personal_note: input.personal_note }),
      ...(emailChanged && { is_verified: 0, verified_at: null }),
      updated_at: iso(this.clock()),
    };
    const { sends_since, last_sent_at, ...stored } = row;
    const updated = { ...stored, ...changes };
    const update = async (db?: Db) => {
      const repository = db ? this.repository.in(db) : this.repository;
      if (!(await repository.update(accountId, id, row.email_key, changes))) throw new AddressChanged();
    };
    if (!emailChanged) {
      await this.write(accountId, email, () => update());
      return this.present({ ...updated, sends_since, last_sent_at }, domain, window);
    }
    // A new address gets a confirmation mail within the same caps and quota as any other; when
    // they refuse it (429), the identity keeps its old address. The write runs first in the
    // send's transaction: when it finds the address changed, nothing is sent.
    const verification = await this.write(accountId, email, () =>
      this.confirmations.send(identitySubject(updated), update),
    );
    return present(updated, domain, verification);
  }

  async get(accountId: string, id: string): Promise<SenderIdentity> {
    const window = this.confirmations.verificationWindow();
    const row = await found(this.repository.findWithSends(accountId, id, window.since), "sender identity", id);
    return this.present(row, await this.ownDomain(accountId, row.domain_id), window);
  }

  async list(
    accountId: string,
    filter: { domain_id?: string | undefined; email?: string | undefined },
    page: PageRequest,
  ): Promise<Page<SenderIdentity>> {
    const window = this.confirmations.verificationWindow();
    const emailKey = filter.email === undefined ? undefined : addressKey(filter.email);
    const result = await this.repository.list(accountId, { domainId: filter.domain_id, emailKey }, page, window.since);
    const domains = await this.domains.byIds(
      accountId,
      result.items.map((r) => r.domain_id),
    );
    return {
      ...result,
      items: await Promise.all(result.items.map((r) => this.present(r, domains.get(r.domain_id)!, window))),
    };
  }

  async delete(accountId: string, id: string): Promise<void> {
    if (!(await this.repository.delete(accountId, id))) throw notFound("sender identity", id);
  }

  private async present(
    row: SenderIdentityRead,
    domain: MailboxDomain,
    window: VerificationWindow,
  ): Promise<SenderIdentity> {
    const subject = { email: row.email, verified: row.is_verified === 1 };
    return present(row, domain, await this.confirmations.verificationOf(row.account_id, subject, row, window));
  }

  private row(accountId: string, id: string): Promise<SenderIdentityRow> {
    return found(this.repository.find(accountId, id), "sender identity", id);
  }

  private async ownDomain(accountId: string, domainId: string): Promise<MailboxDomain> {
    const domain = (await this.domains.byIds(accountId, [domainId])).get(domainId);
    if (!domain) throw invalidField("/domain_id", "is not one of this account's mailbox domains");
    return domain;
  }

  /** Runs an insert or update, turning the store's constraint errors into the documented answers. */
  private async write<T>(accountId: string, email: string, action: () => Promise<T>): Promise<T> {
    const taken = {
      what: `the sender identity ${email}`,
      holder: () => this.repository.findByKey(accountId, addressKey(email)),
    };
    try {
      return await unlessTaken(action, taken);
    } catch (error) {
      if (isForeignKeyViolation(error)) throw invalidField("/domain_id", "was deleted meanwhile");
      throw error;
    }
  }
}

/** The email normalized, provided its domain is the mailbox domain's name. */
function emailOnDomain(email: string, domain: MailboxDomain): string {
  const normalized = normalizeAddress(email);
  if (splitAddress(normalized)?.domain !== domain.domain)
    throw invalidField("/email", `must be an address on ${domain.domain}`);
  return normalized;
}

/** A Reply-To address as stored and shown: its domain in ASCII, as every address of ours. */
function replyTo(address: string | null | undefined): string | null {
  return address == null ? null : normalizeAddress(address);
}

/** The From and Reply-To addresses must be ones mail can be sent to (shared/email.ts). */
function checkSendable(input: { email?: string; reply_to_email?: string | null }): void {
  for (const field of ["email", "reply_to_email"] as const) {
    const address = input[field];
    const unsendable = address == null ? null : unsendableAddress(address);
    if (unsendable !== null) throw invalidField(`/${field}`, unsendable);
  }
}

/** Names end up in mail headers: a line break there would let a caller inject headers. */
function checkSingleLine(input: { name?: string; reply_to_name?: string | null }): void {
  for (const field of ["name", "reply_to_name"] as const) {
    if (/[\r\n]/.test(input[field] ?? "")) throw invalidField(`/${field}`, "must not contain line breaks");
  }
}

function present(row: SenderIdentityRow, domain: MailboxDomain, verification: Verification): SenderIdentity {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    reply_to_email: row.reply_to_email,
    reply_to_name: row.reply_to_name,
    is_verified: row.is_verified === 1,
    verified_at: row.verified_at,
    resends: row.resends,
    add_note: row.add_note === 1,
    personal_note: row.personal_note,
    verification,
    domain: { id: domain.id, name: domain.domain, created_at: domain.created_at, updated_at: domain.updated_at },
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

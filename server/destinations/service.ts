import type { components } from "../../generated/schema.js";
import {
  alreadyConfirmed,
  type ConfirmationService,
  type Verification,
  type VerificationWindow,
} from "../confirmations/service.js";
import type { Db } from "../db/database.js";
import type { Page, PageRequest } from "../db/keyset-page.js";
import { found, invalidField, notFound, unlessTaken } from "../http/problem.js";
import { type Clock, iso } from "../shared/clock.js";
import { addressKey, normalizeAddress, unsendableAddress } from "../shared/email.js";
import { newId } from "../shared/ids.js";
import { destinationSubject } from "./confirmable.js";
import type { DestinationRead, DestinationRepository, DestinationRow } from "./repository.js";

export type Destination = components["schemas"]["Destination"];

export class DestinationService {
  constructor(
    private readonly repository: DestinationRepository,
    private readonly confirmations: ConfirmationService,
    private readonly clock: Clock,
  ) {}

  async create(accountId: string, email: string): Promise<Destination> {
    const unsendable = unsendableAddress(email);
    if (unsendable !== null) throw invalidField("/email", unsendable);
    const now = iso(this.clock());
    const address = normalizeAddress(email);
    const row: DestinationRow = {
      id: newId(),
      account_id: accountId,
      email: address,
      email_key: addressKey(address),
      status: "pending",
      verified_at: null,
      created_at: now,
      updated_at: now,
    };
    // The insert joins the send's transaction: a refused mail (429) leaves no destination.
    const verification = await unlessTaken(
      () => this.confirmations.send(destinationSubject(row), (db) => this.repository.in(db).insert(row)),
      { what: address, holder: () => this.repository.findByKey(accountId, row.email_key) },
    );
    return present(row, verification);
  }

  /** Another confirmation mail, within the caps (429 otherwise); 409 once verified. */
  async resend(accountId: string, id: string): Promise<Destination> {
    const row = await this.row(accountId, id);
    if (row.status === "verified") throw alreadyConfirmed(row.email, row.verified_at);
    // Looked at again in the send's transaction, under the account's lock, which a confirmation
    // takes too: one confirmed or deleted since the read gets no mail, and no send is counted. (A
    // delete during the transaction comes after the mail, as one a moment later would.)
    const stillPending = async (db: Db) => {
      const now = await this.repository.in(db).find(accountId, id);
      if (!now) throw notFound("destination", id);
      if (now.status === "verified") throw alreadyConfirmed(now.email, now.verified_at);
    };
    return present(row, await this.confirmations.send(destinationSubject(row), stillPending));
  }

  async get(accountId: string, id: string): Promise<Destination> {
    const window = this.confirmations.verificationWindow();
    const row = await found(this.repository.findWithSends(accountId, id, window.since), "destination", id);
    return this.present(row, window);
  }

  async list(
    accountId: string,
    filter: { status?: Destination["status"] | undefined; email?: string | undefined },
    page: PageRequest,
  ): Promise<Page<Destination>> {
    const window = this.confirmations.verificationWindow();
    const emailKey = filter.email === undefined ? undefined : addressKey(filter.email);
    const result = await this.repository.list(accountId, { status: filter.status, emailKey }, page, window.since);
    return { ...result, items: await Promise.all(result.items.map((r) => this.present(r, window))) };
  }

  async delete(accountId: string, id: string): Promise<void> {
    if (!(await this.repository.delete(accountId, id))) throw notFound("destination", id);
  }

  private row(accountId: string, id: string): Promise<DestinationRow> {
    return found(this.repository.find(accountId, id), "destination", id);
  }

  private async present(row: DestinationRead, window: VerificationWindow): Promise<Destination> {
    const subject = { email: row.email, verified: row.status === "verified" };
    return present(row, await this.confirmations.verificationOf(row.account_id, subject, row, window));
  }
}

function present(row: DestinationRow, verification: Verification): Destination {
  return {
    id: row.id,
    email: row.email,
    status: row.status,
    verified_at: row.verified_at,
    verification,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

import type { components } from "../../generated/schema.js";
import { isUniqueViolation } from "../db/database.js";
import type { Page, PageRequest } from "../http/pagination.js";
import { notFound, ProblemError } from "../http/problem.js";
import { iso, type Clock } from "../shared/clock.js";
import { addressKey, normalizeAddress } from "../shared/email.js";
import { newId } from "../shared/ids.js";
import type { DestinationRow, DestinationStore } from "./store.js";

export type Destination = components["schemas"]["Destination"];

export class DestinationService {
  constructor(
    private readonly store: DestinationStore,
    private readonly clock: Clock,
  ) {}

  async create(accountId: string, email: string): Promise<Destination> {
    const now = iso(this.clock());
    const address = normalizeAddress(email);
    const row: DestinationRow = { id: newId(), account_id: accountId, email: address, email_key: addressKey(address), status: "pending", verified_at: null, created_at: now, updated_at: now };
    try {
      await this.store.insert(row);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.store.findByKey(accountId, row.email_key);
      throw new ProblemError(409, "already_exists", `This account already has ${address}${existing ? ` (id ${existing.id})` : ""}.`);
    }
    return present(row);
  }

  async get(accountId: string, id: string): Promise<Destination> {
    const row = await this.store.find(accountId, id);
    if (!row) throw notFound("destination", id);
    return present(row);
  }

  async list(accountId: string, status: Destination["status"] | undefined, page: PageRequest): Promise<Page<Destination>> {
    const result = await this.store.list(accountId, status, page);
    return { ...result, items: result.items.map(present) };
  }

  async delete(accountId: string, id: string): Promise<void> {
    if (!(await this.store.delete(accountId, id))) throw notFound("destination", id);
  }
}

function present(row: DestinationRow): Destination {
  return {
    id: row.id,
    email: row.email,
    status: row.status,
    verified_at: row.verified_at,
    // Confirmation mail is not sent yet in this build: nothing was sent, nothing can expire.
    verification: { last_sent_at: null, sends_last_24h: 0, next_resend_at: null, expires_at: null },
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

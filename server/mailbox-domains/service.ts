import type { components } from "../../generated/schema.js";
import { type Db, isForeignKeyViolation, isUniqueViolation } from "../db/database.js";
import type { Page, PageRequest } from "../db/keyset-page.js";
import { found, invalidField, notFound, ProblemError, unlessTaken } from "../http/problem.js";
import { type Clock, iso } from "../shared/clock.js";
import type { EventOutbox } from "../shared/events.js";
import { normalizeHostname } from "../shared/hostname.js";
import { newId } from "../shared/ids.js";
import { type DnsChecker, DnsUnavailableError } from "./dns-check.js";
import { type DnsRecord, type RecordSettings, recordsFor } from "./records.js";
import type { MailboxDomainRepository, MailboxDomainRow, RecheckCursor } from "./repository.js";

export type MailboxDomain = components["schemas"]["MailboxDomain"];

/** How many sender identities use a domain; asked of the identities family, which owns them. */
export type DomainUsage = (accountId: string, domainId: string) => Promise<number>;

/** How often a verify call judges its records again when the background check stored an outcome meanwhile. */
const SAVE_ATTEMPTS = 5;

/** What one round of the background re-check came to. */
export interface RecheckRound {
  looked: number;
  failed: number;
  /** The last failed lookup's words (`DNS lookup failed: ETIMEOUT`), or null. */
  failure: string | null;
}

export class MailboxDomainService {
  constructor(
    private readonly repository: MailboxDomainRepository,
    private readonly clock: Clock,
    private readonly settings: RecordSettings & { verifyGraceMs: number },
    private readonly dns: DnsChecker,
    /** Asked before a delete; the identities family answers it (it owns the identities). */
    private readonly domainUsage: DomainUsage,
    private readonly events: EventOutbox,
  ) {}

  async create(accountId: string, input: string): Promise<MailboxDomain> {
    const domain = normalizeHostname(input);
    if (!domain)
      throw invalidField(
        "/domain",
        "must be a hostname such as acme-logistics.com (letters, digits and hyphens in dot-separated labels)",
      );
    const now = iso(this.clock());
    const row: MailboxDomainRow = {
      id: newId(),
      account_id: accountId,
      domain,
      status: "pending",
      dns_records: JSON.stringify(recordsFor(domain, this.settings)),
      verified_at: null,
      last_checked_at: null,
      created_at: now,
      updated_at: now,
    };
    await unlessTaken(() => this.repository.insert(row), {
      what: domain,
      holder: () => this.repository.findByDomain(accountId, domain),
    });
    return present(row);
  }

  async get(accountId: string, id: string): Promise<MailboxDomain> {
    return present(await this.row(accountId, id));
  }

  /** The account's domains by id (for the identities family); unknown ids are left out. */
  async byIds(accountId: string, ids: string[]): Promise<Map<string, MailboxDomain>> {
    const rows = await this.repository.findMany(accountId, [...new Set(ids)]);
    return new Map(rows.map((r) => [r.id, present(r)]));
  }

  async list(
    accountId: string,
    status: MailboxDomain["status"] | undefined,
    page: PageRequest,
  ): Promise<Page<MailboxDomain>> {
    const result = await this.repository.list(accountId, status, page);
    return { ...result, items: result.items.map(present) };
  }

  /**
   * Looks every record up live. Verified when the ownership record is found (unless another
   * account verified the domain first); failed when it is still absent after the grace period.
   */
  async verify(accountId: string, id: string): Promise<MailboxDomain> {
    let row = await this.row(accountId, id);
    if (row.status === "verified")
      throw new ProblemError(
        409,
        "already_verified",
        `${row.domain} was verified at ${row.verified_at ?? "an earlier time"}.`,
      );
    let records: DnsRecord[];
    try {
      records = await this.dns.check(JSON.parse(row.dns_records) as DnsRecord[], false);
    } catch (error) {
      if (error instanceof DnsUnavailableError) {
        throw new ProblemError(
          503,
          "dns_unavailable",
          `The resolver did not answer for ${row.domain}; nothing was changed. Try again shortly.`,
          undefined,
          { "Retry-After": "30" },
        );
      }
      throw error;
    }
    // Another check (the background one) may store its outcome while this one looks: this one's
    // records then judge the domain as that one left it.
    for (let attempt = 1; ; attempt++) {
      const saved = await this.saveCheck(row, records);
      if (saved) return present(saved);
      row = await this.row(accountId, id);
      if (row.status === "verified") return present(row);
      if (attempt === SAVE_ATTEMPTS) throw new Error(`mailbox domain ${id} changed under ${attempt} checks`);
    }
  }

  /**
   * One round of the background re-check: moves pending domains on without a client calling
   * verify, and notices a verified domain whose ownership record went away. Each domain due when
   * the round starts is looked at once, `batch` at a time; one whose lookup fails (the resolver
   * down, its name servers broken) waits for the next round. Before, the round went on while a
   * batch was full, and domains that failed stayed first in it: with a batch of them failing, the
   * same lookups were asked again at once for as long as they failed, and the others never were.
   * Each domain is claimed before its lookup (its last check moved to now, if no one moved it
   * since the round read it): the rounds of API processes started together (a deploy) read the
   * same domains at the same moment, and each asked DNS for all of them.
   * How many it looked up, and how many of those lookups failed (with the last failure's words).
   */
  async recheckRound(intervalMs: number, batch = 100): Promise<RecheckRound> {
    const before = iso(new Date(this.clock().getTime() - intervalMs));
    const round: RecheckRound = { looked: 0, failed: 0, failure: null };
    for (let after: RecheckCursor = { checked: "", id: "" }; ; ) {
      const due = await this.repository.due(before, after, batch);
      for (const row of due) {
        const outcome = await this.recheck(row);
        if (outcome === "elsewhere") continue;
        round.looked++;
        if (outcome === null) continue;
        round.failed++;
        round.failure = outcome;
      }
      const last = due.at(-1);
      if (due.length < batch || !last) return round;
      after = { checked: last.last_checked_at ?? "", id: last.id };
    }
  }

  /**
   * Checks one domain and stores what it found; why the lookup failed, or null; "elsewhere" when
   * another round (of this process or another) has claimed it since it was read.
   */
  private async recheck(row: MailboxDomainRow): Promise<string | null | "elsewhere"> {
    const claimed = iso(this.clock());
    if (!(await this.repository.claimCheck(row.id, row.last_checked_at, claimed))) return "elsewhere";
    try {
      const records = await this.dns.check(JSON.parse(row.dns_records) as DnsRecord[], row.status === "verified");
      // If a verify call stored an outcome meanwhile, that one stands and nothing is stored here.
      await this.saveCheck(row, records).catch((error: unknown) => {
        if (!(error instanceof ProblemError)) throw error; // another account owns it: stays as it is
      });
      return null;
    } catch (error) {
      if (!(error instanceof DnsUnavailableError)) throw error;
      // No answer: given back, so that the next round asks again (and the domain's last check
      // is not one that never took place).
      await this.repository.releaseCheck(row.id, claimed, row.last_checked_at);
      return error.message;
    }
  }

  /**
   * Stores a check: the new record states, and the status they prove from the domain's status as
   * `row` has it. Null, and nothing stored, when the domain's status changed since `row` was read:
   * an outcome judged from a status that is gone (a stale "pending, grace over") must not replace
   * one stored meanwhile (a "verified").
   */
  private async saveCheck(row: MailboxDomainRow, records: DnsRecord[]): Promise<MailboxDomainRow | null> {
    const now = this.clock();
    const owned = records.some((r) => r.purpose === "ownership" && r.status === "found");
    const graceOver = now.getTime() - Date.parse(row.created_at) > this.settings.verifyGraceMs;
    const status: MailboxDomainRow["status"] =
      row.status === "verified" || owned ? "verified" : graceOver ? "failed" : "pending";
    const changes = {
      status,
      dns_records: JSON.stringify(records),
      verified_at: row.verified_at ?? (status === "verified" ? iso(now) : null),
      last_checked_at: iso(now),
      updated_at: iso(now),
    };
    // A domain that became verified or failed says so to the account's webhooks, in the same commit.
    const saved = { ...row, ...changes };
    const event =
      status === row.status
        ? undefined
        : status === "verified"
          ? (db: Db) => this.events.record(db, row.account_id, "mailbox_domain.verified", present(saved))
          : status === "failed"
            ? (db: Db) => this.events.record(db, row.account_id, "mailbox_domain.failed", present(saved))
            : undefined;
    try {
      if (!(await this.repository.saveCheck(row.account_id, row.id, row.status, changes, event))) return null;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The records are ours to show, but the domain is proven by someone else's account first.
      const unproven = { ...changes, status: row.status, verified_at: null };
      await this.repository.saveCheck(row.account_id, row.id, row.status, unproven);
      throw new ProblemError(
        409,
        "verified_by_another_account",
        `Another account has already proved ownership of ${row.domain}.`,
      );
    }
    return saved;
  }

  async delete(accountId: string, id: string): Promise<void> {
    const row = await this.row(accountId, id);
    const inUse = await this.domainUsage(accountId, id);
    if (inUse > 0) throw inUseProblem(row.domain, inUse);
    try {
      if (!(await this.repository.delete(accountId, id))) throw notFound("mailbox domain", id);
    } catch (error) {
      // An identity created between the check and the delete: the foreign key still says no.
      if (isForeignKeyViolation(error)) throw inUseProblem(row.domain, 1);
      throw error;
    }
  }

  private row(accountId: string, id: string): Promise<MailboxDomainRow> {
    return found(this.repository.find(accountId, id), "mailbox domain", id);
  }
}

const inUseProblem = (domain: string, count: number) =>
  new ProblemError(
    409,
    "domain_in_use",
    `${count} sender identit${count === 1 ? "y uses" : "ies use"} ${domain}; delete ` +
      `${count === 1 ? "it" : "them"} before the domain.`,
  );

function present(row: MailboxDomainRow): MailboxDomain {
  return {
    id: row.id,
    domain: row.domain,
    status: row.status,
    dns_records: JSON.parse(row.dns_records) as DnsRecord[],
    verified_at: row.verified_at,
    last_checked_at: row.last_checked_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

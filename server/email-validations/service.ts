import type { components } from "../../generated/schema.js";
import type { Page, PageRequest } from "../db/keyset-page.js";
import { REFUSAL_MEMORY_MS } from "../engine/probe-health.js";
import type { ValidationResult } from "../engine/verdict.js";
import { found, notFound, ProblemError } from "../http/problem.js";
import { type Clock, iso } from "../shared/clock.js";
import type { EventOutbox } from "../shared/events.js";
import { newId } from "../shared/ids.js";
import type { LogLines } from "../shared/logger.js";
import type { EmailValidationRepository, JobEnded, JobRow } from "./repository.js";

export type EmailValidation = components["schemas"]["EmailValidation"];
export type EmailValidationSummary = components["schemas"]["EmailValidationSummary"];

/** Addresses per chunk: the unit a worker claims, and at most one SMTP transaction's worth per domain. */
export const CHUNK_SIZE = 100;
/** Seconds a client should wait between polls of a running job. */
export const POLL_SECONDS = 2;
const TERMINAL = new Set<JobRow["status"]>(["completed", "canceled", "error"]);

/** Results read from the store at a time while a download streams. */
const RESULTS_READ_PAGE = 1000;

export class EmailValidationService {
  constructor(
    private readonly repository: EmailValidationRepository,
    private readonly clock: Clock,
    private readonly logger: LogLines,
  ) {}

  /**
   * Stores the job and its unique inputs, grouped in chunks by domain so each chunk's addresses
   * share SMTP connections, before answering. The work happens in the workers.
   */
  async create(accountId: string, emails: string[]): Promise<EmailValidation> {
    const unique = [...new Set(emails)];
    const byDomain = unique.map((email) => ({ email, domain: email.slice(email.lastIndexOf("@") + 1).toLowerCase() }));
    byDomain.sort((a, b) =>
      a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : a.email < b.email ? -1 : a.email > b.email ? 1 : 0,
    );
    const chunks: string[][] = [];
    for (let i = 0; i < byDomain.length; i += CHUNK_SIZE)
      chunks.push(byDomain.slice(i, i + CHUNK_SIZE).map((x) => x.email));
    const now = iso(this.clock());
    const job: JobRow = {
      id: newId(),
      account_id: accountId,
      status: "queued",
      total: unique.length,
      processed: 0,
      deliverable: 0,
      risky: 0,
      undeliverable: 0,
      unknown: 0,
      errors: "[]",
      created_at: now,
      started_at: null,
      completed_at: null,
      last_claimed_at: null,
    };
    await this.repository.create(job, chunks);
    this.logger.info(
      { validation_id: job.id, account_id: accountId, total: job.total, chunks: chunks.length },
      "validation job created",
    );
    return this.present(job, `/v1/email-validations/${job.id}`, { size: 100, after: null });
  }

  async get(
    accountId: string,
    id: string,
    path: string,
    page: { size: number; after: string | null },
  ): Promise<EmailValidation> {
    return this.present(await this.row(accountId, id), path, page);
  }

  async list(
    accountId: string,
    status: JobRow["status"] | undefined,
    page: PageRequest,
  ): Promise<Page<EmailValidationSummary>> {
    const result = await this.repository.list(accountId, status, page);
    return { ...result, items: result.items.map(summary) };
  }

  async cancel(
    accountId: string,
    id: string,
    path: string,
    page: { size: number; after: string | null },
  ): Promise<EmailValidation> {
    await this.row(accountId, id);
    if (!(await this.repository.cancel(accountId, id, iso(this.clock())))) {
      // Read again: the job may have finished since the read above, and the answer names how.
      const now = await this.row(accountId, id);
      throw new ProblemError(409, "validation_finished", `Email validation ${id} is already ${now.status}.`);
    }
    this.logger.info({ validation_id: id, account_id: accountId }, "validation job canceled");
    return this.get(accountId, id, path, page);
  }

  /** Deletes a job with its addresses and results, canceling it first if it still runs. */
  async delete(accountId: string, id: string): Promise<void> {
    if (!(await this.repository.delete(accountId, id, iso(this.clock())))) throw notFound("email validation", id);
    this.logger.info({ validation_id: id, account_id: accountId }, "validation job deleted");
  }

  /** What waits for a worker and what runs (all processes: read from the store). */
  queueStats() {
    return this.repository.queueStats(iso(this.clock()));
  }

  /**
   * Workers that said they were alive within the last minute, the newest heartbeat, and when any
   * worker's probes last had their sender refused (within the hour that is remembered).
   */
  async workerLiveness() {
    const now = this.clock().getTime();
    const liveness = await this.repository.workerLiveness(iso(new Date(now - 60_000)));
    const refusedAt = liveness.senderRefusedAt;
    const recent = refusedAt !== null && Date.parse(refusedAt) > now - REFUSAL_MEMORY_MS;
    return { ...liveness, senderRefusedAt: recent ? refusedAt : null };
  }

  isTerminal(job: EmailValidation): boolean {
    return TERMINAL.has(job.status);
  }

  /**
   * Every result of a job so far (404 first if there is no such job), in email order, of the
   * kinds asked for: read a page at a time as the consumer pulls, so none is held for long.
   */
  async allResults(
    accountId: string,
    id: string,
    kinds: ValidationResult["result"][] | undefined,
  ): Promise<AsyncIterable<ValidationResult>> {
    const row = await this.row(accountId, id);
    const wanted = kinds && new Set(kinds);
    const repository = this.repository;
    return (async function* () {
      let after: string | null = null;
      for (;;) {
        const rows = await repository.results(row.id, after, RESULTS_READ_PAGE);
        for (const r of rows) {
          const result = JSON.parse(r.result) as ValidationResult;
          if (!wanted || wanted.has(result.result)) yield result;
        }
        if (rows.length < RESULTS_READ_PAGE) return;
        after = rows.at(-1)!.email;
      }
    })();
  }

  private row(accountId: string, id: string): Promise<JobRow> {
    return found(this.repository.find(accountId, id), "email validation", id);
  }

  /** The job with one page of results in email order, and links that page by `page[after]=<email>`. */
  private async present(
    row: JobRow,
    path: string,
    page: { size: number; after: string | null },
  ): Promise<EmailValidation> {
    const rows = await this.repository.results(row.id, page.after, page.size + 1);
    const results = rows.slice(0, page.size).map((r) => JSON.parse(r.result) as ValidationResult);
    const link = (after: string | null) => {
      const query = new URLSearchParams({
        "page[size]": String(page.size),
        ...(after !== null && { "page[after]": after }),
      });
      return `${path}?${query.toString()}`;
    };
    let prev: string | null = null;
    if (page.after !== null) {
      // The page before this one ends before its first result, or (an empty page) at page[after] itself.
      const first = results[0]?.email;
      const before = await this.repository.emailsBefore(
        row.id,
        first ?? page.after,
        page.size + 1,
        first === undefined,
      );
      prev = before.length > page.size ? link(before[page.size]!) : link(null);
    }
    return {
      ...summary(row),
      results,
      links: { self: link(page.after), next: rows.length > page.size ? link(results.at(-1)!.email) : null, prev },
    };
  }
}

/** A job's end, as the event the account's webhooks receive. */
export function jobEvents(events: EventOutbox): JobEnded {
  return async (db, job) => {
    if (job.status === "completed") await events.record(db, job.account_id, "email_validation.completed", summary(job));
    else if (job.status === "canceled")
      await events.record(db, job.account_id, "email_validation.canceled", summary(job));
    else if (job.status === "error") await events.record(db, job.account_id, "email_validation.failed", summary(job));
  };
}

function summary(row: JobRow): EmailValidationSummary {
  return {
    id: row.id,
    status: row.status,
    created_at: row.created_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
    counts: {
      total: row.total,
      processed: row.processed,
      deliverable: row.deliverable,
      risky: row.risky,
      undeliverable: row.undeliverable,
      unknown: row.unknown,
    },
    errors: JSON.parse(row.errors) as EmailValidationSummary["errors"],
  };
}

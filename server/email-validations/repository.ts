import { sql } from "kysely";
import { type Db, isPostgres, serializeOn } from "../db/database.js";
import { type Page, type PageRequest, readPage } from "../db/keyset-page.js";
import type { EmailValidationsTable, ValidationChunksTable } from "./tables.js";

export type JobRow = EmailValidationsTable;
export type Kind = "deliverable" | "risky" | "undeliverable" | "unknown";
export interface ChunkClaim {
  validationId: string;
  chunk: number;
  /** A chunk whose previous worker's lease ran out (it died or lost the store). */
  reclaimed?: boolean;
  /** The job's first claim: it started now. */
  started?: boolean;
}

/** What waits and what runs, for /healthz and /metrics. */
export interface QueueStats {
  jobs: Record<string, number>;
  /** queued: claimable (pending, or leased with its lease run out); running: leased. */
  chunks: { queued: number; running: number };
  /** When the job of the oldest claimable chunk was created. */
  oldestQueuedAt: string | null;
}

// Chunk rows per INSERT: 8 parameters each, well within SQLite's 32,766 bound parameters.
const CHUNKS_PER_INSERT = 500;

/** What else happens, in the same transaction, when a job ends (completed, canceled or error): its event. */
export type JobEnded = (db: Db, job: JobRow) => Promise<void>;

/** The email validation tables: jobs, their unique inputs and results, and claimable chunks. */
export class EmailValidationRepository {
  constructor(
    private readonly db: Db,
    private readonly onEnded: JobEnded = async () => undefined,
  ) {}

  /** The same tables through `db` (a transaction, or the connection a sweep's turn holds). */
  in(db: Db): EmailValidationRepository {
    return new EmailValidationRepository(db, this.onEnded);
  }

  /** Deletes the job that ended first if it ended (completed, canceled, failed) before `before`; how many: 0 or 1. */
  async deleteOldestEnded(before: string, at: string): Promise<number> {
    const job = await this.db
      .selectFrom("email_validations")
      .select(["id", "account_id"])
      .where("status", "in", ["completed", "canceled", "error"])
      .where("completed_at", "<", before)
      .orderBy("completed_at")
      .limit(1)
      .executeTakeFirst();
    return job && (await this.delete(job.account_id, job.id, at)) ? 1 : 0;
  }

  /** Stores a job with all its inputs (in their chunks) before anyone is told it exists. */
  async create(job: JobRow, chunks: string[][]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto("email_validations").values(job).execute();
      const rows: ValidationChunksTable[] = chunks.map((emails, chunk) => ({
        validation_id: job.id,
        chunk,
        status: "pending",
        lease_owner: null,
        lease_expires_at: null,
        attempts: 0,
        created_at: job.created_at,
        emails: JSON.stringify(emails),
      }));
      for (let i = 0; i < rows.length; i += CHUNKS_PER_INSERT)
        await trx
          .insertInto("validation_chunks")
          .values(rows.slice(i, i + CHUNKS_PER_INSERT))
          .execute();
    });
  }

  find(accountId: string, id: string): Promise<JobRow | undefined> {
    return this.db
      .selectFrom("email_validations")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .executeTakeFirst();
  }

  list(accountId: string, status: JobRow["status"] | undefined, page: PageRequest): Promise<Page<JobRow>> {
    let query = this.db.selectFrom("email_validations").selectAll().where("account_id", "=", accountId);
    if (status) query = query.where("status", "=", status);
    return readPage(query, page);
  }

  /** Results in email order after `after`, at most `limit`. */
  async results(id: string, after: string | null, limit: number): Promise<{ email: string; result: string }[]> {
    let query = this.db.selectFrom("validation_items").select(["email", "result"]).where("validation_id", "=", id);
    if (after !== null) query = query.where("email", ">", after);
    return query.orderBy("email").limit(limit).execute();
  }

  /** Emails with results before `before`, nearest first, at most `limit` (for the previous page). */
  async emailsBefore(id: string, before: string, limit: number, inclusive = false): Promise<string[]> {
    const rows = await this.db
      .selectFrom("validation_items")
      .select("email")
      .where("validation_id", "=", id)
      .where("email", inclusive ? "<=" : "<", before)
      .orderBy("email", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => r.email);
  }

  /** Cancels a job that is not terminal; false when it already was. */
  cancel(accountId: string, id: string, at: string): Promise<boolean> {
    return this.db.transaction().execute((trx) => this.cancelIn(trx, accountId, id, at));
  }

  /**
   * Deletes a job with its chunks and results (their foreign keys cascade); whether the account
   * had it. A running job is canceled first in the same transaction (its end is told, as a
   * cancel's is), which takes its chunks' locks before the job's as every writer does: a worker
   * holding one of them then finds its lease gone and records nothing.
   */
  delete(accountId: string, id: string, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await this.cancelIn(trx, accountId, id, at);
      const deleted = await trx
        .deleteFrom("email_validations")
        .where("id", "=", id)
        .where("account_id", "=", accountId)
        .executeTakeFirst();
      return deleted.numDeletedRows > 0n;
    });
  }

  /** Cancels a queued or processing job within `trx`; whether it was one. */
  private async cancelIn(trx: Db, accountId: string, id: string, at: string): Promise<boolean> {
    // The chunks first, then the job: the order claim() and complete() lock them in. The other
    // order deadlocked on PostgreSQL with a worker recording a chunk of the job (a 500).
    await trx
      .updateTable("validation_chunks")
      .set({ status: "canceled" })
      .where("validation_id", "=", id)
      .where("status", "in", ["pending", "leased"])
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom("email_validations")
            .select("id")
            .where("id", "=", id)
            .where("account_id", "=", accountId)
            .where("status", "in", ["queued", "processing"]),
        ),
      )
      .execute();
    const canceled = await trx
      .updateTable("email_validations")
      .set({ status: "canceled", completed_at: at })
      .where("account_id", "=", accountId)
      .where("id", "=", id)
      .where("status", "in", ["queued", "processing"])
      .returningAll()
      .executeTakeFirst();
    if (!canceled) return false;
    await this.onEnded(trx, canceled);
    return true;
  }

  /**
   * Claims a claimable chunk (pending, or leased by a worker whose lease ran out: it died), fairly:
   * of the jobs with such chunks, one of the account served least recently, and of its jobs the
   * one served least recently, so a small job of one account is not stuck behind the backlog of
   * another, nor behind a huge job of its own. On PostgreSQL concurrent workers skip each other's
   * rows (FOR UPDATE SKIP LOCKED); SQLite runs one transaction at a time.
   */
  async claim(owner: string, now: string, leaseUntil: string): Promise<ChunkClaim | null> {
    return this.db.transaction().execute(async (trx) => {
      const claimable = (validationId: string | null) => {
        let query = trx
          .selectFrom("validation_chunks")
          .select(["validation_id", "chunk", "status"])
          .where((eb) =>
            eb.or([
              eb("status", "=", "pending"),
              eb.and([eb("status", "=", "leased"), eb("lease_expires_at", "<", now)]),
            ]),
          );
        if (validationId !== null) query = query.where("validation_id", "=", validationId);
        query = query.orderBy("created_at").orderBy("chunk").limit(1);
        return isPostgres(trx) ? query.forUpdate().skipLocked() : query;
      };
      const next = await this.nextJobToServe(trx, now);
      // The fair pick, or (its chunks all being claimed by other workers right now) any chunk.
      const row =
        (next ? await claimable(next).executeTakeFirst() : undefined) ?? (await claimable(null).executeTakeFirst());
      if (!row) return null;
      await trx
        .updateTable("validation_chunks")
        // `attempts` counts failures (see releaseAfterFailure), not claims: a reclaim after a
        // crash or a lost lease is not the chunk's fault.
        .set({ status: "leased", lease_owner: owner, lease_expires_at: leaseUntil })
        .where("validation_id", "=", row.validation_id)
        .where("chunk", "=", row.chunk)
        .execute();
      // One write of the job: served now, and started if this is its first claim. (A claimable
      // chunk belongs to a queued or processing job: cancel and fail close its chunks.)
      const job = await trx
        .updateTable("email_validations")
        .set({ status: "processing", started_at: sql`coalesce(started_at, ${now})`, last_claimed_at: now })
        .where("id", "=", row.validation_id)
        .returning("started_at")
        .executeTakeFirst();
      return {
        validationId: row.validation_id,
        chunk: row.chunk,
        reclaimed: row.status === "leased",
        started: job?.started_at === now,
      };
    });
  }

  /**
   * The job to serve next: of the active jobs with a claimable chunk, the one whose account was
   * served least recently (its most recent claim of any job), then the one of that account served
   * least recently, then the oldest. A job never served sorts first ('' before any time).
   */
  private async nextJobToServe(trx: Db, now: string): Promise<string | null> {
    const row = await sql<{ id: string }>`
      select j.id from email_validations j
      where j.status in ('queued', 'processing')
        and exists (select 1 from validation_chunks c where c.validation_id = j.id
          and (c.status = 'pending' or (c.status = 'leased' and c.lease_expires_at < ${now})))
      order by
        coalesce((select max(a.last_claimed_at) from email_validations a
          where a.account_id = j.account_id and a.status in ('queued', 'processing')), '') asc,
        coalesce(j.last_claimed_at, '') asc,
        j.created_at asc
      limit 1`.execute(trx);
    return row.rows[0]?.id ?? null;
  }

  async queueStats(now: string): Promise<QueueStats> {
    const jobs = await this.db
      .selectFrom("email_validations")
      .select((eb) => ["status", eb.fn.countAll<number>().as("n")])
      .groupBy("status")
      .execute();
    const chunks = await sql<{
      queued: number | string | null;
      running: number | string | null;
      oldest: string | null;
    }>`
      select
        sum(case when status = 'pending' or lease_expires_at < ${now} then 1 else 0 end) as queued,
        sum(case when status = 'leased' and lease_expires_at >= ${now} then 1 else 0 end) as running,
        min(case when status = 'pending' or lease_expires_at < ${now} then created_at end) as oldest
      from validation_chunks where status in ('pending', 'leased')`.execute(this.db);
    const row = chunks.rows[0];
    return {
      jobs: Object.fromEntries(jobs.map((j) => [j.status, Number(j.n)])),
      chunks: { queued: Number(row?.queued ?? 0), running: Number(row?.running ?? 0) },
      oldestQueuedAt: row?.oldest ?? null,
    };
  }

  /** A worker says it is alive (and forgets workers silent for a day). */
  async workerSeen(id: string, at: string, dayAgo: string, senderRefusedAt: string | null = null): Promise<void> {
    await this.db
      .insertInto("validation_workers")
      .values({ id, seen_at: at, sender_refused_at: senderRefusedAt })
      .onConflict((oc) => oc.column("id").doUpdateSet({ seen_at: at, sender_refused_at: senderRefusedAt }))
      .execute();
    await this.db.deleteFrom("validation_workers").where("seen_at", "<", dayAgo).execute();
  }

  async workerGone(id: string): Promise<void> {
    await this.db.deleteFrom("validation_workers").where("id", "=", id).execute();
  }

  /** Workers seen since `since`, and the newest heartbeat of any. */
  async workerLiveness(
    since: string,
  ): Promise<{ alive: number; lastSeenAt: string | null; senderRefusedAt: string | null }> {
    const row = await this.db
      .selectFrom("validation_workers")
      .select((eb) => [
        eb.fn.count<number>(eb.case().when("seen_at", ">=", since).then(1).end()).as("alive"),
        eb.fn.max("seen_at").as("last"),
        eb.fn.max("sender_refused_at").as("refused"),
      ])
      .executeTakeFirst();
    return { alive: Number(row?.alive ?? 0), lastSeenAt: row?.last ?? null, senderRefusedAt: row?.refused ?? null };
  }

  async heartbeat(owner: string, claim: ChunkClaim, leaseUntil: string): Promise<void> {
    await heldBy(this.db, owner, claim).set({ lease_expires_at: leaseUntil }).execute();
  }

  async chunkEmails(claim: ChunkClaim): Promise<string[]> {
    const row = await this.db
      .selectFrom("validation_chunks")
      .select("emails")
      .where("validation_id", "=", claim.validationId)
      .where("chunk", "=", claim.chunk)
      .executeTakeFirst();
    return row?.emails ? (JSON.parse(row.emails) as string[]) : [];
  }

  /**
   * Records a chunk's results, exactly once: only while this worker still holds the lease, and the
   * job's counts move in the same transaction. Completes the job when it was the last chunk.
   */
  async complete(
    owner: string,
    claim: ChunkClaim,
    results: { email: string; json: string; kind: Kind }[],
    now: string,
  ): Promise<{ recorded: boolean; completedJob: JobRow | null }> {
    return this.db.transaction().execute(async (trx) => {
      await serializeOn(trx, `validation:${claim.validationId}`);
      const held = await heldBy(trx, owner, claim)
        .set({ status: "done", lease_owner: null, lease_expires_at: null })
        .executeTakeFirst();
      // The lease was lost (or the job canceled): another worker owns it.
      if (held.numUpdatedRows === 0n) return { recorded: false, completedJob: null };
      // The chunk's result rows, written only here: the lease check above makes this happen once.
      if (results.length > 0) {
        await trx
          .insertInto("validation_items")
          .values(
            results.map((r) => ({
              validation_id: claim.validationId,
              email: r.email,
              chunk: claim.chunk,
              result: r.json,
            })),
          )
          .execute();
      }
      const count = (kind: Kind) => results.filter((r) => r.kind === kind).length;
      const job = await trx
        .updateTable("email_validations")
        .set((eb) => ({
          processed: eb("processed", "+", results.length),
          deliverable: eb("deliverable", "+", count("deliverable")),
          risky: eb("risky", "+", count("risky")),
          undeliverable: eb("undeliverable", "+", count("undeliverable")),
          unknown: eb("unknown", "+", count("unknown")),
        }))
        .where("id", "=", claim.validationId)
        .returning(["processed", "total"])
        .executeTakeFirstOrThrow();
      // A chunk's results are all its inputs (written together, only here), so the job is done
      // exactly when every input has one.
      if (job.processed >= job.total) {
        const completedJob = await trx
          .updateTable("email_validations")
          .set({ status: "completed", completed_at: now })
          .where("id", "=", claim.validationId)
          .where("status", "=", "processing")
          .returningAll()
          .executeTakeFirst();
        if (completedJob) await this.onEnded(trx, completedJob);
        return { recorded: true, completedJob: completedJob ?? null };
      }
      return { recorded: true, completedJob: null };
    });
  }

  /** Hands a chunk this worker holds back to the queue at once (a stopping worker). */
  async release(owner: string, claim: ChunkClaim): Promise<void> {
    await heldBy(this.db, owner, claim).set({ status: "pending", lease_owner: null, lease_expires_at: null }).execute();
  }

  /** Counts a failure of the chunk and hands it back; the failures so far (0 when the lease was lost). */
  async releaseAfterFailure(owner: string, claim: ChunkClaim): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const held = await heldBy(trx, owner, claim)
        .set((eb) => ({
          status: "pending",
          lease_owner: null,
          lease_expires_at: null,
          attempts: eb("attempts", "+", 1),
        }))
        .executeTakeFirst();
      if (held.numUpdatedRows === 0n) return 0;
      const row = await trx
        .selectFrom("validation_chunks")
        .select("attempts")
        .where("validation_id", "=", claim.validationId)
        .where("chunk", "=", claim.chunk)
        .executeTakeFirst();
      return row?.attempts ?? 0;
    });
  }

  /** Ends a job in `error`, never leaving it stuck in processing. */
  async fail(
    id: string,
    errors: { code: "internal_error" | "timeout"; message: string }[],
    now: string,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const failed = await trx
        .updateTable("email_validations")
        .set({ status: "error", errors: JSON.stringify(errors), completed_at: now })
        .where("id", "=", id)
        .where("status", "in", ["queued", "processing"])
        .returningAll()
        .executeTakeFirst();
      if (failed) await this.onEnded(trx, failed);
      await trx
        .updateTable("validation_chunks")
        .set({ status: "canceled" })
        .where("validation_id", "=", id)
        .where("status", "in", ["pending", "leased"])
        .execute();
    });
  }
}

/** An update of the chunk, that changes it only while `owner` still holds its lease. */
function heldBy(db: Db, owner: string, claim: ChunkClaim) {
  return db
    .updateTable("validation_chunks")
    .where("validation_id", "=", claim.validationId)
    .where("chunk", "=", claim.chunk)
    .where("lease_owner", "=", owner)
    .where("status", "=", "leased");
}

import { hostname } from "node:os";
import { type EngineSettings, ValidationEngine } from "../engine/engine.js";
import { type Clock, iso } from "../shared/clock.js";
import { type FailureLog, failureLog } from "../shared/failure-log.js";
import { newId } from "../shared/ids.js";
import type { LogLines } from "../shared/logger.js";
import type { Metrics } from "../shared/metrics.js";
import type { ChunkClaim, EmailValidationRepository, JobRow, Kind } from "./repository.js";

export interface WorkerOptions {
  /** How long a claim holds without a heartbeat; a dead worker's chunk is reclaimed after it. */
  leaseMs: number;
  /** Sleep when there is nothing to claim. */
  idleMs: number;
  /** A chunk that fails this many times ends its job in `error`. */
  maxAttempts: number;
  /** Chunks this worker processes at once (each is mostly waiting on DNS and SMTP round trips). */
  inFlight?: number;
  /** How often the worker says it is alive (validation_workers, read by /healthz). */
  heartbeatMs?: number;
  /** When this process's probes last had their sender refused (carried in the heartbeat). */
  senderRefusedAt?: () => string | null;
}

/** The counters a worker moves (a subset of the process's metrics). */
export type WorkerMetrics = Pick<Metrics, "addressesValidated" | "chunkClaims">;

/**
 * Claims chunks with a lease, validates them, records the results (exactly once, while the lease
 * holds) and comes back for more. Killing it loses at most the chunk in flight: its lease runs
 * out and another worker (or this one, restarted) claims it again.
 */
export class ValidationWorker {
  readonly id = `${hostname()}:${process.pid}:${newId().slice(0, 8)}`;
  private running = false;
  private idleUntil = 0;
  private claiming: Promise<unknown> = Promise.resolve();
  private stopped: Promise<void> = Promise.resolve();
  // One engine per job, so DNS answers and connection limits are shared across its chunks; the
  // last few jobs are kept.
  private readonly engines = new Map<string, ValidationEngine>();
  /** The chunks this worker holds a lease on now. */
  private readonly held = new Set<ChunkClaim>();
  private heartbeat: NodeJS.Timeout | undefined;
  /** A store that is away fails every claim, four a second: logged when it starts, then once a minute. */
  private readonly failures: FailureLog;

  constructor(
    private readonly repository: EmailValidationRepository,
    private readonly engineSettings: EngineSettings,
    private readonly clock: Clock,
    private readonly logger: LogLines,
    private readonly options: WorkerOptions = { leaseMs: 60_000, idleMs: 250, maxAttempts: 3 },
    private readonly metrics?: WorkerMetrics,
  ) {
    this.failures = failureLog(logger, "validation worker");
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const alive = () => {
      const now = this.clock().getTime();
      const refusedAt = this.options.senderRefusedAt?.() ?? null;
      void this.repository
        .workerSeen(this.id, iso(new Date(now)), iso(new Date(now - 86_400_000)), refusedAt)
        .catch(() => {});
    };
    alive();
    this.heartbeat = setInterval(alive, this.options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
    this.stopped = Promise.all(Array.from({ length: this.options.inFlight ?? 1 }, () => this.loop())).then(
      () => undefined,
    );
  }

  /**
   * Stops claiming and hands every chunk in flight back to the queue at once, so that another
   * worker (or this one, restarted) takes them now rather than when their leases run out. Results
   * that arrive after that are discarded (the lease is gone). Waits at most `graceMs` for the loops.
   */
  async stop(graceMs = 2000): Promise<void> {
    this.running = false;
    clearInterval(this.heartbeat);
    // A claim already on its way completes; the loop that made it hands it back (see once()).
    await this.claiming;
    await Promise.all([...this.held].map((claim) => this.repository.release(this.id, claim).catch(() => undefined)));
    if (this.held.size > 0)
      this.logger.info({ worker: this.id, chunks: this.held.size }, "validation worker stopping: chunks handed back");
    await Promise.race([this.stopped, new Promise((r) => setTimeout(r, graceMs).unref())]);
    await this.repository.workerGone(this.id).catch(() => undefined);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const worked = await this.once().then(
        (worked) => {
          // Not when this loop skipped asking (false): only work done tells the store is back.
          if (worked) this.failures.succeeded();
          return worked;
        },
        (error: unknown) => {
          this.failures.failed(error);
          this.idleUntil = Date.now() + this.options.idleMs; // a failing store is not asked again at once
          return false;
        },
      );
      if (!worked) await new Promise((r) => setTimeout(r, Math.max(0, this.idleUntil - Date.now())));
    }
  }

  /**
   * The next chunk to work on, one claim at a time in this worker. When a claim finds nothing,
   * the loops waiting behind it do not ask again until idleMs has passed: an idle worker polls
   * the store once per idleMs, however many chunks it may hold in flight.
   */
  private nextClaim(): Promise<ChunkClaim | null> {
    const turn = this.claiming.then(async () => {
      if (Date.now() < this.idleUntil) return null;
      const now = this.clock().getTime();
      const claim = await this.repository.claim(this.id, iso(new Date(now)), iso(new Date(now + this.options.leaseMs)));
      if (!claim) {
        this.idleUntil = Date.now() + this.options.idleMs;
        this.failures.succeeded(); // the store answered: there is nothing to do
      }
      return claim;
    });
    this.claiming = turn.catch(() => undefined);
    return turn;
  }

  /** Claims and processes one chunk; false when there was none. */
  async once(): Promise<boolean> {
    const claim = await this.nextClaim();
    if (!claim) return false;
    if (!this.running) {
      // Claimed while the worker was being stopped: straight back to the queue.
      await this.repository.release(this.id, claim);
      return false;
    }
    this.held.add(claim);
    this.claimed(claim);
    const heartbeat = setInterval(
      () => {
        void this.repository
          .heartbeat(this.id, claim, iso(new Date(this.clock().getTime() + this.options.leaseMs)))
          .catch(() => undefined);
      },
      Math.max(1000, this.options.leaseMs / 3),
    );
    try {
      const emails = await this.repository.chunkEmails(claim);
      const results = await this.engine(claim.validationId).validate(emails);
      const { recorded, completedJob } = await this.repository.complete(
        this.id,
        claim,
        results.map((r) => ({ email: r.email, json: JSON.stringify(r), kind: r.result as Kind })),
        iso(this.clock()),
      );
      if (recorded)
        for (const r of results) this.metrics?.addressesValidated.inc({ result: r.result, reason: r.reason });
      if (completedJob) this.completed(completedJob);
    } catch (error) {
      await this.failed(claim, error);
    } finally {
      clearInterval(heartbeat);
      this.held.delete(claim);
    }
    return true;
  }

  private claimed(claim: ChunkClaim): void {
    this.metrics?.chunkClaims.inc({ kind: claim.reclaimed ? "reclaimed" : "new" });
    const about = { validation_id: claim.validationId, chunk: claim.chunk, worker: this.id };
    if (claim.started) this.logger.info(about, "validation job started");
    // The previous worker died or lost the store with this chunk in hand; its lease ran out.
    if (claim.reclaimed) this.logger.warn(about, "validation chunk reclaimed");
  }

  private completed(job: JobRow): void {
    this.logger.info(
      {
        validation_id: job.id,
        account_id: job.account_id,
        total: job.total,
        deliverable: job.deliverable,
        risky: job.risky,
        undeliverable: job.undeliverable,
        unknown: job.unknown,
        duration_ms: Date.parse(job.completed_at ?? "") - Date.parse(job.created_at),
        worker: this.id,
      },
      "validation job completed",
    );
  }

  private async failed(claim: ChunkClaim, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(
      {
        validation_id: claim.validationId,
        chunk: claim.chunk,
        error: message,
      },
      "validation chunk failed",
    );
    // A lease lost meanwhile (0) is not this worker's failure to count.
    if ((await this.repository.releaseAfterFailure(this.id, claim)) >= this.options.maxAttempts) {
      this.logger.error(
        { validation_id: claim.validationId, attempts: this.options.maxAttempts, error: message },
        "validation job failed",
      );
      await this.repository.fail(
        claim.validationId,
        [{ code: "internal_error", message: `A part of the job failed ${this.options.maxAttempts} times: ${message}` }],
        iso(this.clock()),
      );
    }
  }

  private engine(validationId: string): ValidationEngine {
    let engine = this.engines.get(validationId);
    if (!engine) {
      engine = new ValidationEngine(this.engineSettings);
      this.engines.set(validationId, engine);
      if (this.engines.size > 8) this.engines.delete(this.engines.keys().next().value!);
    }
    return engine;
  }
}

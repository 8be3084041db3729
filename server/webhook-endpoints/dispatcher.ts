import { hostname } from "node:os";
import { type Clock, iso } from "../shared/clock.js";
import { type FailureLog, failureLog } from "../shared/failure-log.js";
import { randomToken } from "../shared/ids.js";
import type { Logger } from "../shared/logger.js";
import type { AttemptRecord, ClaimedDelivery, WebhookEndpointRepository } from "./repository.js";
import { type AttemptOutcome, postEvent, type SendSettings } from "./sender.js";
import { endpointSecret, signedHeaders } from "./signing.js";

/**
 * The waits between attempts: 14 attempts over about three days (2.9 days before jitter), the
 * schedule Standard Webhooks and Stripe users know: quick at first, for a blip, then hours apart.
 */
export const RETRY_DELAYS_MS = [
  5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 43_200_000, 43_200_000,
  43_200_000, 43_200_000,
];

/** How long finished deliveries stay listed (a pending one stays until it is finished). */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

export interface DispatchSettings extends SendSettings {
  /** Attempts in flight at once in this process (each endpoint has at most one). */
  concurrency: number;
  /** How long a claim holds a delivery; longer than the timeout, so a live attempt is never taken over. */
  leaseMs: number;
  /** How often to look for due deliveries when nothing else wakes the dispatcher. */
  idleMs: number;
  retryDelaysMs: number[];
  signingKey: () => Promise<string>;
  /** Told each recorded attempt's outcome (the process's metrics). */
  onAttempt?: (outcome: "delivered" | "retrying" | "failed") => void;
}

/**
 * Delivers the outbox: claims due deliveries with leases (so many processes share the work on
 * PostgreSQL, and a killed one's claims come back when their lease runs out), POSTs each signed,
 * and records the outcome while the lease still holds. At least once: a delivery whose outcome
 * was not recorded is sent again, with the same webhook-id.
 */
export class WebhookDispatcher {
  readonly id = `webhooks-${hostname()}-${process.pid}-${randomToken(4)}`;
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private filling = false;
  private stopped = false;
  private prunedAt = 0;
  /** A store that is away fails every tick's claim: logged when it starts, then once a minute. */
  private readonly claimFailures: FailureLog;

  constructor(
    private readonly repository: WebhookEndpointRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: DispatchSettings,
  ) {
    this.claimFailures = failureLog(logger, "webhook claim");
  }

  start(): void {
    this.timer = setInterval(() => void this.fill(), this.settings.idleMs);
    this.timer.unref();
    void this.fill();
  }

  /** Stops claiming and hands back what is in flight (those events are sent again: at least once). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.repository.release(this.id, [...this.inFlight.keys()]).catch(() => undefined);
  }

  /** Claims as many due deliveries as there are free slots, and starts their attempts. */
  private async fill(): Promise<void> {
    if (this.filling || this.stopped) return;
    this.filling = true;
    try {
      const now = this.clock().getTime();
      await this.pruneHourly(now);
      const free = this.settings.concurrency - this.inFlight.size;
      if (free <= 0) return;
      const claimed = await this.repository.claim(
        this.id,
        iso(new Date(now)),
        iso(new Date(now + this.settings.leaseMs)),
        free,
      );
      this.claimFailures.succeeded();
      for (const delivery of claimed) {
        const attempt = this.attempt(delivery)
          .catch((error: unknown) =>
            this.logger.error({ delivery_id: delivery.id, error: String(error) }, "webhook attempt not recorded"),
          )
          .finally(() => {
            this.inFlight.delete(delivery.id);
            void this.fill();
          });
        this.inFlight.set(delivery.id, attempt);
      }
    } catch (error) {
      // The store is away: the next tick tries again; nothing was claimed.
      this.claimFailures.failed(error);
    } finally {
      this.filling = false;
    }
  }

  /** Finished deliveries older than the retention go, once an hour (any process may do it). */
  private async pruneHourly(now: number): Promise<void> {
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    const pruned = await this.repository.prune(iso(new Date(now - DELIVERY_RETENTION_MS)));
    if (pruned > 0) this.logger.info({ pruned }, "finished webhook deliveries past their 30 days deleted");
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const at = this.clock();
    const key = await this.settings.signingKey();
    const secrets = [endpointSecret(key, delivery.endpoint_id, delivery.secret_version)];
    if (
      delivery.previous_secret_version !== null &&
      delivery.previous_secret_expires_at !== null &&
      delivery.previous_secret_expires_at > iso(at)
    )
      secrets.push(endpointSecret(key, delivery.endpoint_id, delivery.previous_secret_version));
    const headers = signedHeaders(delivery.event_id, delivery.payload, secrets, at);
    const outcome = await postEvent(delivery.url, headers, delivery.payload, this.settings);
    await this.record(delivery, outcome);
  }

  private async record(delivery: ClaimedDelivery, outcome: AttemptOutcome): Promise<void> {
    const at = this.clock();
    const attempts = delivery.attempts + 1;
    const base = {
      attempts,
      last_attempt_at: iso(at),
      last_status_code: outcome.statusCode,
      last_error: outcome.error,
      response_excerpt: outcome.excerpt,
    };
    if (outcome.delivered) {
      const record: AttemptRecord = { ...base, status: "delivered", next_attempt_at: null, delivered_at: iso(at) };
      if (await this.repository.finishAttempt(this.id, delivery, record, { succeeded: true }))
        this.settings.onAttempt?.("delivered");
      return;
    }
    const delays = this.settings.retryDelaysMs;
    const exhausted = attempts > delays.length;
    const wait = exhausted ? 0 : jittered(delays[attempts - 1]!);
    const record: AttemptRecord = {
      ...base,
      status: exhausted ? "failed" : "pending",
      next_attempt_at: exhausted ? null : iso(new Date(at.getTime() + wait)),
      delivered_at: null,
    };
    const recorded = await this.repository.finishAttempt(this.id, delivery, record, {
      succeeded: false,
      at: iso(at),
      disable: exhausted ? this.disableReason(delivery, at, outcome) : null,
    });
    if (recorded) this.settings.onAttempt?.(exhausted ? "failed" : "retrying");
  }

  /**
   * An endpoint is disabled when a delivery used up its attempts and the endpoint has not had a
   * success since (its run of failures is at least half the schedule long: the attempts had jitter).
   */
  private disableReason(delivery: ClaimedDelivery, at: Date, outcome: AttemptOutcome): string | null {
    if (delivery.failing_since === null) return null;
    const total = this.settings.retryDelaysMs.reduce((sum, d) => sum + d, 0);
    if (at.getTime() - Date.parse(delivery.failing_since) < total / 2) return null;
    const last = outcome.error ?? "no answer";
    return `every delivery failed since ${delivery.failing_since} (last: ${last}); enable it again once it answers 2xx`;
  }
}

/** A wait with ±20 % jitter, so that retries of many events to one receiver do not arrive in step. */
const jittered = (ms: number) => Math.round(ms * (0.8 + Math.random() * 0.4));

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The process's Prometheus metrics (prom-client). Counters move where things happen; the queue
 * and the store pool are read from their source when Prometheus scrapes (see `observe`). Each
 * process has its own registry: scrape every process (README, "Metrics").
 */
export function createMetrics(options: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "mailproof_" });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: "mailproof_http_requests_total",
      help: "HTTP requests answered, by method, route template and status.",
      labelNames: ["method", "route", "status"] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: "mailproof_http_request_duration_seconds",
      help: "Time to answer an HTTP request, by method, route template and status.",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    addressesValidated: new Counter({
      name: "mailproof_addresses_validated_total",
      help: "Addresses validated by this process's workers and checks, by result and reason.",
      labelNames: ["result", "reason"] as const,
      registers,
    }),
    probeReplies: new Counter({
      name: "mailproof_smtp_probe_replies_total",
      help: "Replies of mail hosts to probes by class (2xx, 4xx, 5xx), and conversations lost (timeout, unavailable).",
      labelNames: ["class"] as const,
      registers,
    }),
    mailDeliveries: new Counter({
      name: "mailproof_mail_deliveries_total",
      help: "Confirmation mail delivery attempts by outcome (sent, outbox, retrying, given_up).",
      labelNames: ["outcome"] as const,
      registers,
    }),
    webhookAttempts: new Counter({
      name: "mailproof_webhook_attempts_total",
      help: "Webhook delivery attempts by outcome: delivered, retrying (to be tried again), failed (the last one).",
      labelNames: ["outcome"] as const,
      registers,
    }),
    chunkClaims: new Counter({
      name: "mailproof_validation_chunk_claims_total",
      help: "Chunks claimed by this process's workers: new, or reclaimed from a worker whose lease ran out.",
      labelNames: ["kind"] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** What the scrape-time gauges read. */
export interface ObservedSources {
  /** Jobs and chunks by state, and the oldest waiting chunk's job creation (ISO time). */
  queue(): Promise<{ jobs: Record<string, number>; chunks: Record<string, number>; oldestQueuedAt: string | null }>;
  /** The PostgreSQL pool's connections, or null on SQLite (one connection, no pool). */
  pool(): { total: number; idle: number; waiting: number; max: number } | null;
  /** Whether Redis answers now (REDIS_URL); left out without one. */
  redisUp?: () => boolean;
}

type QueueReading = Awaited<ReturnType<ObservedSources["queue"]>>;

/** Gauges read when Prometheus scrapes: the queue from the store, the pool from its driver. */
export function observe(metrics: Metrics, sources: ObservedSources, now: () => number = Date.now): void {
  const registers = [metrics.registry];
  // One store read per scrape serves the three queue gauges.
  let reading: Promise<QueueReading | null> | null = null;
  const queue = () => {
    reading ??= sources
      .queue()
      .catch(() => null)
      .finally(() => setTimeout(() => (reading = null), 0));
    return reading;
  };
  // A gauge with one series per state, set from one read of the queue.
  const byState = (name: string, help: string, pick: (q: QueueReading) => Record<string, number>) =>
    new Gauge({
      name,
      help,
      labelNames: ["state"] as const,
      registers,
      async collect() {
        const q = await queue();
        this.reset();
        for (const [state, n] of Object.entries(q ? pick(q) : {})) this.set({ state }, n);
      },
    });
  byState(
    "mailproof_validation_jobs",
    "Email validation jobs by state (all processes: read from the store).",
    (q) => q.jobs,
  );
  byState(
    "mailproof_validation_chunks",
    "Validation chunks by state: queued is the queue depth (all processes: read from the store).",
    (q) => q.chunks,
  );
  new Gauge({
    name: "mailproof_validation_oldest_queued_age_seconds",
    help: "Age of the job of the oldest chunk waiting for a worker; 0 when none waits.",
    registers,
    async collect() {
      const q = await queue();
      const at = q?.oldestQueuedAt ? Date.parse(q.oldestQueuedAt) : null;
      this.set(at === null ? 0 : Math.max(0, (now() - at) / 1000));
    },
  });
  const redisUp = sources.redisUp;
  if (redisUp)
    new Gauge({
      name: "mailproof_redis_up",
      help:
        "1 while Redis (REDIS_URL) answers and request budgets are counted there; " +
        "0 while this process counts them alone.",
      registers,
      collect() {
        this.set(redisUp() ? 1 : 0);
      },
    });
  new Gauge({
    name: "mailproof_store_pool_connections",
    help: "PostgreSQL pool connections by state (total, idle, waiting requests, max); absent on SQLite.",
    labelNames: ["state"] as const,
    registers,
    collect() {
      const pool = sources.pool();
      this.reset();
      if (pool) for (const [state, n] of Object.entries(pool)) this.set({ state }, n);
    },
  });
}

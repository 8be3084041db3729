import type pg from "pg";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { Budget, RateLimits } from "../config.js";
import type { RedisStore } from "../shared/redis.js";

export type LimitClass = keyof RateLimits;

export interface Decision {
  allowed: boolean;
  /** `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers), plus `Retry-After` when refused. */
  headers: Record<string, string>;
  retryAfterSeconds: number;
}

/**
 * Request budgets, counted where every process that serves the API sees them: in Redis when the
 * operator configures one (REDIS_URL: one atomic script per request, nothing written to the
 * database); else in this process's memory on SQLite (one process serves it, so memory is exact
 * and costs no write per request), in PostgreSQL when the store is shared (an UNLOGGED table, see
 * migration 006). Should Redis or PostgreSQL fail, each process goes on counting in memory until
 * it answers again.
 */
export class RateLimiter {
  private readonly limiters = new Map<LimitClass, { budget: Budget; limiter: RateLimiterAbstract }>();
  /** Where the budgets are counted (for the start-up log line). */
  readonly countedIn: "redis" | "postgresql" | "memory";

  constructor(budgets: RateLimits, store: { postgres?: pg.Pool; redis?: RedisStore } = {}) {
    this.countedIn = store.redis ? "redis" : store.postgres ? "postgresql" : "memory";
    for (const [name, budget] of Object.entries(budgets) as [LimitClass, Budget | null][]) {
      if (!budget) continue;
      const options = { keyPrefix: name, points: budget.points, duration: budget.windowSeconds };
      this.limiters.set(name, { budget, limiter: shared(options, store) ?? new RateLimiterMemory(options) });
    }
  }

  /** Spends one request of `name` for `key` (an API key's hash, a client address); null when that limit is off. */
  async take(name: LimitClass, key: string): Promise<Decision | null> {
    const entry = this.limiters.get(name);
    if (!entry) return null;
    try {
      return decision(name, entry.budget, await entry.limiter.consume(key), true);
    } catch (refused) {
      if (refused instanceof RateLimiterRes) return decision(name, entry.budget, refused, false);
      throw refused;
    }
  }
}

type LimiterOptions = { keyPrefix: string; points: number; duration: number };

/** The limiter of a store every process sees, with memory as its insurance; undefined without one. */
function shared(
  options: LimiterOptions,
  store: { postgres?: pg.Pool; redis?: RedisStore },
): RateLimiterAbstract | undefined {
  if (store.redis) {
    const redis = store.redis;
    return new RateLimiterRedis({
      ...options,
      storeClient: redis.client,
      // Not connected: straight to memory, no wait.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new Insurance(options, () => redis.failed()),
    });
  }
  if (store.postgres)
    return new RateLimiterPostgres({
      ...options,
      storeClient: store.postgres,
      storeType: "pool",
      tableName: "rate_limits",
      tableCreated: true,
      clearExpiredByTimeout: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  return undefined;
}

/** Memory, standing in for a store that failed; tells the store each time, so it can mend itself. */
class Insurance extends RateLimiterMemory {
  constructor(
    options: LimiterOptions,
    private readonly storeFailed: () => void,
  ) {
    super(options);
  }

  override consume(...args: Parameters<RateLimiterMemory["consume"]>): ReturnType<RateLimiterMemory["consume"]> {
    this.storeFailed();
    return super.consume(...args);
  }
}

function decision(name: LimitClass, budget: Budget, res: RateLimiterRes, allowed: boolean): Decision {
  const resetSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  const headers = rateLimitFields(name, budget, res.remainingPoints, resetSeconds);
  if (!allowed) headers["Retry-After"] = String(resetSeconds);
  return { allowed, headers, retryAfterSeconds: resetSeconds };
}

/** `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers) for one budget. */
export function rateLimitFields(
  name: LimitClass,
  budget: Budget,
  remaining: number,
  resetSeconds: number,
): Record<string, string> {
  return {
    "RateLimit-Policy": `"${name}";q=${budget.points};w=${budget.windowSeconds}`,
    RateLimit: `"${name}";r=${Math.max(0, remaining)};t=${resetSeconds}`,
  };
}

/** In words, for a 429's detail. */
export function describeBudget(name: LimitClass, budget: { points: number; windowSeconds: number }): string {
  const what = {
    reads: "read requests",
    writes: "write requests",
    checks: "single email checks",
    bulk: "bulk validation jobs",
    public: "page requests",
    auth_failures: "failed authentications",
  }[name];
  return `${budget.points} ${what} per ${budget.windowSeconds} s`;
}

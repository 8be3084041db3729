import type pg from "pg";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { Budget, RateLimits } from "../config.js";

export type LimitClass = keyof RateLimits;

export interface Decision {
  allowed: boolean;
  /** `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers), plus `Retry-After` when refused. */
  headers: Record<string, string>;
  retryAfterSeconds: number;
}

/**
 * Request budgets, counted where every process that serves the API sees them: in this process's
 * memory on SQLite (one process serves it, so memory is exact and costs no write per request),
 * in PostgreSQL when the store is shared (an UNLOGGED table, see migration 006). Should
 * PostgreSQL fail, each process goes on counting in memory until it answers again.
 */
export class RateLimiter {
  private readonly limiters = new Map<LimitClass, { budget: Budget; limiter: RateLimiterAbstract }>();

  constructor(budgets: RateLimits, store: { postgres?: pg.Pool } = {}) {
    for (const [name, budget] of Object.entries(budgets) as [LimitClass, Budget | null][]) {
      if (!budget) continue;
      const options = { keyPrefix: name, points: budget.points, duration: budget.windowSeconds };
      const memory = new RateLimiterMemory(options);
      const limiter = store.postgres
        ? new RateLimiterPostgres({
            ...options,
            storeClient: store.postgres,
            storeType: "pool",
            tableName: "rate_limits",
            tableCreated: true,
            clearExpiredByTimeout: true,
            insuranceLimiter: memory,
          })
        : memory;
      this.limiters.set(name, { budget, limiter });
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

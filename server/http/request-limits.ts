import type { Request, RequestHandler } from "express";
import type { RateLimits } from "../config.js";
import { ProblemError } from "./problem.js";
import { describeBudget, type LimitClass, type RateLimiter } from "./rate-limit.js";
import { accountOf } from "./typed-route.js";

/** Which budget of its API key a request spends. */
export function limitClassOf(req: Pick<Request, "method" | "path">, bulkPath: string, checkPath: string): LimitClass {
  if (req.method === "GET" || req.method === "HEAD") return "reads";
  if (req.method === "POST" && req.path.replace(/\/$/, "") === checkPath) return "checks";
  if (req.method === "POST" && req.path.replace(/\/$/, "") === bulkPath) return "bulk";
  return "writes";
}

/**
 * Per-API-key budgets (after authentication): every answer carries the budget's `RateLimit-Policy`
 * and `RateLimit`; past it, 429 `rate_limited` with `Retry-After`, and nothing is done.
 */
export function limitPerKey(
  limiter: RateLimiter,
  budgets: RateLimits,
  paths: { bulk: string; check: string },
): RequestHandler {
  return async (req, res, next) => {
    accountOf(res);
    const name = limitClassOf(
      { method: req.method, path: req.originalUrl.split("?")[0] ?? "" },
      paths.bulk,
      paths.check,
    );
    const decision = await limiter.take(name, res.locals.keyId as string);
    if (!decision) return next();
    res.set(decision.headers);
    if (decision.allowed) return next();
    throw new ProblemError(
      429,
      "rate_limited",
      `This API key used its budget of ${describeBudget(name, budgets[name]!)}; the next request is ` +
        `allowed in ${decision.retryAfterSeconds} s.`,
      undefined,
      decision.headers,
    );
  };
}

/** Per-address budget of the public pages; `refuse` answers a refusal in the page's own form. */
export function limitPerAddress(
  limiter: RateLimiter,
  refuse: (res: Parameters<RequestHandler>[1], seconds: number) => void,
): RequestHandler {
  return async (req, res, next) => {
    const decision = await limiter.take("public", req.ip ?? "unknown");
    if (!decision) return next();
    res.set(decision.headers);
    if (decision.allowed) return next();
    refuse(res, decision.retryAfterSeconds);
  };
}

import type { Request, RequestHandler } from "express";
import { ProblemError } from "./problem.js";
import { describeBudget, type RateLimiter, rateLimitFields } from "./rate-limit.js";

const REALM = 'Bearer realm="mailproof"';

/**
 * Bearer authentication for everything under /v1 (every operation there is secured: a spec rule
 * test holds that), before any body is read, so an anonymous client cannot make the server parse
 * megabytes. Sets res.locals.accountId and res.locals.keyId (a hash: the key is never kept or
 * logged). Failed attempts are counted per client address; past that budget the address gets
 * 429 without its key being looked at, so keys cannot be guessed at speed.
 */
export function authenticate(
  /** The account a key belongs to and the key's id (never the key), or null (unknown or revoked). */
  accountFor: (key: string) => Promise<{ accountId: string; keyId: string } | null>,
  limiter: RateLimiter,
  budget: { points: number; windowSeconds: number } | null,
): RequestHandler {
  const blockedUntil = new Map<string, number>();
  return async (req, res, next) => {
    const address = req.ip ?? "unknown";
    const until = blockedUntil.get(address);
    if (until !== undefined && until > Date.now())
      throw tooManyFailures(Math.ceil((until - Date.now()) / 1000), budget, {});
    if (until !== undefined) blockedUntil.delete(address);

    const key = bearerKey(req);
    const found = key ? await accountFor(key) : null;
    if (found) {
      res.locals.accountId = found.accountId;
      res.locals.keyId = found.keyId;
      return next();
    }
    const decision = await limiter.take("auth_failures", address);
    if (decision && !decision.allowed) {
      if (blockedUntil.size > 100_000) blockedUntil.clear();
      blockedUntil.set(address, Date.now() + decision.retryAfterSeconds * 1000);
      throw tooManyFailures(decision.retryAfterSeconds, budget, decision.headers);
    }
    throw new ProblemError(
      401,
      "unauthorized",
      key ? "The API key is unknown or revoked." : "Send your API key as 'Authorization: Bearer <key>'.",
      undefined,
      { "WWW-Authenticate": key ? `${REALM}, error="invalid_token"` : REALM, ...decision?.headers },
    );
  };
}

function bearerKey(req: Request): string | null {
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(req.get("authorization") ?? "");
  return match?.[1] ?? null;
}

function tooManyFailures(
  seconds: number,
  budget: { points: number; windowSeconds: number } | null,
  headers: Record<string, string>,
): ProblemError {
  const policy = budget ? rateLimitFields("auth_failures", budget, 0, seconds) : {};
  return new ProblemError(
    429,
    "rate_limited",
    `Too many failed authentications from this ` +
      `address${budget ? ` (${describeBudget("auth_failures", budget)})` : ""}; try again in ${seconds} s.`,
    undefined,
    { ...policy, ...headers, "Retry-After": String(seconds) },
  );
}

import type { RequestHandler } from "express";

/** On every answer: browsers must not guess a type other than the one we send. */
export const noSniff: RequestHandler = (_req, res, next) => {
  res.set("X-Content-Type-Options", "nosniff");
  next();
};

/** API answers are per account and change under their URLs: never stored by a cache. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set("Cache-Control", "no-store");
  next();
};

const EXPOSED = ["Location", "Retry-After", "RateLimit", "RateLimit-Policy", "Idempotent-Replayed"].join(", ");
const ALLOWED_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key"].join(", ");
const ALLOWED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].join(", ");

/**
 * CORS for browser frontends on the configured origins only (none by default). A preflight is
 * answered here, before authentication (browsers send it without credentials). Other origins get
 * no CORS headers, so browsers keep their pages from reading our answers.
 */
export function cors(origins: string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get("origin");
    const preflight = req.method === "OPTIONS" && req.get("access-control-request-method") !== undefined;
    res.vary("Origin");
    if (origin && allowed.has(origin)) {
      res.set({ "Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": EXPOSED });
      if (preflight)
        res.set({
          "Access-Control-Allow-Methods": ALLOWED_METHODS,
          "Access-Control-Allow-Headers": ALLOWED_HEADERS,
          "Access-Control-Max-Age": "600",
        });
    }
    if (preflight) {
      res.status(204).end();
      return;
    }
    next();
  };
}

import { createRequire } from "node:module";
import type { RequestHandler } from "express";
import * as OpenApiValidator from "express-openapi-validator";

export interface ValidatorOptions {
  /** The bundled contract (the split spec makes every request a 500). */
  spec: object;
  /** Check every response body against the contract (development and tests; optional in production). */
  validateResponses: boolean;
}

/**
 * The contract as middleware: routing against the spec (unknown path 404, wrong method 405) and
 * validation of parameters, bodies and (optionally) responses. Its errors become problem+json in
 * the error handler. Authentication ran before it (http/auth.ts, every /v1 operation is secured
 * and nothing else is: test/unit/spec-rules.test.ts holds the contract to that), so the
 * validator's own security check would only repeat it.
 */
export function contractValidator(options: ValidatorOptions): RequestHandler[] {
  cacheRouteMatchers();
  const handlers = OpenApiValidator.middleware({
    apiSpec: structuredClone(options.spec) as never,
    validateRequests: { allowUnknownQueryParameters: false, allErrors: true },
    validateResponses: options.validateResponses ? { allErrors: true } : false,
    validateSecurity: false,
    ajvFormats: { mode: "full" },
    // HTML pages and the service endpoints are served before the validator.
    ignorePaths: /^\/(healthz|metrics|docs|openapi\.json|confirm)(\/|$)/,
  }) as RequestHandler[];
  return handlers.map(headAsGet);
}

/**
 * HEAD is GET without the body (RFC 9110 §9.3.2), and Express answers it with the GET route; the
 * contract lists only GET, so the validator sees a HEAD as the GET it stands for. (Node decided
 * when the request arrived that a HEAD answer carries no body; the method name does not change that.)
 */
function headAsGet(handler: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "HEAD") return handler(req, res, next);
    req.method = "GET";
    return handler(req, res, (error?: unknown) => {
      req.method = "HEAD";
      next(error);
    });
  };
}

/**
 * express-openapi-validator 5.6 compiles a path-to-regexp matcher for every documented route on
 * every request (its lookupRoute); that was the largest single cost of a request here. Upstream
 * has the fix open (cdimascio/express-openapi-validator#1217, "perf: cache route matchers"); until
 * it ships, memoize the function in the module instance the validator calls. The matchers hold no
 * state (no global or sticky flag), so sharing them is safe. Remove when the validator caches.
 */
function cacheRouteMatchers(): void {
  const require = createRequire(import.meta.url);
  const module = require(
    require.resolve("path-to-regexp", { paths: [require.resolve("express-openapi-validator")] }),
  ) as {
    pathToRegexp: ((path: unknown, options?: { sensitive?: boolean; strict?: boolean }) => unknown) & { cached?: true };
  };
  if (module.pathToRegexp.cached) return;
  const original = module.pathToRegexp;
  const cache = new Map<string, unknown>();
  const cached = (path: unknown, options?: { sensitive?: boolean; strict?: boolean }) => {
    if (typeof path !== "string") return original(path, options);
    const key = `${path}|${String(options?.sensitive)}|${String(options?.strict)}`;
    let matcher = cache.get(key);
    if (matcher === undefined) {
      matcher = original(path, options);
      cache.set(key, matcher);
    }
    return matcher;
  };
  module.pathToRegexp = Object.assign(cached, { cached: true as const });
}

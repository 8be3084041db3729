import type { RequestHandler } from "express";
import { createRequire } from "node:module";
import * as OpenApiValidator from "express-openapi-validator";
import type { AccountService } from "../accounts/service.js";
import { bearerAuth } from "./auth.js";

export interface ValidatorOptions {
  /** The bundled contract (the split spec makes every request a 500). */
  spec: object;
  /** Check every response body against the contract (development and tests; optional in production). */
  validateResponses: boolean;
  accounts: AccountService;
}

/**
 * The contract as middleware: routing against the spec (unknown path 404, wrong method 405),
 * authentication where the spec asks for it, and validation of parameters, bodies and (optionally)
 * responses. Its errors become problem+json in the error handler.
 */
export function contractValidator(options: ValidatorOptions): RequestHandler[] {
  cacheRouteMatchers();
  return OpenApiValidator.middleware({
    apiSpec: structuredClone(options.spec) as never,
    validateRequests: { allowUnknownQueryParameters: false, allErrors: true },
    validateResponses: options.validateResponses ? { allErrors: true } : false,
    validateSecurity: { handlers: { bearerAuth: bearerAuth(options.accounts) } },
    ajvFormats: { mode: "full" },
    // HTML pages and the service endpoints are served before the validator.
    ignorePaths: /^\/(healthz|docs|openapi\.json|confirm)(\/|$)/,
  }) as RequestHandler[];
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
  const module = require(require.resolve("path-to-regexp", { paths: [require.resolve("express-openapi-validator")] })) as {
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

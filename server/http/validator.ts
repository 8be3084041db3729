import type { RequestHandler } from "express";
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

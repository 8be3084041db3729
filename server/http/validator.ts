import type { Request, RequestHandler } from "express";
import * as OpenApiValidator from "express-openapi-validator";
import { isIdnEmail } from "../shared/email.js";

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
 *
 * Its per-request costs beyond the compiled schema checks are patched out (patches/, applied by
 * patch-package at install; bench/README.md has the profiles before and after): every one of its
 * middlewares waited on a promise per request, the route lookup compiled a matcher for every
 * documented route per request, and the parameter mutator was built and the URL parsed anew.
 */
export function contractValidator(options: ValidatorOptions): RequestHandler[] {
  const handlers = OpenApiValidator.middleware({
    apiSpec: structuredClone(options.spec) as never,
    validateRequests: { allowUnknownQueryParameters: false, allErrors: true },
    validateResponses: options.validateResponses ? { allErrors: true } : false,
    validateSecurity: false,
    // No operation takes multipart/form-data: without the uploader, one middleware (and its
    // promise per request) less, and a multipart body gets the same 415 as any other type not listed.
    fileUploader: false,
    ajvFormats: { mode: "full" },
    // ajv-formats has no `idn-email`: without this it would check nothing (an unknown format).
    formats: { "idn-email": isIdnEmail },
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
 * The operation the validator matched this request to (its `req.openapi`), with the path's
 * parameters decoded; undefined for a request outside the contract (the pages, /healthz...).
 */
export function matchedOperation(req: Request): { operationId: string; params: Record<string, string> } | undefined {
  const { openapi } = req as { openapi?: { schema?: { operationId?: string }; pathParams?: Record<string, string> } };
  const operationId = openapi?.schema?.operationId;
  return operationId === undefined ? undefined : { operationId, params: openapi?.pathParams ?? {} };
}

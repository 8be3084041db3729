import type { NextFunction, Request, Response } from "express";
import type { components } from "../../generated/schema.js";

export type Problem = components["schemas"]["Problem"];
export type ProblemCode = components["schemas"]["ProblemCode"];
export type FieldError = components["schemas"]["FieldError"];

const TITLES: Record<ProblemCode, string> = {
  invalid_parameter: "Invalid parameter",
  malformed_json: "Malformed JSON",
  unauthorized: "Unauthorized",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  already_exists: "Already exists",
  already_verified: "Already verified",
  verified_by_another_account: "Verified by another account",
  domain_in_use: "Domain in use",
  validation_finished: "Validation finished",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  validation_failed: "Validation failed",
  idempotency_key_reused: "Idempotency key reused",
  resend_too_soon: "Resend too soon",
  resend_cap_reached: "Resend cap reached",
  internal_error: "Internal error",
  not_implemented: "Not implemented",
  dns_unavailable: "DNS unavailable",
  service_unavailable: "Service unavailable",
};

/**
 * An error that becomes a problem+json answer. Services throw it for rule violations; the error
 * handler renders it. `headers` carries Retry-After, Allow, WWW-Authenticate.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const notFound = (what: string, id: string) =>
  new ProblemError(404, "not_found", `No ${what} with id ${id} exists in this account.`);

/** One field error as a 422. */
export const invalidField = (pointer: string, message: string) =>
  new ProblemError(422, "validation_failed", `${pointer} ${message}.`, [{ pointer, message }]);

export function sendProblem(req: Request, res: Response, error: ProblemError): void {
  const body: Problem = {
    type: `https://mailproof.dev/problems/${error.code}`,
    title: TITLES[error.code],
    status: error.status,
    detail: error.detail,
    code: error.code,
    instance: req.originalUrl.split("?")[0] ?? req.originalUrl,
    ...(error.errors?.length ? { errors: error.errors } : {}),
  };
  res.status(error.status).set(error.headers).type("application/problem+json").json(body);
}

/** Wraps an async handler so a rejection reaches the error handler (and never hangs the request). */
export function asyncHandler(fn: (req: Request, res: Response, next: NextFunction) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction) => {
    fn(req, res, next).catch(next);
  };
}

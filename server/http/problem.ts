import type { Request, Response } from "express";
import type { components } from "../../generated/schema.js";
import { isUniqueViolation } from "../db/database.js";

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
  endpoint_disabled: "Endpoint disabled",
  payload_too_large: "Payload too large",
  request_timeout: "Request timeout",
  unsupported_media_type: "Unsupported media type",
  validation_failed: "Validation failed",
  idempotency_key_reused: "Idempotency key reused",
  resend_too_soon: "Resend too soon",
  resend_cap_reached: "Resend cap reached",
  mail_quota_exceeded: "Mail quota exceeded",
  rate_limited: "Rate limited",
  internal_error: "Internal error",
  not_implemented: "Not implemented",
  dns_unavailable: "DNS unavailable",
  service_unavailable: "Service unavailable",
  store_unavailable: "Store unavailable",
  storage_full: "Storage full",
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

/** The row, or the 404 for `what` (another account's id answers the same as one that does not exist). */
export async function found<T>(row: Promise<T | undefined>, what: string, id: string): Promise<T> {
  const value = await row;
  if (value === undefined) throw notFound(what, id);
  return value;
}

/**
 * Runs a write whose natural key may already be taken; the database's unique violation becomes the
 * documented 409, naming the resource that holds the key when it can be found.
 */
export async function unlessTaken<T>(
  write: () => Promise<T>,
  taken: { what: string; holder: () => Promise<{ id: string } | undefined> },
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const holder = await taken.holder();
    throw new ProblemError(
      409,
      "already_exists",
      `This account already has ${taken.what}${holder ? ` (id ${holder.id})` : ""}.`,
    );
  }
}

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
    instance: requestPath(req),
    // The id the access log records this request under (http/request-log.ts).
    ...(typeof req.id === "string" && { request_id: req.id }),
    ...(error.errors?.length ? { errors: error.errors } : {}),
  };
  res.status(error.status).set(error.headers).type("application/problem+json").json(body);
}

/**
 * The request's path as a valid URI reference, whatever the client sent: characters a path may
 * not hold are percent-encoded, and a `%` that starts no valid escape becomes `%25` (every `%`,
 * when the escapes do not decode as UTF-8, so the path reads back as sent). (The raw
 * path can hold spaces, quotes or broken escapes; copied as it is, `instance` broke its format.)
 */
export function requestPath(req: Pick<Request, "originalUrl">): string {
  const path = (req.originalUrl.split("?")[0] ?? "").slice(0, 2048);
  return path
    .replace(decodes(path) ? /%(?![0-9A-Fa-f]{2})/g : /%/g, "%25")
    .replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu, (c) =>
      c.length === 1 && /[\uD800-\uDFFF]/.test(c) ? "%EF%BF%BD" : encodeURIComponent(c),
    );
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

import type { ErrorRequestHandler, Request } from "express";
import { storeFault } from "../db/faults.js";
import type { Logger } from "../shared/logger.js";
import { type FieldError, ProblemError, requestPath, sendProblem } from "./problem.js";

/** How long a client should wait before retrying after a database fault. */
const STORE_RETRY_SECONDS = 5;

interface ValidatorError {
  status?: number;
  statusCode?: number;
  type?: string;
  /** zlib's, for a body its Content-Encoding does not describe (Z_DATA_ERROR, Z_BUF_ERROR). */
  code?: string;
  message?: string;
  errors?: { path?: string; message?: string; errorCode?: string }[];
  headers?: Record<string, string>;
  expose?: boolean;
  /** body-parser's, on a body over its limit: the limit in bytes. */
  limit?: number;
}

/** A 413 that says how much the operation takes, so that a client knows how far to cut. */
function tooLarge(limit: number | undefined): ProblemError {
  const most = typeof limit === "number" ? ` (at most ${limit.toLocaleString("en-US")} bytes)` : "";
  return new ProblemError(413, "payload_too_large", `The request body is larger than this operation accepts${most}.`);
}

/**
 * Turns anything thrown while answering into problem+json with the documented status: our own
 * ProblemErrors, express-openapi-validator's errors, body-parser's errors. Whatever is left is a
 * 500 whose details go to the log, never to the client.
 */
export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      logger.error({ request_id: req.id, path: req.path, error: String(error) }, "error after the answer started");
      res.destroy();
      return;
    }
    const problem = toProblem(error, req);
    if (problem.status === 500)
      logger.error(
        { request_id: req.id, method: req.method, path: req.path, error: describe(error) },
        "request failed",
      );
    else if (problem.status > 500)
      logger.warn({ request_id: req.id, method: req.method, path: req.path, error: String(error) }, "database fault");
    sendProblem(req, res, problem);
  };
}

function toProblem(error: unknown, req: Request): ProblemError {
  if (error instanceof ProblemError) return error;
  // The database, not the request: a 503 the client may retry, or 507 while the disk is full.
  const fault = storeFault(error);
  if (fault === "unavailable") {
    return new ProblemError(
      503,
      "store_unavailable",
      "The database does not answer right now; nothing was changed. Retry shortly.",
      undefined,
      {
        "Retry-After": String(STORE_RETRY_SECONDS),
      },
    );
  }
  if (fault === "full") {
    return new ProblemError(
      507,
      "storage_full",
      "The server's storage is full; nothing was changed. Retry once space is freed.",
      undefined,
      {
        "Retry-After": String(STORE_RETRY_SECONDS),
      },
    );
  }
  const e = (error ?? {}) as ValidatorError;
  const status = e.status ?? e.statusCode ?? 500;

  // body-parser
  if (e.type === "entity.parse.failed")
    return new ProblemError(400, "malformed_json", `The request body is not valid JSON: ${e.message ?? ""}`.trim());
  if (e.type === "entity.too.large") return tooLarge(e.limit);
  // A body that is not what its Content-Encoding says (corrupt or cut short): it cannot be read as JSON.
  if (status === 400 && e.code?.startsWith("Z_"))
    return new ProblemError(
      400,
      "malformed_json",
      `The request body is not valid ${req.get("content-encoding") ?? "compressed"} data: ${e.message ?? e.code}.`,
    );
  if (e.type === "encoding.unsupported" || e.type === "charset.unsupported")
    return new ProblemError(415, "unsupported_media_type", e.message ?? "Unsupported encoding.");

  // express-openapi-validator
  if (status === 400 && Array.isArray(e.errors)) return fromValidation(e.errors);
  if (status === 404)
    return new ProblemError(404, "not_found", `There is no ${req.method} ${requestPath(req)} in this API.`);
  if (status === 405)
    return new ProblemError(
      405,
      "method_not_allowed",
      `${req.method} is not allowed on ${requestPath(req)}.`,
      undefined,
      e.headers ?? {},
    );
  if (status === 413) return tooLarge(e.limit);
  if (status === 415)
    return new ProblemError(
      415,
      "unsupported_media_type",
      `Send the body as application/json (got ${req.get("content-type") ?? "no content type"}).`,
    );
  if (status >= 400 && status < 500)
    return new ProblemError(400, "invalid_parameter", e.message ?? "The request is malformed.");
  return new ProblemError(500, "internal_error", "An unexpected error occurred; it has been logged.");
}

/** The field errors a problem lists (the contract's maxItems), and those its detail spells out. */
const LISTED_ERRORS = 100;
const DETAILED_ERRORS = 5;

/** Body errors are 422 (the JSON was fine, its fields are not); parameter errors are 400. */
function fromValidation(all: NonNullable<ValidatorError["errors"]>): ProblemError {
  const items = withoutRestatedPatterns(all);
  const body = items.filter((i) => i.path?.startsWith("/body"));
  if (body.length > 0) {
    const errors: FieldError[] = body.map((i) => ({
      pointer: i.path!.slice("/body".length) || "/",
      message: messageOf(i),
    }));
    // A bulk body can break a rule 100,000 times: a 10 MB answer that names every one helps nobody.
    const named = errors.slice(0, DETAILED_ERRORS).map((x) => `${x.pointer} ${x.message}`);
    if (errors.length > DETAILED_ERRORS) named.push(`and ${errors.length - DETAILED_ERRORS} more`);
    const fields = new Set(errors.map((x) => x.pointer)).size;
    const detail =
      `${fields} field${fields > 1 ? "s" : ""} of the request body ` +
      `break${fields > 1 ? "" : "s"} the rules: ${named.join("; ")}.`;
    return new ProblemError(422, "validation_failed", detail, errors.slice(0, LISTED_ERRORS));
  }
  const errors: FieldError[] = items.map((i) => ({
    pointer: parameterPointer(i.path ?? ""),
    message: messageOf(i),
  }));
  return new ProblemError(
    400,
    "invalid_parameter",
    errors.map((x) => `${x.pointer} ${x.message}`).join("; ") || "A parameter is malformed.",
    // An operation has a handful of parameters: the cap only keeps the contract's promise.
    errors.slice(0, LISTED_ERRORS),
  );
}

/**
 * The contract gives an address field a `pattern` beside its `idn-email` format so that tools
 * which do not know the format (the mock, form generators) still check its shape: where both
 * fail, the pattern's regular expression tells the caller nothing the format does not.
 */
function withoutRestatedPatterns(items: NonNullable<ValidatorError["errors"]>): typeof items {
  const formats = new Set(items.filter((i) => i.errorCode === "format.openapi.validation").map((i) => i.path));
  return items.filter((i) => i.errorCode !== "pattern.openapi.validation" || !formats.has(i.path));
}

/**
 * What is wrong with a field, for the pointer that names it: a missing one's pointer is the field
 * itself, so ajv's "must have required property 'status'" would name it twice.
 */
function messageOf(item: NonNullable<ValidatorError["errors"]>[number]): string {
  if (item.errorCode === "required.openapi.validation") return "is required";
  return item.message ?? "is invalid";
}

/** `/query/page/size` -> `query.page[size]`; `/params/destination_id` -> `path.destination_id`. */
function parameterPointer(path: string): string {
  const [where = "", name = "", ...rest] = path.replace(/^\//, "").split("/");
  const location = ({ params: "path", headers: "header" } as Record<string, string>)[where] ?? where;
  return `${location}.${name}${rest.map((r) => `[${r}]`).join("")}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);
}

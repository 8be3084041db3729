import { retryAfterSecondsOf } from "./transport.js";
import type { Problem, ProblemCode } from "./types.js";

/**
 * Thrown by the helpers when a call fails. `problem` is the API's problem document; it is null
 * when the answer was not one (a proxy's HTML error page, say): then `body` holds the start of
 * what came, and `code` is null, so nothing mistakes a proxy's 404 for the API's.
 */
export class MailproofError extends Error {
  override readonly name = "MailproofError";
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    /** Seconds from `Retry-After`, when the answer carried one (429, 503). */
    readonly retryAfterSeconds: number | null,
    /** The first 500 characters of a body that was not a problem document. */
    readonly body: string | null = null,
  ) {
    super(
      problem
        ? `${status} ${problem.code}: ${problem.detail}`
        : `${status}: the answer is not a problem document of the API: ${JSON.stringify(body ?? "")}`,
    );
  }

  /** The problem's stable code, to branch on; null when the answer was not the API's. */
  get code(): ProblemCode | null {
    return this.problem?.code ?? null;
  }
}

/** `Retry-After` as whole seconds: delta-seconds, or an HTTP date turned into seconds from now. */
export function retryAfterSeconds(response: Response, now: () => number = Date.now): number | null {
  return retryAfterSecondsOf(response.headers, now);
}

/** Turns an openapi-fetch result into its data or a MailproofError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error === undefined && result.response.ok) return result.data as T;
  throw toError(result.response, result.error);
}

export function toError(response: Response, body: unknown): MailproofError {
  if (isProblem(body)) return new MailproofError(response.status, body, retryAfterSeconds(response));
  const text = typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body);
  return new MailproofError(response.status, null, retryAfterSeconds(response), text.slice(0, 500));
}

function isProblem(body: unknown): body is Problem {
  return typeof body === "object" && body !== null && "code" in body && "status" in body && "detail" in body;
}

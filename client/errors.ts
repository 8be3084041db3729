import type { Problem } from "./types.js";

/** Thrown by the helpers when the API answers with a problem document. */
export class MailproofError extends Error {
  override readonly name = "MailproofError";
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Seconds from `Retry-After`, when the answer carried one (429, 503). */
    readonly retryAfterSeconds: number | null,
  ) {
    super(`${status} ${problem.code}: ${problem.detail}`);
  }
}

/** `Retry-After` as whole seconds: delta-seconds, or an HTTP date turned into seconds from now. */
export function retryAfterSeconds(response: Response, now: () => number = Date.now): number | null {
  const raw = response.headers.get("retry-after");
  if (raw === null || raw.trim() === "") return null;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now()) / 1000));
}

/**
 * Turns an openapi-fetch result into its data or a MailproofError. A non-problem error body
 * (a proxy's HTML page, say) still becomes a problem, so callers handle one error type.
 */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error === undefined && result.response.ok) return result.data as T;
  throw toError(result.response, result.error);
}

export function toError(response: Response, body: unknown): MailproofError {
  const problem = isProblem(body)
    ? body
    : {
        type: "about:blank",
        title: response.statusText || "Error",
        status: response.status,
        detail: `The server answered ${response.status} without a problem document.`,
        code: response.status >= 500 ? ("internal_error" as const) : ("invalid_parameter" as const),
      };
  return new MailproofError(response.status, problem, retryAfterSeconds(response));
}

function isProblem(body: unknown): body is Problem {
  return typeof body === "object" && body !== null && "code" in body && "status" in body && "detail" in body;
}

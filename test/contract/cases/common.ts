import type { ContractCase, RequestSpec } from "../harness.js";

/** A body this size is over the limit for single-resource JSON bodies, yet valid JSON. */
export const OVERSIZED_PADDING = " ".repeat(300 * 1024);

/** Pads a JSON body with white space past the body limit (it stays valid JSON and valid data). */
export function oversized(json: unknown): Pick<RequestSpec, "raw" | "contentType"> {
  const text = JSON.stringify(json);
  return { raw: `${text.slice(0, -1)}${OVERSIZED_PADDING}}`, contentType: "application/json" };
}

/** An Idempotency-Key longer than the 255 characters the contract allows: a malformed header. */
export const TOO_LONG_KEY = { "Idempotency-Key": "k".repeat(256) };

/** The cases every authenticated operation shares: no key (401) and our own failure (500, mock only). */
export function authAndFailureCases(operationId: string, request: ContractCase["request"]): ContractCase[] {
  return [
    {
      operationId,
      status: 401,
      name: "without an API key",
      request: async (ctx) => ({ ...(await request(ctx)), auth: false }),
    },
    { operationId, status: 500, name: "an internal failure (the mock's example)", targets: ["mock"], request },
  ];
}

/**
 * A malformed parameter for the server; for the mock, the same request made valid. Prism answers
 * any invalid request to an operation that documents 422 with its 422, so it can only serve the
 * documented 400 (on `Prefer: code=400`) for a request it finds valid.
 */
export function malformedParameter(malformed: RequestSpec, valid: RequestSpec): ContractCase["request"] {
  return (ctx) => (ctx.target.kind === "server" ? malformed : valid);
}

import { inject } from "vitest";
import { serverWithDeadStore } from "../../support/in-process.js";
import { confirmAsABrowser, latestOutboxPath } from "../../support/mail.js";
import { type CaseContext, type ContractCase, type RequestSpec, send } from "../harness.js";

/** A body this size is over the limit for single-resource JSON bodies, yet valid JSON. */
export const OVERSIZED_PADDING = " ".repeat(300 * 1024);

/** Pads a JSON body with white space past the body limit (it stays valid JSON and valid data). */
export function oversized(json: unknown): Pick<RequestSpec, "raw" | "contentType"> {
  const text = JSON.stringify(json);
  return { raw: `${text.slice(0, -1)}${OVERSIZED_PADDING}}`, contentType: "application/json" };
}

/** An Idempotency-Key longer than the 255 characters the contract allows: a malformed header. */
export const TOO_LONG_KEY = { "Idempotency-Key": "k".repeat(256) };

/**
 * The cases every authenticated operation shares: no key (401), a spent request budget (429
 * `rate_limited`) and our own failure (500, mock only).
 */
export function authAndFailureCases(operationId: string, request: ContractCase["request"]): ContractCase[] {
  return [
    {
      operationId,
      status: 401,
      name: "without an API key",
      request: async (ctx) => ({ ...(await request(ctx)), auth: false }),
    },
    {
      operationId,
      status: 429,
      example: "rate_limited",
      name: "past the API key's budget",
      request: onSpentBudget(request),
    },
    { operationId, status: 500, name: "an internal failure (the mock's example)", targets: ["mock"], request },
    {
      operationId,
      status: 503,
      example: "store_unavailable",
      name: "the database does not answer",
      request: async (ctx) => {
        const spec = await request(ctx);
        if (ctx.target.kind !== "server") return spec;
        return {
          ...spec,
          baseUrl: await deadStore(),
          auth: false,
          headers: { ...spec.headers, authorization: "Bearer mp_live_any" },
        };
      },
    },
  ];
}

/** One server of the run whose database connection is gone. */
const deadStore = once(() => serverWithDeadStore());

/** Runs `make` once, the first time it is asked for. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/**
 * On the server: the request sent twice to the run's rate-limited server (every budget there is
 * one request an hour), the second of which is the case. On the mock: the request itself.
 */
export function onSpentBudget(
  request: ContractCase["request"],
  options: { auth?: boolean } = {},
): ContractCase["request"] {
  return async (ctx) => {
    const spec = await request(ctx);
    if (ctx.target.kind !== "server") return spec;
    const limited = inject("limited");
    const authorization: Record<string, string> =
      options.auth === false ? {} : { authorization: `Bearer ${limited.apiKey}` };
    const again: RequestSpec = {
      ...spec,
      baseUrl: limited.baseUrl,
      auth: false,
      headers: { ...spec.headers, ...authorization },
    };
    await (await send(ctx.target, again)).arrayBuffer();
    return again;
  };
}

/**
 * A malformed parameter for the server; for the mock, the same request made valid. Prism answers
 * any invalid request to an operation that documents 422 with its 422, so it can only serve the
 * documented 400 (on `Prefer: code=400`) for a request it finds valid.
 */
export function malformedParameter(malformed: RequestSpec, valid: RequestSpec): ContractCase["request"] {
  return (ctx) => (ctx.target.kind === "server" ? malformed : valid);
}

/** On the real server, the owner of `email` follows the mailed link and presses Confirm. */
export async function confirmedBy(ctx: CaseContext, email: string): Promise<void> {
  if (ctx.target.kind !== "server") return;
  const path = await latestOutboxPath(inject("server").dataDir, email);
  const response = await confirmAsABrowser(ctx.target.baseUrl, path);
  if (response.status !== 200) throw new Error(`confirming ${email}: ${response.status}`);
}

/** The confirmation page path mailed for a new destination (mock: a well-formed, unknown token). */
export async function mailedConfirmPath(ctx: CaseContext): Promise<string> {
  if (ctx.target.kind !== "server") return "/confirm/Zb3k9Q2xV7mN1pR4sT6uW8yA0cE2gI4kM6oQ8sU0wY2";
  const email = `confirm-${ctx.unique()}@acme-logistics.com`;
  await ctx.prepare({ method: "POST", path: "/v1/destinations", json: { email } });
  return latestOutboxPath(inject("server").dataDir, email);
}

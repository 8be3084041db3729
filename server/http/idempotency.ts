import type { NextFunction, Request, RequestHandler, Response } from "express";
import { type Clock, iso } from "../shared/clock.js";
import { sha256Hex } from "../shared/ids.js";
import type { IdempotencyRepository } from "./idempotency-repository.js";
import { ProblemError } from "./problem.js";
import { accountOf } from "./typed-route.js";

/** How long a key holds its answer; then it may be used again, and the sweep deletes it. */
export const KEEP_MS = 24 * 60 * 60 * 1000;
/**
 * A key reserved this long ago and still unanswered belongs to a request that will never answer:
 * its process ended while answering (killed, crashed). A retry then runs as a first request,
 * rather than wait for an answer that never comes until the key expires a day later. No live
 * request takes this long: each of its store calls is bounded (DB_QUERY_TIMEOUT_MS, 10 s), and
 * its body must arrive within HTTP_REQUEST_TIMEOUT_MS.
 */
export const ABANDONED_AFTER_MS = 5 * 60 * 1000;
const REPLAYED_HEADERS = ["location", "retry-after", "content-type"];

/**
 * `Idempotency-Key` on creating POSTs. The first request with a key reserves it; its 2xx answer is
 * stored and replayed for retries with the same body (`Idempotent-Replayed: true`, else `false`). The same key
 * with another body is a 422. A retry that arrives while the first is still being answered waits
 * for it (one whose first was abandoned, five minutes on, runs). Failed answers are not stored, so
 * a retry after an error runs again.
 */
export interface IdempotencyOptions {
  /** How long a retry waits for the first request with its key to be answered. */
  waitForFirstMs: number;
  /**
   * A secret in the answer (a webhook endpoint's signing secret) that must not be stored: it is
   * left out of the stored answer, and `restore` puts it back into a replay from its source.
   */
  secret?: { field: string; restore: (accountId: string, stored: unknown) => Promise<unknown> };
}

export function idempotency(store: IdempotencyRepository, clock: Clock, options: IdempotencyOptions): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    // Every answer of a creating POST says whether it is a replay (a replay overrides this).
    res.setHeader("Idempotent-Replayed", "false");
    const key = req.get("idempotency-key");
    if (!key) return next();
    const accountId = accountOf(res);
    // A trailing slash carries no meaning (the same operation): the same key and body are the same request.
    const scope = `${req.method} ${`${req.baseUrl}${req.path}`.replace(/(.)\/$/, "$1")}`;
    const requestHash = sha256Hex(`${scope}\n${canonicalJson(req.body)}`);
    const deadline = Date.now() + options.waitForFirstMs;

    for (;;) {
      const now = clock().getTime();
      await store.releaseExpired(accountId, key, {
        answeredBefore: iso(new Date(now - KEEP_MS)),
        unansweredBefore: iso(new Date(now - ABANDONED_AFTER_MS)),
      });
      const reserved = await store.reserve({
        account_id: accountId,
        key,
        scope,
        request_hash: requestHash,
        status: null,
        response_headers: null,
        response_body: null,
        created_at: iso(clock()),
      });
      if (reserved) {
        recordAnswer(store, res, accountId, key, options.secret?.field);
        return next();
      }
      const first = await store.find(accountId, key);
      if (!first) continue; // the first request failed and released the key: run this one
      if (first.request_hash !== requestHash) {
        throw new ProblemError(
          422,
          "idempotency_key_reused",
          `Idempotency-Key ${key} was first used with a different request.`,
        );
      }
      if (first.status !== null) {
        const body = await replayBody(first.response_body ?? "", accountId, options.secret);
        res
          .status(first.status)
          .set(JSON.parse(first.response_headers ?? "{}") as Record<string, string>)
          .set("Idempotent-Replayed", "true");
        res.send(body);
        return;
      }
      // Stryker disable next-line EqualityOperator: > or >= at a millisecond deadline is the same wait.
      if (Date.now() > deadline) {
        throw new ProblemError(
          503,
          "service_unavailable",
          `The first request with Idempotency-Key ${key} is still being answered; retry shortly to get its answer.`,
          undefined,
          { "Retry-After": "1" },
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
}

/** Stores the answer (without its secret field) when it is a success, releases the key otherwise. */
function recordAnswer(
  store: IdempotencyRepository,
  res: Response,
  accountId: string,
  key: string,
  secretField: string | undefined,
): void {
  let body: string | undefined;
  const json = res.json.bind(res);
  res.json = (value: unknown) => {
    // Stryker disable next-line ConditionalExpression: without a field the copy is the value itself.
    body = JSON.stringify(secretField ? withoutField(value, secretField) : value);
    return json(value);
  };
  res.on("finish", () => {
    const done =
      // Stryker disable next-line ConditionalExpression: Express never finishes a response below 200.
      res.statusCode >= 200 && res.statusCode < 300
        ? store.answer(accountId, key, res.statusCode, pick(res, REPLAYED_HEADERS), body ?? "")
        : store.release(accountId, key);
    // The answer is already sent; if recording fails, a retry simply runs again.
    done.catch(() => undefined);
  });
}

/** A copy of a JSON object answer without `field`. */
function withoutField(value: unknown, field: string): unknown {
  const copy = { ...(value as Record<string, unknown>) };
  delete copy[field];
  return copy;
}

/** The stored body, with the withheld secret put back when the answer had one. */
async function replayBody(stored: string, accountId: string, secret: IdempotencyOptions["secret"]): Promise<string> {
  if (!secret || stored === "") return stored;
  return JSON.stringify(await secret.restore(accountId, JSON.parse(stored)));
}

function pick(res: Response, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = res.get(name);
    // Stryker disable next-line ConditionalExpression: JSON drops undefined values: nothing stored changes.
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** JSON with sorted keys, so the same body in another key order is the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    // Stryker disable next-line EqualityOperator,ConditionalExpression: an object's keys are distinct, so a
    // comparator that confuses "after" with "equal" sorts them the same.
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

import type { MailproofClient } from "./client.js";
import { retryAfterSeconds, toError, unwrap } from "./errors.js";
import { cursorOf } from "./paginate.js";
import { type EmailValidation, type PageSize, TERMINAL_STATUSES, type ValidationResult } from "./types.js";

export interface ValidateOptions {
  /** Stops waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Also cancel the job on the server when `signal` aborts (default false: it keeps running). */
  cancelOnAbort?: boolean;
  /** Called after every poll with the job as it stands. */
  onProgress?: (job: EmailValidation) => void;
  /** Used when an answer lacks `Retry-After` (seconds; default 2). */
  fallbackIntervalSeconds?: number;
  /** Sent as `Idempotency-Key`, so a retried start does not create a second job. */
  idempotencyKey?: string;
}

/**
 * Starts a validation and waits until it is terminal, polling only as often as the server's
 * `Retry-After` says. Resolves with the final job (its first page of results); use
 * `validationResults` for every result.
 */
export async function validateEmails(
  client: MailproofClient,
  emails: string[],
  options: ValidateOptions = {},
): Promise<EmailValidation> {
  const { signal } = options;
  signal?.throwIfAborted();
  const started = await client.POST("/v1/email-validations", {
    body: { emails },
    params: { header: options.idempotencyKey ? { "Idempotency-Key": options.idempotencyKey } : {} },
    signal: signal ?? null,
  });
  let job = unwrap(started);
  let wait = retryAfterSeconds(started.response) ?? options.fallbackIntervalSeconds ?? 2;
  try {
    while (!TERMINAL_STATUSES.includes(job.status)) {
      await sleep(wait * 1000, signal);
      const polled = await client.GET("/v1/email-validations/{validation_id}", {
        params: { path: { validation_id: job.id } },
        signal: signal ?? null,
      });
      job = unwrap(polled);
      options.onProgress?.(job);
      wait = retryAfterSeconds(polled.response) ?? options.fallbackIntervalSeconds ?? 2;
    }
    return job;
  } catch (error) {
    if (signal?.aborted && options.cancelOnAbort) await cancelQuietly(client, job.id);
    throw error;
  }
}

/** Every result of a job, in email order, page after page. */
export async function* validationResults(
  client: MailproofClient,
  validationId: string,
  options: { pageSize?: PageSize; signal?: AbortSignal } = {},
): AsyncGenerator<ValidationResult, void, undefined> {
  let after: string | null = null;
  do {
    const page = { size: options.pageSize ?? 100, ...(after === null ? {} : { after }) };
    const job = unwrap(
      await client.GET("/v1/email-validations/{validation_id}", {
        params: { path: { validation_id: validationId }, query: { page } },
        signal: options.signal ?? null,
      }),
    );
    yield* job.results;
    after = cursorOf(job.links.next);
  } while (after !== null);
}

async function cancelQuietly(client: MailproofClient, validationId: string): Promise<void> {
  const result = await client
    .PATCH("/v1/email-validations/{validation_id}", {
      params: { path: { validation_id: validationId } },
      body: { status: "canceled" },
    })
    .catch(() => null);
  // 409 means it finished meanwhile: nothing to cancel, nothing to report.
  if (result && !result.response.ok && result.response.status !== 409) throw toError(result.response, result.error);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

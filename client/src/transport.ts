// What every call goes through: a timeout, and retries with exponential backoff and full jitter
// for what is safe to send again (idempotent methods, and POSTs that carry an Idempotency-Key)
// when the answer says "later" (429 rate_limited, 503) or none came (a network error or a timeout).

export type FetchLike = (request: Request) => Promise<Response>;

export interface RetryOptions {
  /** Attempts after the first (default 3; 0 turns retries off). */
  retries?: number;
  /** The first backoff step in ms (default 500); each next one doubles, capped by maxDelayMs. */
  baseDelayMs?: number;
  /**
   * The longest wait between attempts in ms (default 30,000). A `Retry-After` longer than this is
   * not waited for: the answer (a 429 with its cool-down, say) is returned for the caller to act on.
   */
  maxDelayMs?: number;
}

export interface TransportOptions {
  /** A whole attempt's bound in ms (default 30,000); a timed-out attempt counts as a network error. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** For tests: the random source of the jitter, and the wait. */
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
const LATER = new Set([429, 503]);

export function resilientFetch(base: FetchLike, options: TransportOptions = {}): FetchLike {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retry?.retries ?? 3;
  const baseDelayMs = options.retry?.baseDelayMs ?? 500;
  const maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;

  return async (request) => {
    const retryable = IDEMPOTENT.has(request.method) || request.headers.has("Idempotency-Key");
    for (let attempt = 0; ; attempt++) {
      const last = !retryable || attempt >= retries;
      // Every attempt sends a copy: the original's body stays unread for the next one.
      const signal = AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await base(new Request(last ? request : request.clone(), { signal }));
      } catch (error) {
        failure = error;
      }
      // The caller gave up: no retry outlives that.
      if (request.signal.aborted) throw request.signal.reason;
      const backoff = () => random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
      const wait = last
        ? null
        : response === undefined
          ? backoff()
          : LATER.has(response.status) && (await saysLater(response))
            ? laterDelay(response, backoff(), maxDelayMs)
            : null;
      if (wait === null) {
        if (response === undefined) throw failure;
        return response;
      }
      await response?.body?.cancel().catch(() => undefined);
      await sleep(wait, request.signal);
    }
  };
}

/**
 * Whether a 429 or 503 is about capacity (a request budget, a busy store) rather than a rule of the
 * API: a 429 whose problem is not `rate_limited` (a confirmation mail's cool-down or daily cap, an
 * account's mail quota) is an answer for the caller, who decides whether to wait hours for it.
 */
async function saysLater(response: Response): Promise<boolean> {
  if (response.status !== 429) return true;
  const body = await response
    .clone()
    .json()
    .catch(() => null);
  const code = typeof body === "object" && body !== null ? (body as { code?: unknown }).code : undefined;
  return code === undefined || code === "rate_limited";
}

/**
 * How long a 429 or 503 asks to wait: `Retry-After` (seconds or a date), else the reset of the
 * budget in `RateLimit` (`t=`), else the backoff; null when that is longer than we wait.
 */
function laterDelay(response: Response, backoff: number, maxDelayMs: number): number | null {
  const seconds = retryAfterSecondsOf(response.headers) ?? rateLimitResetSeconds(response.headers);
  if (seconds === null) return backoff;
  const ms = seconds * 1000;
  // A little jitter on top, so clients told the same second do not all come back at once.
  return ms > maxDelayMs ? null : ms + Math.min(250, backoff);
}

/** `Retry-After` as whole seconds: delta-seconds, or an HTTP date turned into seconds from now. */
export function retryAfterSecondsOf(headers: Headers, now: () => number = Date.now): number | null {
  const raw = headers.get("retry-after")?.trim();
  if (!raw) return null;
  if (/^\d+$/.test(raw)) return Number(raw);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now()) / 1000));
}

/** The smallest `t=` (seconds until the budget resets) of a `RateLimit` header whose `r=` is 0. */
function rateLimitResetSeconds(headers: Headers): number | null {
  const raw = headers.get("ratelimit");
  if (!raw) return null;
  const spent = raw
    .split(",")
    .filter((item) => /;\s*r=0(\s*;|\s*$)/.test(item))
    .map((item) => /;\s*t=(\d+)/.exec(item)?.[1])
    .filter((t): t is string => t !== undefined)
    .map(Number);
  return spent.length > 0 ? Math.min(...spent) : null;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

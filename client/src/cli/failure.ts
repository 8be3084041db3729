import { MailproofError } from "../index.js";
import { UsageError } from "./usage.js";

/**
 * What the CLI prints for a failure: the API's own words for its answers, and for what never got
 * an answer a sentence a user can act on, instead of Node's "TypeError: fetch failed".
 */
export function describeFailure(error: unknown, baseUrl: string | undefined): string {
  if (error instanceof UsageError || error instanceof MailproofError) return error.message;
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return `the API at ${baseUrl} did not answer in time`;
  // undici's network failure: the reason is its cause (ECONNREFUSED, ENOTFOUND, a TLS error...).
  if (error instanceof TypeError && error.message === "fetch failed") {
    const cause = error.cause as { code?: string; message?: string } | undefined;
    return `cannot reach the API at ${baseUrl}: ${cause?.message ?? "the connection failed"}`;
  }
  // A file the command was given (ENOENT: no such file or directory, open 'list.csv').
  const { code, path } = error as NodeJS.ErrnoException;
  if (code && path) return `${path}: ${error.message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "")}`;
  return `${error.name}: ${error.message}`;
}

/** The API's base URL as given, once it is an http(s) URL. */
export function checkedBaseUrl(baseUrl: string): string {
  const scheme = URL.canParse(baseUrl) ? new URL(baseUrl).protocol : null;
  if (scheme !== "http:" && scheme !== "https:")
    throw new UsageError(
      `MAILPROOF_URL (or --url) must be an http:// or https:// URL, such as http://127.0.0.1:8080 (got '${baseUrl}')`,
    );
  return baseUrl;
}

import { toAsciiDomain } from "./domain.js";

/**
 * A domain name as typed by a user, lower-cased and in ASCII (IDNA), or null when it is not a
 * usable public hostname (see toAsciiDomain). A trailing dot and surrounding space are dropped.
 */
export function normalizeHostname(input: string): string | null {
  return toAsciiDomain(input.trim().replace(/\.$/, ""));
}

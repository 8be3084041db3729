import { domainToASCII } from "node:url";

/**
 * A domain name as typed by a user, lower-cased and in ASCII (IDNA, via the WHATWG URL parser),
 * or null when it is not a usable public hostname: at least two labels, each 1-63 letters, digits
 * or inner hyphens, at most 253 characters, and a TLD that is not all digits.
 */
export function normalizeHostname(input: string): string | null {
  const trimmed = input.trim().replace(/\.$/, "");
  if (trimmed === "" || /[\s/:@?#[\]\\]/.test(trimmed)) return null;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split(".");
  if (labels.length < 2) return null;
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
  if (!labels.every((l) => label.test(l))) return null;
  if (/^\d+$/.test(labels.at(-1)!)) return null;
  return ascii;
}

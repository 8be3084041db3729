import { domainToASCII } from "node:url";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain as ASCII: lower-case, IDN labels to punycode (IDNA via the WHATWG URL host parser),
 * at least two labels of letters, digits and inner hyphens, 1-63 octets each, at most 253 in
 * all, and a top-level label that is not all digits. A trailing dot is not part of a mailbox.
 */
export function toAsciiDomain(domain: string): string | null {
  if (domain.length === 0 || domain.endsWith(".") || /[\s/\\?#@:%[\]<>"]/.test(domain)) return null;
  const ascii = isAscii(domain) ? domain.toLowerCase() : domainToASCII(domain.toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^\d+$/.test(labels.at(-1)!)) return null;
  return ascii;
}

/** Only code points below 128 (no conversion to A-labels needed). */
export const isAscii = (text: string): boolean => /^\p{ASCII}*$/u.test(text);

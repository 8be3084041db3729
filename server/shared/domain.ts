import { toALabels } from "./idna.js";

/**
 * Whether `domain` is a domain in the syntax of RFC 5321 §4.1.2 (with IDNA2008 labels, RFC 5890):
 * its A-label form, lower-case, labels of 1-63 octets, at most 253 in all, the last not all
 * digits (RFC 3696 §2: it would read as an address). One label is enough for the syntax
 * (RFC 5321 §2.3.5); whether such a name takes mail is for the caller to say.
 */
export function domainSyntax(domain: string): { ascii: string } | { why: string } {
  if (domain.length === 0) return { why: "empty domain" };
  if (domain.endsWith(".")) return { why: "a trailing dot is not part of a mailbox's domain (RFC 5321 §4.1.2)" };
  const converted = toALabels(domain);
  if ("why" in converted) return converted;
  const { ascii } = converted;
  if (ascii.length > 253) return { why: "domain over 253 octets (RFC 1035 §2.3.4, RFC 5321 §4.5.3.1.2)" };
  const labels = ascii.split(".");
  if (labels.some((l) => l.length > 63)) return { why: "a label over 63 octets (RFC 1035 §2.3.4)" };
  if (/^\d+$/.test(labels.at(-1)!)) return { why: "an all-numeric top-level label (RFC 3696 §2)" };
  return { ascii };
}

/**
 * A domain as ASCII (see domainSyntax) when it can be a public host name: at least two labels.
 * A trailing dot is not part of a mailbox.
 */
export function toAsciiDomain(domain: string): string | null {
  const syntax = domainSyntax(domain);
  return "ascii" in syntax && syntax.ascii.includes(".") ? syntax.ascii : null;
}

/** Only code points below 128 (no conversion to A-labels needed). */
export const isAscii = (text: string): boolean => /^\p{ASCII}*$/u.test(text);

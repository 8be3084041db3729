import { domainToASCII } from "node:url";
import { domainSyntax } from "./domain.js";

/** Splits at the last `@` (a quoted local part may contain `@`). */
export function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** The address with its domain lower-cased and in ASCII (IDN to punycode); the local part is kept. */
export function normalizeAddress(address: string): string {
  const parts = splitAddress(address.trim());
  if (!parts) return address.trim();
  return `${parts.local}@${domainToASCII(parts.domain.toLowerCase()) || parts.domain.toLowerCase()}`;
}

/** The account-wide uniqueness key of an address: case-insensitive, as users expect of mailboxes. */
export const addressKey = (address: string) => normalizeAddress(address).toLowerCase();

/**
 * Why mail cannot be sent to an address that has the contract's `email` format, or null when it
 * can: the format lets through what RFC 5321 refuses elsewhere, a local part over 64 octets and a
 * domain whose last label is all digits (`a@127.0.0.1` names no host: an address needs brackets).
 */
export function unsendableAddress(address: string): string | null {
  const parts = splitAddress(address);
  if (!parts) return "has no @ between a local part and a domain";
  if (Buffer.byteLength(parts.local, "utf8") > 64) return "has a local part over 64 octets (RFC 5321 §4.5.3.1.1)";
  const domain = domainSyntax(parts.domain);
  return "why" in domain ? `has a domain mail cannot go to: ${domain.why}` : null;
}

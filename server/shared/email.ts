import { domainToASCII } from "node:url";

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

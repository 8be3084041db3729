import { fullFormats } from "ajv-formats/dist/formats.js";
import { domainSyntax, isAscii } from "./domain.js";
import { toALabels, toULabels } from "./idna.js";

/** Splits at the last `@` (a quoted local part may contain `@`). */
export function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/**
 * The address with its domain lower-cased and in ASCII (IDNA2008 A-labels, as mailbox domains
 * store theirs); the local part is kept. A domain that does not convert is only lower-cased.
 */
export function normalizeAddress(address: string): string {
  const parts = splitAddress(address.trim());
  if (!parts) return address.trim();
  const domain = parts.domain.toLowerCase();
  const converted = toALabels(domain);
  return `${parts.local}@${"ascii" in converted ? converted.ascii : domain}`;
}

/**
 * An address as a person reads it: one whose domain is stored in A-labels (`ana@xn--bcher-kva.de`)
 * shows it in Unicode, followed by the stored form, which no look-alike character can disguise:
 * `ana@bücher.de (ana@xn--bcher-kva.de)`. Any other address is shown as it is.
 */
export function shownAddress(address: string): string {
  const parts = splitAddress(address);
  const unicode = parts ? `${parts.local}@${toULabels(parts.domain)}` : address;
  return unicode === address ? address : `${unicode} (${address})`;
}

/**
 * JSON Schema's `idn-email` (RFC 6531): an `email` once its domain is in A-labels and its local
 * part's non-ASCII characters, which RFC 6532 allows wherever ASCII letters are, are read as
 * letters. The contract takes addresses in this format; what mail cannot be sent to among them
 * (a non-ASCII local part, among others) is refused by the service, with its reason.
 */
export function isIdnEmail(address: string): boolean {
  const parts = splitAddress(address);
  if (!parts) return false;
  const domain = toALabels(parts.domain.toLowerCase());
  if ("why" in domain) return false;
  const local = parts.local.replace(/[^\p{ASCII}]/gu, "a");
  return (fullFormats.email as RegExp).test(`${local}@${domain.ascii}`);
}

/** The account-wide uniqueness key of an address: case-insensitive, as users expect of mailboxes. */
export const addressKey = (address: string) => normalizeAddress(address).toLowerCase();

/**
 * Why mail cannot be sent to an address that has the contract's `idn-email` format, or null when
 * it can: the format lets through what RFC 5321 refuses elsewhere, a local part over 64 octets, a
 * domain whose last label is all digits (`a@127.0.0.1` names no host: an address needs brackets),
 * over 254 octets once the domain is in ASCII; and a local part that only SMTPUTF8 could carry.
 */
export function unsendableAddress(address: string): string | null {
  const parts = splitAddress(address);
  if (!parts) return "has no @ between a local part and a domain";
  if (!isAscii(parts.local))
    return "has a local part that is not ASCII: mail to it needs SMTPUTF8 (RFC 6531), which mailproof does not send";
  if (parts.local.length > 64) return "has a local part over 64 octets (RFC 5321 §4.5.3.1.1)";
  const domain = domainSyntax(parts.domain.toLowerCase());
  if ("why" in domain) return `has a domain mail cannot go to: ${domain.why}`;
  const octets = parts.local.length + 1 + domain.ascii.length;
  return octets > 254 ? `is ${octets} octets with its domain in ASCII, over 254 (RFC 5321 §4.5.3.1.3)` : null;
}

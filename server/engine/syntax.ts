import { domainSyntax, isAscii } from "../shared/domain.js";

/** What the syntax check found out about one string. */
export type SyntaxResult =
  | {
      valid: true;
      local: string;
      /** The domain in ASCII (IDN converted), lower-case; for an address literal, the literal. */
      domain: string;
      /** The local part needs SMTPUTF8 (RFC 6531). */
      internationalized: boolean;
      /** `[192.0.2.1]` or `[IPv6:2001:db8::1]` instead of a domain (RFC 5321 §4.1.3). */
      addressLiteral: boolean;
    }
  | { valid: false; why: string };

// RFC 5322 §3.2.3 atext, extended by RFC 6531 §3.3 with any non-ASCII UTF-8 character.
const ATEXT = "A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\u{10FFFF}";
const DOT_ATOM = new RegExp(`^[${ATEXT}]+(\\.[${ATEXT}]+)*$`, "u");
// RFC 5321 §4.1.2 Quoted-string: qtextSMTP (%d32-33 / %d35-91 / %d93-126, + UTF-8 per RFC 6531)
// or quoted-pairSMTP (backslash followed by %d32-126).
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\u{10FFFF}]|\\[\x20-\x7e])*"$/u;
const octets = (s: string) => Buffer.byteLength(s, "utf8");

/**
 * Checks a string as an SMTP envelope address (RFC 5321 Mailbox; RFC 6531 for UTF-8). A bare
 * address only: display names, angle brackets, comments and folding white space (RFC 5322's
 * obsolete and CFWS forms) are not accepted, because RCPT TO does not accept them.
 */
export function checkSyntax(input: string): SyntaxResult {
  if (input.length === 0) return invalid("empty");
  if (/[\r\n\t]/.test(input)) return invalid("control characters (RFC 5321 §4.1.2)");
  const at = splitAt(input);
  if (!at) return invalid("no @ separating a local part and a domain (RFC 5321 §4.1.2)");
  const { local, domain } = at;
  if (local.length === 0) return invalid("empty local part (RFC 5321 §4.1.2)");
  if (octets(local) > 64) return invalid("local part over 64 octets (RFC 5321 §4.5.3.1.1)");
  // RFC 6532 §3.1 (and RFC 5198): no controls, C0 or C1, and no spaces beyond the ASCII space a
  // quoted string may hold (U+00A0, U+2000-U+200A, U+3000...); Unicode text in NFC.
  if (/[\p{Cc}\p{Cs}]|[^\P{White_Space} ]/u.test(local))
    return invalid("a control character or a non-ASCII space in the local part (RFC 6532 §3.1, RFC 5198 §2)");
  if (local !== local.normalize("NFC")) return invalid("local part not in Unicode NFC (RFC 6532 §3.1)");
  const quoted = local.startsWith('"');
  if (quoted ? !QUOTED.test(local) : !DOT_ATOM.test(local))
    return invalid(
      quoted ? "malformed quoted local part (RFC 5321 §4.1.2)" : "local part is not a dot-atom (RFC 5322 §3.2.3)",
    );
  const internationalized = !isAscii(local);

  if (domain.startsWith("[")) {
    if (!domain.endsWith("]")) return invalid("unterminated address literal (RFC 5321 §4.1.3)");
    const literal = addressLiteral(domain.slice(1, -1));
    if (!literal) return invalid("malformed address literal (RFC 5321 §4.1.3)");
    // No 254-octet check here: a local part of at most 64 octets and the longest literal
    // ([IPv6:<6 groups>:<IPv4>], 52 characters) cannot reach it.
    return { valid: true, local, domain: literal, internationalized, addressLiteral: true };
  }

  const syntax = domainSyntax(domain);
  if ("why" in syntax) return invalid(`domain: ${syntax.why}`);
  const { ascii } = syntax;
  if (octets(local) + 1 + ascii.length > 254)
    return invalid("address over 254 octets (RFC 5321 §4.5.3.1.3, RFC 3696 errata)");
  return { valid: true, local, domain: ascii, internationalized, addressLiteral: false };
}

const SNUM = /^\d{1,3}$/;
const HEX = /^[0-9a-f]{1,4}$/i;

/** RFC 5321 §4.1.3 IPv4-address-literal: four Snum (1-3 digits, 0-255; leading zeros allowed). */
function ipv4(text: string): string | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => SNUM.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number).join(".");
}

/**
 * RFC 5321 §4.1.3 IPv6-addr: IPv6-full (8 groups), IPv6-comp (at most 6 groups around "::", which
 * stands for at least two groups of zeros), and the same with an IPv4 address as the last 32
 * bits (6 groups, or at most 4 around "::"). Stricter than RFC 4291, which lets "::" stand for one.
 */
function ipv6(text: string): boolean {
  const tail = text.slice(text.lastIndexOf(":") + 1);
  const embedded = tail.includes(".");
  if (embedded && !ipv4(tail)) return false;
  // The hex part, without the IPv4 part and the colon before it (unless that colon ends a "::").
  const head = embedded ? text.slice(0, text.length - tail.length) : text;
  const hex = embedded && !head.endsWith("::") ? head.slice(0, -1) : head;
  const halves = hex.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  if (!groups.every((g) => HEX.test(g))) return false;
  const room = embedded ? 6 : 8; // 16-bit groups before the IPv4 part, or in all
  return halves.length === 1 ? groups.length === room : groups.length <= room - 2;
}

/** An address literal's inner text (RFC 5321 §4.1.3), normalized for use: `[192.0.2.1]`, `[ipv6:...]`. */
function addressLiteral(inner: string): string | null {
  if (/^ipv6:/i.test(inner)) return ipv6(inner.slice(5)) ? `[ipv6:${inner.slice(5).toLowerCase()}]` : null;
  const v4 = ipv4(inner);
  return v4 ? `[${v4}]` : null;
}

/** The last @ outside a quoted local part. */
function splitAt(input: string): { local: string; domain: string } | null {
  const at = input.lastIndexOf("@");
  if (at < 0) return null;
  return { local: input.slice(0, at), domain: input.slice(at + 1) };
}

const invalid = (why: string): SyntaxResult => ({ valid: false, why });

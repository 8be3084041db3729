import { isIP } from "node:net";
import { isAscii, toAsciiDomain } from "../shared/domain.js";

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
  const quoted = local.startsWith('"');
  if (quoted ? !QUOTED.test(local) : !DOT_ATOM.test(local))
    return invalid(
      quoted ? "malformed quoted local part (RFC 5321 §4.1.2)" : "local part is not a dot-atom (RFC 5322 §3.2.3)",
    );
  const internationalized = !isAscii(local);

  if (domain.startsWith("[")) {
    if (!domain.endsWith("]")) return invalid("unterminated address literal (RFC 5321 §4.1.3)");
    const inner = domain.slice(1, -1);
    const ok = inner.toLowerCase().startsWith("ipv6:")
      ? isIP(inner.slice(5)) === 6
      : isIP(inner) === 4 && !inner.includes(":");
    if (!ok) return invalid("malformed address literal (RFC 5321 §4.1.3)");
    // No 254-octet check here: a local part of at most 64 octets and the longest literal
    // ([IPv6:<8 groups>] with an embedded IPv4, 52 characters) cannot reach it.
    return { valid: true, local, domain: domain.toLowerCase(), internationalized, addressLiteral: true };
  }

  const ascii = toAsciiDomain(domain);
  if (!ascii) return invalid("domain is not a valid host name (RFC 5321 §4.1.2, RFC 5890)");
  if (octets(local) + 1 + ascii.length > 254)
    return invalid("address over 254 octets (RFC 5321 §4.5.3.1.3, RFC 3696 errata)");
  return { valid: true, local, domain: ascii, internationalized, addressLiteral: false };
}

/** The last @ outside a quoted local part. */
function splitAt(input: string): { local: string; domain: string } | null {
  const at = input.lastIndexOf("@");
  if (at < 0) return null;
  return { local: input.slice(0, at), domain: input.slice(at + 1) };
}

const invalid = (why: string): SyntaxResult => ({ valid: false, why });

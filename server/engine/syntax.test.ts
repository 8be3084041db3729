import { describe, expect, it } from "vitest";
import { checkSyntax } from "./syntax.js";

// The syntax check, table-driven: [input, valid, the RFC rule that decides it]. Each family of
// cases is spelled out once and expanded over its variants, so the table reads like the RFCs.
type Case = [input: string, valid: boolean, rule: string];

const ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~".split("");
const NOT_ATEXT = ["(", ")", "<", ">", "[", "]", ":", ";", "@", "\\", ",", '"', " "];
const DOMAINS = ["example.com", "mail.example.co.uk", "xn--bcher-kva.de", "a1-b2.example", "x.io"];

const cases: Case[] = [
  // RFC 5322 §3.2.3: every atext character may appear in a dot-atom local part.
  ...ATEXT_SPECIALS.flatMap((c): Case[] =>
    DOMAINS.map((d) => [`a${c}b@${d}`, true, `'${c}' is atext (RFC 5322 §3.2.3)`]),
  ),
  ...ATEXT_SPECIALS.map(
    (c): Case => [`${c}@example.com`, true, `a one-character dot-atom of atext '${c}' (RFC 5322 §3.2.3)`],
  ),
  // Specials and space are not atext: invalid unquoted, valid inside a quoted string (RFC 5321 §4.1.2).
  ...NOT_ATEXT.filter((c) => c !== "@").flatMap((c): Case[] =>
    DOMAINS.map((d) => [`a${c}b@${d}`, false, `'${c}' is not atext; it needs quoting (RFC 5322 §3.2.3)`]),
  ),
  ...NOT_ATEXT.filter((c) => c !== '"' && c !== "\\").flatMap((c): Case[] =>
    DOMAINS.map((d) => [`"a${c}b"@${d}`, true, `'${c}' is qtextSMTP inside a quoted string (RFC 5321 §4.1.2)`]),
  ),
  ['"a\\"b"@example.com', true, "an escaped quote is a quoted-pairSMTP (RFC 5321 §4.1.2)"],
  ['"a\\\\b"@example.com', true, "an escaped backslash is a quoted-pairSMTP (RFC 5321 §4.1.2)"],
  ['"a"b"@example.com', false, "an unescaped quote inside a quoted string (RFC 5321 §4.1.2)"],
  ['"a\\b@example.com', false, "an unterminated quoted string (RFC 5321 §4.1.2)"],
  ['""@example.com', true, "the empty quoted string is a valid Quoted-string (RFC 5321 §4.1.2)"],
  ['"a b"@example.com', true, "space is qtextSMTP (%d32) (RFC 5321 §4.1.2)"],
  // Dots (RFC 5322 §3.2.3 dot-atom-text).
  ...DOMAINS.flatMap((d): Case[] => [
    [`first.last@${d}`, true, "single dots between atoms (RFC 5322 §3.2.3)"],
    [`.first@${d}`, false, "a leading dot (RFC 5322 §3.2.3)"],
    [`first.@${d}`, false, "a trailing dot (RFC 5322 §3.2.3)"],
    [`first..last@${d}`, false, "consecutive dots (RFC 5322 §3.2.3)"],
    [`"first..last"@${d}`, true, "dots are free inside a quoted string (RFC 5321 §4.1.2)"],
    [`@${d}`, false, "an empty local part (RFC 5321 §4.1.2)"],
    [`first.last${d}`, false, "no @ (RFC 5321 §4.1.2)"],
    [`first@last@${d}`, false, "'@' is not atext in the local part (RFC 5322 §3.2.3)"],
  ]),
  // Lengths (RFC 5321 §4.5.3.1).
  [`${"a".repeat(64)}@example.com`, true, "a 64-octet local part is the limit (RFC 5321 §4.5.3.1.1)"],
  [`${"a".repeat(65)}@example.com`, false, "a 65-octet local part (RFC 5321 §4.5.3.1.1)"],
  [`${"é".repeat(32)}@example.com`, true, "64 octets in UTF-8 (RFC 6531 §3.3)"],
  [`${"é".repeat(33)}@example.com`, false, "66 octets in UTF-8 (RFC 5321 §4.5.3.1.1, RFC 6531)"],
  [`a@${"b".repeat(63)}.com`, true, "a 63-octet label is the limit (RFC 1035 §2.3.4)"],
  [`a@${"b".repeat(64)}.com`, false, "a 64-octet label (RFC 1035 §2.3.4)"],
  [
    `${"a".repeat(64)}@${["b".repeat(63), "c".repeat(63), "d".repeat(58)].join(".")}.com`,
    false,
    "an address over 254 octets (RFC 5321 §4.5.3.1.3 with RFC 3696 errata 1690)",
  ],
  [
    `${"a".repeat(60)}@${["b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".")}.com`,
    true,
    "an address of exactly 254 octets (RFC 3696 errata 1690)",
  ],
  // Domains (RFC 5321 §4.1.2 Domain, RFC 1123 §2.1 LDH labels).
  ...["localhost", "com", "example", "a"].map(
    (d): Case => [`user@${d}`, false, "a single-label domain is not a public mail domain (RFC 5321 §2.3.5)"],
  ),
  ...[
    "-example.com",
    "example-.com",
    "exa_mple.com",
    "example..com",
    ".example.com",
    "example.com.",
    "exa mple.com",
    "example.123",
    "example.com:25",
    "ex/ample.com",
  ].map((d): Case => [`user@${d}`, false, `'${d}' breaks the LDH label rules (RFC 1123 §2.1, RFC 5321 §4.1.2)`]),
  ...[
    "ex-ample.com",
    "123.example.com",
    "a.b.c.d.e.f.example",
    "xn--80ak6aa92e.com",
    "EXAMPLE.COM",
    "sub-1.example-2.org",
  ].map((d): Case => [`user@${d}`, true, `'${d}' is a valid host name (RFC 1123 §2.1)`]),
  // Address literals (RFC 5321 §4.1.3).
  ["user@[192.0.2.1]", true, "an IPv4 address literal (RFC 5321 §4.1.3)"],
  ["user@[IPv6:2001:db8::1]", true, "an IPv6 address literal (RFC 5321 §4.1.3)"],
  ["user@[ipv6:::1]", true, "the IPv6 tag is case-insensitive (RFC 5321 §4.1.3)"],
  ["user@[300.0.2.1]", false, "not an IPv4 address (RFC 5321 §4.1.3)"],
  ["user@[2001:db8::1]", false, "an IPv6 literal needs the IPv6: tag (RFC 5321 §4.1.3)"],
  ["user@[192.0.2.1", false, "an unterminated address literal (RFC 5321 §4.1.3)"],
  // Internationalized addresses (RFC 6531) and IDN domains (RFC 5890).
  ["josé@example.com", true, "UTF-8 in the local part (RFC 6531 §3.3)"],
  ["用户@例子.广告", true, "UTF-8 local part and IDN domain (RFC 6531, RFC 5890)"],
  ["user@bücher.de", true, "an IDN domain, looked up as xn--bcher-kva.de (RFC 5890)"],
  ["δοκιμή@παράδειγμα.δοκιμή", true, "Greek local part and domain (RFC 6531, RFC 5890)"],
  ["user@😀.example", true, "an emoji label maps to punycode under UTS 46 (RFC 5890)"],
  // Not bare addresses: display names, angle brackets, comments, folding white space, obsolete forms.
  ["Ana Silva <ana@example.com>", false, "a display name is a name-addr, not an envelope address (RFC 5321 §4.1.2)"],
  ["<ana@example.com>", false, "angle brackets belong to the SMTP command, not the address (RFC 5321 §4.1.1.3)"],
  ["ana(comment)@example.com", false, "comments are CFWS, not part of a Mailbox (RFC 5321 §4.1.2)"],
  ["ana@example.com (comment)", false, "a trailing comment (RFC 5321 §4.1.2)"],
  [" ana@example.com", false, "leading white space (RFC 5321 §4.1.2)"],
  ["ana@example.com ", false, "trailing white space (RFC 5321 §4.1.2)"],
  ["ana @example.com", false, "white space before @ is obsolete syntax (RFC 5322 §4.4)"],
  ["ana. silva@example.com", false, "obs-local-part with white space (RFC 5322 §4.4)"],
  ['"ana".silva@example.com', false, "obs-local-part mixing quoted and atom words (RFC 5322 §4.4)"],
  ["ana@example.com\r\nBcc: x@example.org", false, "line breaks are never part of an address (RFC 5321 §4.1.2)"],
  ["ana@[example.com]", false, "a domain in brackets is not an address literal (RFC 5321 §4.1.3)"],
  ["", false, "the empty string"],
  ["@", false, "only a separator (RFC 5321 §4.1.2)"],
  ["ana@", false, "an empty domain (RFC 5321 §4.1.2)"],
];

describe("checkSyntax", () => {
  it("has several hundred cases", () => expect(cases.length).toBeGreaterThan(300));

  it.each(cases)("%j → %s (%s)", (input, valid) => {
    expect(checkSyntax(input).valid).toBe(valid);
  });

  it("converts the domain to ASCII and flags internationalized local parts", () => {
    expect(checkSyntax("José@Bücher.DE")).toEqual({
      valid: true,
      local: "José",
      domain: "xn--bcher-kva.de",
      internationalized: true,
      addressLiteral: false,
    });
    expect(checkSyntax("user@[IPv6:2001:DB8::1]")).toMatchObject({
      valid: true,
      domain: "[ipv6:2001:db8::1]",
      addressLiteral: true,
      internationalized: false,
    });
    expect(checkSyntax("a..b@example.com")).toEqual({
      valid: false,
      why: "local part is not a dot-atom (RFC 5322 §3.2.3)",
    });
  });

  // Each refusal says which rule, so a result's reason can be explained to a user.
  it.each([
    ["", "empty"],
    ["a\r\nb@example.com", "control characters (RFC 5321 §4.1.2)"],
    ["a\tb@example.com", "control characters (RFC 5321 §4.1.2)"],
    ["no-at-sign.example.com", "no @ separating a local part and a domain (RFC 5321 §4.1.2)"],
    ["@example.com", "empty local part (RFC 5321 §4.1.2)"],
    [`${"a".repeat(65)}@example.com`, "local part over 64 octets (RFC 5321 §4.5.3.1.1)"],
    [`${"ä".repeat(33)}@example.com`, "local part over 64 octets (RFC 5321 §4.5.3.1.1)"],
    ['"ab@example.com', "malformed quoted local part (RFC 5321 §4.1.2)"],
    ['ab"@example.com', "local part is not a dot-atom (RFC 5322 §3.2.3)"],
    ["a@[192.0.2.1", "unterminated address literal (RFC 5321 §4.1.3)"],
    ["a@[IPv6:not-an-address]", "malformed address literal (RFC 5321 §4.1.3)"],
    ["a@[IPv6:192.0.2.1]", "malformed address literal (RFC 5321 §4.1.3)"],
    ["a@[2001:db8::1]", "malformed address literal (RFC 5321 §4.1.3)"],
    ["a@exa mple.com", "domain is not a valid host name (RFC 5321 §4.1.2, RFC 5890)"],
    [
      `${"a".repeat(64)}@${`${"b".repeat(63)}.`.repeat(3)}${"c".repeat(60)}`,
      "address over 254 octets (RFC 5321 §4.5.3.1.3, RFC 3696 errata)",
    ],
  ])("%j is refused: %s", (input, why) => {
    expect(checkSyntax(input)).toEqual({ valid: false, why });
  });

  it("takes exactly 254 octets, and an address literal of the greatest length", () => {
    const at254 = `${"a".repeat(64)}@${`${"b".repeat(63)}.`.repeat(2)}${"c".repeat(61)}`;
    expect(Buffer.byteLength(at254)).toBe(254);
    expect(checkSyntax(at254).valid).toBe(true);
    expect(checkSyntax(`${at254.slice(0, 64)}x${at254.slice(64)}`).valid).toBe(false);
    const literal = `${"a".repeat(64)}@[IPv6:ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]`;
    expect(checkSyntax(literal)).toMatchObject({ valid: true, addressLiteral: true });
  });

  it("splits at the last @, even the first character's", () => {
    expect(checkSyntax('"a@b"@example.com')).toMatchObject({ valid: true, local: '"a@b"', domain: "example.com" });
    expect(checkSyntax("@")).toEqual({ valid: false, why: "empty local part (RFC 5321 §4.1.2)" });
  });

  it("reads a non-ASCII local part as code points (atext extended by RFC 6531)", () => {
    expect(checkSyntax("𝒳.ü@example.com")).toMatchObject({ valid: true, internationalized: true });
  });
});

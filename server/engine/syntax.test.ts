import punycode from "punycode/punycode.js";
import { describe, expect, it } from "vitest";
import { checkSyntax } from "./syntax.js";

// The syntax check, table-driven: [input, valid, the RFC rule that decides it]. Each family of
// cases is spelled out once and expanded over its variants, so the table reads like the RFCs.
type Case = [input: string, valid: boolean, rule: string];

const ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~".split("");
const NOT_ATEXT = ["(", ")", "<", ">", "[", "]", ":", ";", "@", "\\", ",", '"', " "];
const DOMAINS = ["example.com", "mail.example.co.uk", "xn--bcher-kva.de", "a1-b2.example", "x.io"];

// Where the public suites (isemail, hapi/address, python-email-validator, egulias/EmailValidator,
// commons-validator) disagree, the RFC text decides:
// - A single-label domain (user@localhost): several reject it as not deliverable, others accept or
//   warn. RFC 5321 §2.3.5 makes it a domain, so the syntax is valid; the domain step answers
//   undeliverable/invalid_domain (dotless names have no public mail).
// - IDN domains: suites built on the WHATWG URL parser follow UTS 46, which maps symbols, emoji
//   and full-width forms; python-email-validator's idna package follows IDNA2008, which refuses
//   them (RFC 5892's derived properties). Mail lookups follow IDNA2008 (RFC 6531 §3.2): refused.
// - "::" standing for a single group in an IPv6 literal: RFC 4291 (and Node's isIP) allow it,
//   RFC 5321 §4.1.3 says "::" represents at least 2 groups: refused (isemail and egulias flag it).
// - Leading zeros in an IPv4 literal ([001.2.3.4]): refused by parsers of IP addresses, allowed by
//   RFC 5321's Snum (1*3DIGIT, 0-255): accepted.
// - Controls and non-ASCII spaces (U+00A0, U+3000) in a local part, quoted or not: RFC 5321's
//   qtextSMTP is ASCII, and RFC 6532 §3.1 with RFC 5198 §2 keep controls out of UTF-8 text;
//   refused. A local part not in NFC (RFC 6532 §3.1): refused, as it may not be the mailbox's name.
const IDNA2008: Case[] = [
  ...["©", "€", "¡", "😀", "♥", "ｅｘａｍｐｌｅ", "example。com", "ⅷ", "ﬁ"].map(
    (label): Case => [`user@${label}.example`, false, `'${label}' is DISALLOWED in IDNA2008 (RFC 5892)`],
  ),
  ["user@straße.de", true, "ß is PVALID by exception (RFC 5892 §2.6), not mapped to ss"],
  ["user@ελληνικός.gr", true, "final sigma is PVALID by exception (RFC 5892 §2.6)"],
  ["user@BÜCHER.DE", true, "case is the one mapping a lookup applies (RFC 5891 §5.2)"],
  ["user@bu\u0308cher.de", true, "the domain is put in NFC before lookup (RFC 5891 §5.2)"],
  ["user@\u0308a.example", false, "a label beginning with a combining mark (RFC 5891 §4.2.3.2)"],
  ["user@col·lecció.cat", true, "MIDDLE DOT between two l (RFC 5892 A.3)"],
  ["user@a·b.cat", false, "MIDDLE DOT not between two l (RFC 5892 A.3)"],
  ["user@α͵β.gr", true, "GREEK LOWER NUMERAL SIGN before Greek (RFC 5892 A.4)"],
  ["user@a͵b.gr", false, "GREEK LOWER NUMERAL SIGN before Latin (RFC 5892 A.4)"],
  ["user@א׳.il", true, "HEBREW GERESH after Hebrew (RFC 5892 A.5)"],
  ["user@a׳.il", false, "HEBREW GERESH after Latin (RFC 5892 A.5)"],
  ["user@ア・イ.jp", true, "KATAKANA MIDDLE DOT in a Katakana label (RFC 5892 A.7)"],
  ["user@a・b.jp", false, "KATAKANA MIDDLE DOT without Hiragana, Katakana or Han (RFC 5892 A.7)"],
  ["user@٠١٢.eg", true, "Arabic-Indic digits on their own (RFC 5892 A.8)"],
  ["user@٠۰.eg", false, "Arabic-Indic and extended Arabic-Indic digits mixed (RFC 5892 A.8, A.9)"],
  ["user@क्\u200dष.in", true, "ZERO WIDTH JOINER after a virama (RFC 5892 A.2)"],
  ["user@a\u200db.example", false, "ZERO WIDTH JOINER after a letter (RFC 5892 A.2)"],
  ["user@می\u200cخواهم.ir", true, "ZERO WIDTH NON-JOINER between joining letters (RFC 5892 A.1)"],
  ["user@a\u200cb.example", false, "ZERO WIDTH NON-JOINER between Latin letters (RFC 5892 A.1)"],
  ["user@a\u00adb.example", false, "SOFT HYPHEN is Default_Ignorable: DISALLOWED (RFC 5892 §2.3)"],
  ["user@\u1113\u1161.kr", false, "old Hangul jamo are DISALLOWED (RFC 5892 §2.9)"],
  ["user@xn--bcher-kva.de", true, "an A-label that decodes and converts back (RFC 5891 §5.4)"],
  ["user@XN--BCHER-KVA.DE", true, "an A-label in capitals (DNS ignores case)"],
  ["user@xn--ls8h.la", false, "an A-label whose U-label is DISALLOWED (RFC 5891 §5.4)"],
  ["user@xn--abc-.com", false, "an A-label ending in a hyphen (RFC 5891 §4.2.3.1)"],
  ["user@xn--example-.com", false, "an A-label that decodes to plain ASCII (RFC 5890 §2.3.2.1)"],
  [`user@xn--${punycode.encode("u\u0308")}.com`, false, "an A-label whose U-label is not NFC (RFC 5891 §5.4)"],
  ["user@ab--cd.com", false, "'--' in positions 3-4 of a label that is not an A-label (RFC 5891 §4.2.3.1)"],
  ["user@a--b.com", true, "'--' elsewhere is fine (RFC 5891 §4.2.3.1)"],
  ["user@ab--cd-ü.com", false, "'--' in positions 3-4 of a U-label (RFC 5891 §4.2.3.1)"],
  [
    `user@${"一二三四五六七八九十百千万亿兆京垓秭穰沟涧正载极恒河沙阿僧祇那由他".slice(0, 30)}.cn`,
    false,
    "63 octets are counted after conversion to an A-label (RFC 5890 §2.3.2.1)",
  ],
];
const LOCAL_PARTS: Case[] = [
  ...["\u0000", "\u0001", "\u001f", "\u007f", "\u0080", "\u0085", "\u009f"].flatMap((c): Case[] => [
    [
      `a${c}b@example.com`,
      false,
      `control U+${c.codePointAt(0)!.toString(16)} in a local part (RFC 5321 §4.1.2, RFC 6532 §3.1)`,
    ],
    [
      `"a${c}b"@example.com`,
      false,
      `control U+${c.codePointAt(0)!.toString(16)} in a quoted local part (RFC 5321 §4.1.2)`,
    ],
  ]),
  ...["\u00a0", "\u2003", "\u2009", "\u2028", "\u3000", "\u1680"].flatMap((c): Case[] => [
    [`a${c}b@example.com`, false, `space U+${c.codePointAt(0)!.toString(16)} in a local part (RFC 6532 §3.1)`],
    [`"a${c}b"@example.com`, false, `space U+${c.codePointAt(0)!.toString(16)}, quoted (qtextSMTP's space is ASCII)`],
  ]),
  ["jos\u00e9@example.com", true, "é precomposed: NFC (RFC 6532 §3.1)"],
  ["jose\u0301@example.com", false, "é decomposed: not NFC (RFC 6532 §3.1)"],
  ['"jose\u0301"@example.com', false, "not NFC, quoted (RFC 6532 §3.1)"],
];
const LITERALS: Case[] = [
  ...[
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6::",
    "::1:2:3:4:5:6",
    "1:2:3::4:5:6",
    "::",
    "::1",
    "FFFF:ffff::0",
    "1:2:3:4:5:6:192.0.2.1",
    "1:2:3:4::192.0.2.1",
    "::1:2:3:4:192.0.2.1",
    "::ffff:192.0.2.1",
    "::192.0.2.1",
  ].map((v6): Case => [`user@[IPv6:${v6}]`, true, `IPv6 form of RFC 5321 §4.1.3: ${v6}`]),
  ...[
    "1:2:3:4:5:6:7::", // "::" for one group
    "1::2:3:4:5:6:7",
    "::1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7:192.0.2.1",
    "1:2:3:4:5::192.0.2.1", // at most 4 groups around "::" with an IPv4 part
    "1:2:3:4:5:192.0.2.1",
    "1::2::3",
    "12345::1",
    "g::1",
    ":1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:",
    "::ffff:192.0.2.256",
    "::ffff:192.0.2",
    "",
  ].map((v6): Case => [`user@[IPv6:${v6}]`, false, `not an IPv6 form of RFC 5321 §4.1.3: ${v6}`]),
  ["user@[001.002.003.004]", true, "Snum is 1*3DIGIT: leading zeros allowed (RFC 5321 §4.1.3)"],
  ["user@[0001.2.3.4]", false, "four digits are not an Snum (RFC 5321 §4.1.3)"],
  ["user@[1.2.3]", false, "three Snum (RFC 5321 §4.1.3)"],
  ["user@[1.2.3.4.5]", false, "five Snum (RFC 5321 §4.1.3)"],
  ["user@[1.2.3.256]", false, "an Snum over 255 (RFC 5321 §4.1.3)"],
  ["user@[x400:c=us]", false, "a General-address-literal tag that is not registered (RFC 5321 §4.1.3)"],
];

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
  // One label is a domain (RFC 5321 §2.3.5); that it has no public mail is the domain step's verdict.
  ...["localhost", "com", "example", "a"].map(
    (d): Case => [`user@${d}`, true, "a single-label domain is valid syntax (RFC 5321 §2.3.5)"],
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
  ["user@😀.example", false, "an emoji is DISALLOWED in IDNA2008 (RFC 5892; UTS 46 would map it)"],
  ...IDNA2008,
  ...LOCAL_PARTS,
  ...LITERALS,
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
    expect(checkSyntax("user@[001.2.3.004]")).toMatchObject({ valid: true, domain: "[1.2.3.4]" });
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
    ["a@exa mple.com", 'domain: "exa mple" has characters other than letters, digits and hyphens (RFC 5890 §2.3.1)'],
    [
      "a@user.xn--ls8h.la",
      'domain: "xn--ls8h" decodes to a label that is not valid: U+1F4A9 is DISALLOWED in IDNA2008 (RFC 5892)',
    ],
    ["a\u00a0b@example.com", "a control character or a non-ASCII space in the local part (RFC 6532 §3.1, RFC 5198 §2)"],
    ["jose\u0301@example.com", "local part not in Unicode NFC (RFC 6532 §3.1)"],
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

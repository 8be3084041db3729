import punycode from "punycode/punycode.js";
import { describe, expect, it } from "vitest";
import { derivedProperty, toALabels, toULabels } from "./idna.js";

// RFC 5892's derived property for code points whose value the IANA IDNA tables give.
const hex = (cp: number) => cp.toString(16).toUpperCase().padStart(4, "0");

describe("derivedProperty", () => {
  const table: [number, string][] = [
    [0x61, "PVALID"], // a (LDH)
    [0x2d, "PVALID"], // hyphen-minus (LDH)
    [0x39, "PVALID"], // 9 (LDH)
    [0x41, "DISALLOWED"], // A: Unstable (case-folds to a)
    [0x5f, "DISALLOWED"], // _
    [0x20, "DISALLOWED"], // space
    [0xdf, "PVALID"], // ß: exception
    [0x3c2, "PVALID"], // final sigma: exception
    [0x6fd, "PVALID"], // exception
    [0x3007, "PVALID"], // ideographic number zero: exception
    [0xb7, "CONTEXTO"], // middle dot
    [0x375, "CONTEXTO"], // Greek lower numeral sign
    [0x5f3, "CONTEXTO"], // Hebrew geresh
    [0x30fb, "CONTEXTO"], // katakana middle dot
    [0x660, "CONTEXTO"], // Arabic-Indic digit zero
    [0x6f9, "CONTEXTO"], // extended Arabic-Indic digit nine
    [0x200c, "CONTEXTJ"], // zero width non-joiner
    [0x200d, "CONTEXTJ"], // zero width joiner
    [0x640, "DISALLOWED"], // Arabic tatweel: exception
    [0x302e, "DISALLOWED"], // exception
    [0x303b, "DISALLOWED"], // exception
    [0xa9, "DISALLOWED"], // ©: a symbol
    [0x20ac, "DISALLOWED"], // €
    [0xa1, "DISALLOWED"], // ¡
    [0xff41, "DISALLOWED"], // full-width a: Unstable (NFKC)
    [0x2160, "DISALLOWED"], // Roman numeral one: Unstable (NFKC)
    [0x130, "DISALLOWED"], // İ: Unstable
    [0x1e9e, "DISALLOWED"], // capital sharp s: Unstable
    [0x13f8, "DISALLOWED"], // Cherokee small ye: case-folds to the capital
    [0xad, "DISALLOWED"], // soft hyphen: Default_Ignorable
    [0xa0, "DISALLOWED"], // no-break space: Unstable and White_Space
    [0xfdd0, "DISALLOWED"], // a noncharacter is DISALLOWED, not UNASSIGNED
    [0xffff, "DISALLOWED"],
    [0x378, "UNASSIGNED"], // an unassigned Greek code point
    [0x1100, "DISALLOWED"], // Hangul choseong kiyeok: OldHangulJamo
    [0xa960, "DISALLOWED"],
    [0xac00, "PVALID"], // Hangul syllable ga
    [0x20d0, "DISALLOWED"], // combining mark in Combining Diacritical Marks for Symbols: IgnorableBlocks
    [0x1d165, "DISALLOWED"], // musical symbol combining stem: IgnorableBlocks
    [0x300, "PVALID"], // combining grave accent (Mn)
    [0x903, "PVALID"], // Devanagari sign visarga (Mc)
    [0x2b0, "DISALLOWED"], // modifier letter small h: Unstable (NFKC maps it to h)
    [0x2b9, "PVALID"], // modifier letter prime (Lm)
    [0x5d0, "PVALID"], // Hebrew alef (Lo)
    [0x661, "CONTEXTO"],
    [0x966, "PVALID"], // Devanagari digit zero (Nd)
    // Every exception of RFC 5892 §2.6, by the value it gives.
    ...[0xdf, 0x3c2, 0x6fd, 0x6fe, 0xf0b, 0x3007].map((cp): [number, string] => [cp, "PVALID"]),
    ...[0xb7, 0x375, 0x5f3, 0x5f4, 0x30fb].map((cp): [number, string] => [cp, "CONTEXTO"]),
    ...[0x660, 0x669, 0x6f0, 0x6f9].map((cp): [number, string] => [cp, "CONTEXTO"]),
    ...[0x640, 0x7fa, 0x302e, 0x302f, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303b].map((cp): [number, string] => [
      cp,
      "DISALLOWED",
    ]),
    [0x65f, "PVALID"], // next to the Arabic-Indic digits, not one
    [0x66a, "DISALLOWED"], // Arabic percent sign, just after them (Po)
    [0x6ef, "PVALID"], // just before the extended digits (Lo)
    [0x6fa, "PVALID"], // just after them (Lo)
    [0x180b, "DISALLOWED"], // Mongolian free variation selector: Mn, but Default_Ignorable
    [0xfe00, "DISALLOWED"], // variation selector: Mn, but Default_Ignorable
    [0x1d242, "DISALLOWED"], // combining mark in Ancient Greek Musical Notation: IgnorableBlocks
    [0xd7b0, "DISALLOWED"], // Hangul jungseong o-yeo: OldHangulJamo
    [0xab70, "DISALLOWED"], // Cherokee small a: case-folds to the capital
    [0xe4, "PVALID"], // ä (Ll)
  ];
  it.each(table.map(([cp, property]) => [hex(cp), property, cp] as const))("U+%s is %s", (_, property, cp) => {
    expect(derivedProperty(String.fromCodePoint(cp))).toBe(property);
  });
});

// Each refusal names its rule.
describe("toALabels", () => {
  it.each([
    ["ü-.de", "starts or ends with a hyphen (RFC 5891 §4.2.3.1)"],
    ["-ü.de", "starts or ends with a hyphen (RFC 5891 §4.2.3.1)"],
    ["üb--c.de", `"--" in the third and fourth positions (RFC 5891 §4.2.3.1)`],
    ["a-.de", '"a-" starts or ends with a hyphen (RFC 5891 §4.2.3.1)'],
    ["-a.de", '"-a" starts or ends with a hyphen (RFC 5891 §4.2.3.1)'],
    ["ab--c.de", '"ab--c" has "--" in the third and fourth positions, reserved for A-labels (RFC 5891 §4.2.3.1)'],
    ["a..de", "an empty label (RFC 5890 §2.3.1)"],
    ["a_b.de", '"a_b" has characters other than letters, digits and hyphens (RFC 5890 §2.3.1)'],
    ["©.de", "U+00A9 is DISALLOWED in IDNA2008 (RFC 5892)"],
    ["a\u0378.de", "U+0378 is UNASSIGNED in IDNA2008 (RFC 5892)"],
    ["a\u200db.de", "U+200D is CONTEXTJ and its context rule does not hold (RFC 5892 Appendix A)"],
    ["\u0301a.de", "begins with a combining mark (RFC 5891 §4.2.3.2)"],
    ["xn--ls8h.la", '"xn--ls8h" decodes to a label that is not valid: U+1F4A9 is DISALLOWED in IDNA2008 (RFC 5892)'],
    ["xn--99999999999.de", '"xn--99999999999" is not a valid A-label: it does not decode (RFC 3492)'],
  ])("%j: %s", (domain, why) => {
    expect(toALabels(domain)).toEqual({ why });
  });

  // RFC 5892 Appendix A, each rule where it holds and where it does not (at the label's edges too).
  it.each([
    ["l·l.cat", true],
    ["l·.cat", false],
    ["·l.cat", false],
    ["l·a.cat", false],
    ["α͵β.gr", true],
    ["α͵.gr", false],
    ["א׳.il", true],
    ["א״.il", true],
    ["׳א.il", false],
    ["ア・イ.jp", true],
    ["あ・.jp", true],
    ["漢・字.jp", true],
    ["・.jp", false],
    ["a・.jp", false],
    ["٠١.eg", true],
    ["٠۰.eg", false],
    ["۰۱.ir", true],
    ["۰٠.ir", false],
    ["۰a.ir", true],
    ["क्\u200dष.in", true],
    ["\u200dक.in", false],
    ["क\u200d.in", false],
    ["ক্\u200cষ.in", true],
    ["می\u200cخواهم.ir", true],
    ["مَ\u200cخ.ir", true], // a transparent mark (fatha) between the letter and the non-joiner
    ["م\u200cَخ.ir", true],
    ["\u200cخ.ir", false],
    ["م\u200c.ir", false],
    ["a\u200cخ.ir", false],
    ["م\u200cb.ir", false],
  ])("%j is a valid domain: %s", (domain, valid) => {
    expect("ascii" in toALabels(domain)).toBe(valid);
  });

  it.each([
    ["Bücher.DE", "xn--bcher-kva.de"],
    ["XN--BCHER-KVA.de", "xn--bcher-kva.de"],
    ["bu\u0308cher.de", "xn--bcher-kva.de"],
    ["a--b.de", "a--b.de"],
    ["localhost", "localhost"],
    ["ক্\u200cষ.in", `xn--${punycode.encode("ক্\u200cষ")}.in`], // ZWNJ after a virama
  ])("%j → %s", (domain, ascii) => {
    expect(toALabels(domain)).toEqual({ ascii });
  });
});

describe("toULabels", () => {
  it.each([
    ["xn--bcher-kva.de", "bücher.de"],
    ["mail.XN--BCHER-KVA.de", "mail.bücher.de"], // A-labels are case-insensitive
    ["xn--mnchen-3ya.xn--bcher-kva.example", "münchen.bücher.example"],
    ["acme-logistics.com", "acme-logistics.com"],
    ["abxn--c.de", "abxn--c.de"], // "xn--" inside a label makes no A-label
    ["xn--zz.de", "xn--zz.de"], // does not decode
    ["xn--acme-.de", "xn--acme-.de"], // decodes to ASCII: not an A-label (RFC 5891 §5.4)
  ])("%s → %s", (domain, shown) => expect(toULabels(domain)).toBe(shown));
});

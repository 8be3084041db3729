import punycode from "punycode/punycode.js";

/**
 * IDNA2008 (RFC 5890-5892) for the labels of a domain, as a lookup application converts them:
 * the domain in NFC, ASCII lower-cased, each U-label made only of code points the RFC 5892
 * derivation makes PVALID (CONTEXTJ and CONTEXTO ones where their rule holds), each A-label
 * one that decodes and converts back to itself. No mapping beyond case (RFC 5895's width
 * mapping is not applied: a full-width form is refused, not guessed at).
 *
 * Returns the A-label form, or why the domain is not one. The Bidi rule (RFC 5893) is not
 * checked here.
 */
export function toALabels(domain: string): { ascii: string } | { why: string } {
  const labels = domain.normalize("NFC").split(".");
  const ascii: string[] = [];
  for (const label of labels) {
    const converted = aLabel(label);
    if ("why" in converted) return converted;
    ascii.push(converted.ascii);
  }
  return { ascii: ascii.join(".") };
}

/**
 * A domain's A-labels as the U-labels they stand for, for people to read; a label that is not a
 * valid A-label (or not one at all) is kept as it is.
 */
export function toULabels(domain: string): string {
  return domain
    .split(".")
    .map((label) => {
      if (!/^xn--/i.test(label) || "why" in aLabel(label)) return label;
      return punycode.decode(label.slice(4).toLowerCase());
    })
    .join(".");
}

function aLabel(raw: string): { ascii: string } | { why: string } {
  if (raw.length === 0) return { why: "an empty label (RFC 5890 §2.3.1)" };
  if (/^\p{ASCII}*$/u.test(raw)) {
    const label = raw.toLowerCase();
    const ldh = ldhProblem(label);
    if (ldh) return { why: ldh };
    if (!label.startsWith("xn--")) return { ascii: label };
    let unicode: string;
    try {
      unicode = punycode.decode(label.slice(4));
    } catch {
      return { why: `"${label}" is not a valid A-label: it does not decode (RFC 3492)` };
    }
    if (/^\p{ASCII}*$/u.test(unicode) || `xn--${punycode.encode(unicode)}` !== label)
      return { why: `"${label}" is not a valid A-label: it does not convert back to itself (RFC 5891 §5.4)` };
    const problem = uLabelProblem(unicode);
    return problem ? { why: `"${label}" decodes to a label that is not valid: ${problem}` } : { ascii: label };
  }
  // Case is the one local mapping applied (RFC 5891 §5.2 lets a lookup application map; names
  // are case-insensitive, and users write Bücher.de as BÜCHER.DE): widths and the rest are not.
  const label = raw.toLowerCase().normalize("NFC");
  const problem = uLabelProblem(label);
  if (problem) return { why: problem };
  return { ascii: `xn--${punycode.encode(label)}` };
}

/** RFC 5890 §2.3.1 LDH labels, RFC 5891 §4.2.3.1 hyphens; `--` in positions 3-4 only for `xn--`. */
function ldhProblem(label: string): string | null {
  if (!/^[a-z0-9-]+$/.test(label))
    return `"${label}" has characters other than letters, digits and hyphens (RFC 5890 §2.3.1)`;
  if (label.startsWith("-") || label.endsWith("-"))
    return `"${label}" starts or ends with a hyphen (RFC 5891 §4.2.3.1)`;
  if (label.slice(2, 4) === "--" && !label.startsWith("xn--"))
    return `"${label}" has "--" in the third and fourth positions, reserved for A-labels (RFC 5891 §4.2.3.1)`;
  return null;
}

/** What makes a Unicode label not a U-label (RFC 5891 §4.2.3, §5.4), or null. */
function uLabelProblem(label: string): string | null {
  if (label !== label.normalize("NFC")) return "not in NFC (RFC 5891 §5.3)";
  if (label.startsWith("-") || label.endsWith("-")) return "starts or ends with a hyphen (RFC 5891 §4.2.3.1)";
  if (label.slice(2, 4) === "--") return `"--" in the third and fourth positions (RFC 5891 §4.2.3.1)`;
  const cps = [...label];
  if (/^\p{M}/u.test(label)) return "begins with a combining mark (RFC 5891 §4.2.3.2)";
  for (const [i, cp] of cps.entries()) {
    const property = derivedProperty(cp);
    const name = `U+${cp.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    if (property === "PVALID") continue;
    if (property === "CONTEXTJ" || property === "CONTEXTO") {
      if (!contextHolds(cps, i))
        return `${name} is ${property} and its context rule does not hold (RFC 5892 Appendix A)`;
      continue;
    }
    return `${name} is ${property} in IDNA2008 (RFC 5892)`;
  }
  // Lengths are counted on the A-labels (domainSyntax): 63 octets per label, 253 in all.
  return null;
}

type Property = "PVALID" | "CONTEXTJ" | "CONTEXTO" | "DISALLOWED" | "UNASSIGNED";

// RFC 5892 §2.6 Exceptions (F).
const EXCEPTIONS = new Map<number, Property>([
  [0x00df, "PVALID"], // ß
  [0x03c2, "PVALID"], // final sigma
  [0x06fd, "PVALID"],
  [0x06fe, "PVALID"],
  [0x0f0b, "PVALID"],
  [0x3007, "PVALID"],
  [0x00b7, "CONTEXTO"], // middle dot
  [0x0375, "CONTEXTO"], // Greek lower numeral sign (keraia)
  [0x05f3, "CONTEXTO"], // Hebrew geresh
  [0x05f4, "CONTEXTO"], // Hebrew gershayim
  [0x30fb, "CONTEXTO"], // katakana middle dot
  [0x0640, "DISALLOWED"],
  [0x07fa, "DISALLOWED"],
  [0x302e, "DISALLOWED"],
  [0x302f, "DISALLOWED"],
  [0x3031, "DISALLOWED"],
  [0x3032, "DISALLOWED"],
  [0x3033, "DISALLOWED"],
  [0x3034, "DISALLOWED"],
  [0x3035, "DISALLOWED"],
  [0x303b, "DISALLOWED"],
]);
// Arabic-Indic digits and extended Arabic-Indic digits.
for (let cp = 0x0660; cp <= 0x0669; cp++) EXCEPTIONS.set(cp, "CONTEXTO");
for (let cp = 0x06f0; cp <= 0x06f9; cp++) EXCEPTIONS.set(cp, "CONTEXTO");

const IGNORABLE_PROPERTIES = /[\p{Default_Ignorable_Code_Point}\p{White_Space}\p{Noncharacter_Code_Point}]/u;
// RFC 5892 §2.5 IgnorableBlocks: Combining Diacritical Marks for Symbols, Musical Symbols, Ancient
// Greek Musical Notation. §2.9 OldHangulJamo: Hangul_Syllable_Type L, V or T.
const IGNORABLE_BLOCKS = /[\u{20D0}-\u{20FF}\u{1D100}-\u{1D1FF}\u{1D200}-\u{1D24F}]/u;
const OLD_HANGUL_JAMO = /[\u{1100}-\u{11FF}\u{A960}-\u{A97F}\u{D7B0}-\u{D7FF}]/u;
const LETTER_DIGITS = /[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]/u;
// Cherokee small letters case-fold to the capitals (NFKC_Casefold), which toLowerCase does not show.
const CHEROKEE_SMALL = /[\u{13F8}-\u{13FD}\u{AB70}-\u{ABBF}]/u;

/**
 * Case folding as NFKC_Casefold does it, for the code points where full folding differs from
 * lower-casing and NFKC does not already decide (ß and final sigma, PVALID only as exceptions).
 */
const caseFolded = (text: string) => text.toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ");

/** RFC 5892 §3: the derived property of one code point, in the RFC's order of rules. */
export function derivedProperty(cp: string): Property {
  const exception = EXCEPTIONS.get(cp.codePointAt(0)!);
  if (exception) return exception;
  // §2.1 Unassigned: Cn but for the noncharacters, which §2.3 makes DISALLOWED below.
  if (/\p{Cn}/u.test(cp) && !/\p{Noncharacter_Code_Point}/u.test(cp)) return "UNASSIGNED";
  if (/[a-z0-9-]/.test(cp)) return "PVALID";
  if (cp === "\u200c" || cp === "\u200d") return "CONTEXTJ";
  // §2.2 Unstable: changed by NFKC_Casefold (NFKC, case folding, NFKC again).
  if (caseFolded(cp.normalize("NFKC")).normalize("NFKC") !== cp || CHEROKEE_SMALL.test(cp)) return "DISALLOWED";
  if (IGNORABLE_PROPERTIES.test(cp) || IGNORABLE_BLOCKS.test(cp) || OLD_HANGUL_JAMO.test(cp)) return "DISALLOWED";
  return LETTER_DIGITS.test(cp) ? "PVALID" : "DISALLOWED";
}

// Code points with Canonical_Combining_Class Virama (9), which JavaScript's \p{} cannot name.
const VIRAMAS = new Set(
  [
    0x094d, 0x09cd, 0x0a4d, 0x0acd, 0x0b4d, 0x0bcd, 0x0c4d, 0x0ccd, 0x0d3b, 0x0d3c, 0x0d4d, 0x0dca, 0x0e3a, 0x0eba,
    0x0f84, 0x1039, 0x103a, 0x1714, 0x1715, 0x1734, 0x17d2, 0x1a60, 0x1b44, 0x1baa, 0x1bab, 0x1bf2, 0x1bf3, 0x2d7f,
    0xa806, 0xa82c, 0xa8c4, 0xa953, 0xa9c0, 0xaaf6, 0xabed, 0x10a3f, 0x11046, 0x11070, 0x1107f, 0x110b9, 0x11133,
    0x11134, 0x111c0, 0x11235, 0x112ea, 0x1134d, 0x11442, 0x114c2, 0x115bf, 0x1163f, 0x116b6, 0x1172b, 0x11839, 0x1193d,
    0x1193e, 0x119e0, 0x11a34, 0x11a47, 0x11a99, 0x11c3f, 0x11d44, 0x11d45, 0x11d97,
  ].map((cp) => String.fromCodePoint(cp)),
);
// Scripts whose letters join (Joining_Type D, L or R), for ZERO WIDTH NON-JOINER's second rule.
const JOINING_SCRIPTS = "Arabic Syriac Nko Mongolian Mandaic Manichaean Psalter_Pahlavi Adlam Hanifi_Rohingya Sogdian";
const JOINING = new RegExp(
  `[${JOINING_SCRIPTS.split(" ")
    .map((script) => `\\p{Script=${script}}`)
    .join("")}]`,
  "u",
);
const TRANSPARENT = /[\p{Mn}\p{Me}\p{Cf}]/u;

/** RFC 5892 Appendix A: the rule of the CONTEXTJ or CONTEXTO code point at `i`. */
function contextHolds(cps: string[], i: number): boolean {
  const cp = cps[i]!;
  const before = cps[i - 1];
  const after = cps[i + 1];
  switch (cp) {
    case "\u200d": // A.2 ZERO WIDTH JOINER: after a virama
      return VIRAMAS.has(before ?? "");
    case "\u200c": {
      // A.1 ZERO WIDTH NON-JOINER: after a virama, or between joining letters (transparent marks skipped)
      if (VIRAMAS.has(before ?? "")) return true;
      const left = cps
        .slice(0, i)
        .reverse()
        .find((c) => !TRANSPARENT.test(c));
      const right = cps.slice(i + 1).find((c) => !TRANSPARENT.test(c));
      return JOINING.test(left ?? "") && JOINING.test(right ?? "");
    }
    case "\u00b7": // A.3 MIDDLE DOT: between two l
      return before === "l" && after === "l";
    case "\u0375": // A.4 GREEK LOWER NUMERAL SIGN: followed by Greek
      return /\p{Script=Greek}/u.test(after ?? "");
    case "\u05f3":
    case "\u05f4": // A.5, A.6 HEBREW GERESH, GERSHAYIM: preceded by Hebrew
      return /\p{Script=Hebrew}/u.test(before ?? "");
    case "\u30fb": // A.7 KATAKANA MIDDLE DOT: the label has Hiragana, Katakana or Han
      return cps.some((c) => c !== "\u30fb" && /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u.test(c));
    default:
      // A.8, A.9: Arabic-Indic digits and extended Arabic-Indic digits are not mixed (the only
      // CONTEXTO code points left).
      return !(cps.some((c) => /[\u0660-\u0669]/.test(c)) && cps.some((c) => /[\u06f0-\u06f9]/.test(c)));
  }
}

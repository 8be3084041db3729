// How a list file is laid out: the same rules as the server's for a CSV upload
// (server/email-validations/csv.ts), which the client cannot import (it stands alone);
// test/client/list-layout.test.ts holds both to the same cases.

/**
 * What separates a file's cells: the most frequent of comma, semicolon and tab on its first line,
 * quoted text aside (a comma if none). Excel writes `;` where the decimal mark is a comma.
 */
export function separatorOf(text: string): string {
  const newline = text.indexOf("\n");
  const line = text
    .slice(0, newline < 0 ? 65_536 : Math.min(newline, 65_536))
    .replace(/"(?:[^"]|"")*"/g, "")
    .replace(/"[^"]*$/, "");
  const count = (separator: string) => line.split(separator).length - 1;
  // On a tie, the rarer in text: a comma in an unquoted name ("Silva, Ana") is more likely than a tab.
  const most = ["\t", ";", ","].reduce((best, next) => (count(next) > count(best) ? next : best));
  return count(most) > 0 ? most : ",";
}

const ADDRESS_HEADINGS = new Set(["email", "emailaddress", "mail", "emailadresse", "adresseemail", "courriel"]);
const heading = (cell: string) => cell.toLowerCase().replace(/[\s_-]/g, "");
const withAt = (row: string[] | undefined) => (row ?? []).findIndex((cell) => cell.includes("@"));

/**
 * Which column holds the addresses, and whether the first row is a header: a column headed as
 * ADDRESS_HEADINGS names; else a first row with an `@` is data (a bare list of addresses); else
 * the first row is a header and the column is the first with an `@` in the second row, or the first.
 */
export function addressColumn(first: string[], second: string[] | undefined): { column: number; header: boolean } {
  const named = first.findIndex((cell) => ADDRESS_HEADINGS.has(heading(cell)));
  if (named >= 0) return { column: named, header: true };
  const data = withAt(first);
  if (data >= 0) return { column: data, header: false };
  return { column: Math.max(0, withAt(second)), header: true };
}

/** Byte order marks, and the encodings they announce. */
const MARKS: [number[], string][] = [
  [[0xff, 0xfe], "utf-16le"],
  [[0xfe, 0xff], "utf-16be"],
  [[0xef, 0xbb, 0xbf], "utf-8"],
];

/** A file's text: in the encoding its byte order mark announces (Excel's "Unicode text" is UTF-16), else UTF-8. */
export function textOf(bytes: Uint8Array): { text: string; marked: boolean } {
  const mark = MARKS.find(([bytesOfMark]) => bytesOfMark.every((byte, i) => bytes[i] === byte));
  // TextDecoder leaves the mark out of the text.
  return { text: new TextDecoder(mark?.[1] ?? "utf-8").decode(bytes), marked: mark !== undefined };
}

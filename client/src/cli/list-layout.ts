// How a list of addresses is laid out: its separator, and which column holds the addresses. The
// CLI reads a list file by these rules, and the server a CSV upload (server/email-validations/csv.ts
// imports this file, which imports nothing: the client still stands alone).

/**
 * What separates a file's cells: the most frequent of comma, semicolon and tab on its first line,
 * quoted text aside (a comma if none). Excel writes `;` where the decimal mark is a comma and tabs
 * as "Unicode text"; read with commas, each such row was one cell and every address invalid.
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

/** Headings of an address column, once case, spaces, hyphens and underscores are set aside. */
const ADDRESS_HEADINGS = new Set(["email", "emailaddress", "mail", "emailadresse", "adresseemail", "courriel"]);
const heading = (cell: string) => cell.toLowerCase().replace(/[\s_-]/g, "");
const withAt = (row: string[] | undefined) => (row ?? []).findIndex((cell) => cell.includes("@"));

/**
 * Which column of a list holds the addresses, and whether its first row is a header: a column
 * headed as ADDRESS_HEADINGS names it; without one, a first row with an `@` in a cell is data (a
 * list of addresses alone has no header row: its first address was taken for one and dropped),
 * in that cell's column; otherwise the first row is a header, and the addresses are the first
 * column with an `@` in the second row, else the first column.
 */
export function addressColumn(first: string[], second: string[] | undefined): { column: number; header: boolean } {
  const named = first.findIndex((cell) => ADDRESS_HEADINGS.has(heading(cell)));
  if (named >= 0) return { column: named, header: true };
  const data = withAt(first);
  if (data >= 0) return { column: data, header: false };
  return { column: Math.max(0, withAt(second)), header: true };
}

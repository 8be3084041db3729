import { pipeline } from "node:stream/promises";
import { setImmediate as nextTurn } from "node:timers/promises";
import { parse } from "csv-parse";
import { stringify } from "csv-stringify";
import { addressColumn, separatorOf } from "../../client/src/cli/list-layout.js";
import type { components } from "../../generated/schema.js";
import { invalidField } from "../http/problem.js";

type ValidationResult = components["schemas"]["ValidationResult"];

/** The most addresses one job takes (the contract's `emails` maxItems). */
export const MAX_EMAILS = 100_000;

/** How much of an upload is parsed before other requests get their turn. */
const SLICE = 64 * 1024;

/**
 * The addresses of an uploaded CSV file (RFC 4180), separated as `separatorOf` finds and laid out
 * as `addressColumn` finds (a header row or none). What the JSON body's schema checks is checked
 * here: 1 to 100,000 addresses, each a string (an empty cell is an address like any other:
 * invalid syntax).
 *
 * Parsed a slice at a time, with a turn of the event loop between slices, and no further than
 * one row past the limit: the bulk limit (40 MB) lets a file hold millions of rows or columns,
 * and parsing one in one go kept every other request waiting (33 s for 19 million rows).
 */
export async function emailsOfCsv(text: string): Promise<string[]> {
  let column: number | undefined;
  // The first two rows, until addressColumn has seen them.
  const first: string[][] = [];
  const emails: string[] = [];
  const tooMany = invalidField("/emails", `must hold at most ${MAX_EMAILS} addresses`);
  const take = (row: string[]) => {
    emails.push((row[column!] ?? "").trim());
    if (emails.length > MAX_EMAILS) parser.destroy(tooMany);
  };
  const laidOut = () => {
    const layout = addressColumn(first[0]!, first[1]);
    column = layout.column;
    for (const row of layout.header ? first.slice(1) : first) take(row);
  };
  const parser = parse({ bom: true, delimiter: separatorOf(text), relax_column_count: true, skip_empty_lines: true });
  // Rows taken as they come ('data'), not by async iteration: a promise per row took 1.6× the time.
  // Only the address is kept: a row may hold thousands of cells.
  parser.on("data", (row: string[]) => {
    if (column !== undefined) return take(row);
    first.push(row);
    if (first.length === 2) laidOut();
  });
  try {
    await pipeline(slicesOf(text), parser);
  } catch (error) {
    if (error === tooMany) throw error;
    throw invalidField("/emails", `is not readable as CSV (${error instanceof Error ? error.message : "malformed"})`);
  }
  if (first.length === 0) throw invalidField("/emails", "must hold at least 1 address (the file holds no rows)");
  if (column === undefined) laidOut();
  if (emails.length === 0)
    throw invalidField("/emails", "must hold at least 1 address (a header row alone holds none)");
  return emails;
}

/** `text` in slices of about SLICE characters, a turn of the event loop after each. */
async function* slicesOf(text: string): AsyncGenerator<string> {
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + SLICE, text.length);
    // Never between the two halves of a surrogate pair: each slice is encoded on its own.
    if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end++;
    yield text.slice(at, end);
    at = end;
    await nextTurn();
  }
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** The CSV columns of a result: the verdict and what a spreadsheet user filters on. */
const COLUMNS = ["email", "result", "reason", "catch_all", "did_you_mean", "mx", "smtp_code"] as const;

/** A CSV stream (RFC 4180, header row first) of results written to it as objects. */
export function resultsCsv() {
  return stringify({
    header: true,
    columns: [...COLUMNS],
    cast: { boolean: (value) => String(value) },
    // A cell that starts like a formula is written as text (OWASP CSV injection).
    escape_formulas: true,
  });
}

/** One result as a row of resultsCsv's columns. */
export function csvRow(result: ValidationResult): Record<(typeof COLUMNS)[number], unknown> {
  return {
    email: result.email,
    result: result.result,
    reason: result.reason,
    catch_all: result.catch_all,
    did_you_mean: result.did_you_mean,
    mx: result.checks.mx,
    smtp_code: result.checks.smtp?.code ?? null,
  };
}

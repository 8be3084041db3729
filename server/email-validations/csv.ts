import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify";
import type { components } from "../../generated/schema.js";
import { invalidField } from "../http/problem.js";

type ValidationResult = components["schemas"]["ValidationResult"];

/** The most addresses one job takes (the contract's `emails` maxItems). */
export const MAX_EMAILS = 100_000;

/**
 * The addresses of an uploaded CSV file (RFC 4180): the column named `email` (in any case), else
 * the first; a header row first. What the JSON body's schema checks is checked here: 1 to
 * 100,000 addresses, each a string (an empty cell is an address like any other: invalid syntax).
 */
export function emailsOfCsv(text: string): string[] {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw invalidField("/emails", `is not readable as CSV (${error instanceof Error ? error.message : "malformed"})`);
  }
  const [header, ...data] = rows;
  if (!header || data.length === 0) throw invalidField("/emails", "must hold at least 1 row after the header row");
  if (data.length > MAX_EMAILS) throw invalidField("/emails", `must hold at most ${MAX_EMAILS} rows`);
  const named = header.findIndex((name) => name.trim().toLowerCase() === "email");
  const column = Math.max(named, 0); // -1 (no column named email): the first
  return data.map((row) => (row[column] ?? "").trim());
}

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

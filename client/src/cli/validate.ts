import { readFileSync, writeFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import {
  type EmailValidation,
  type MailproofClient,
  retryAfterSeconds,
  TERMINAL_STATUSES,
  unwrap,
  type ValidationResult,
  validationResults,
} from "../index.js";
import { addressColumn, separatorOf } from "./list-layout.js";
import { type Progress, progressDisplay } from "./progress.js";
import { textOf } from "./text-of.js";
import { UsageError } from "./usage.js";

/** The most addresses one job takes (the contract's maxItems). */
const JOB_LIMIT = 100_000;
const RESULT_COLUMNS = ["result", "reason", "did_you_mean"] as const;
const RESULTS = new Set(["deliverable", "risky", "unknown", "undeliverable"]);

export interface ValidateFlags {
  column?: string | undefined;
  out?: string | undefined;
  only?: string | undefined;
  job?: string | undefined;
  /** Delete the jobs once their results are written: the API then keeps no copy of the list. */
  delete?: boolean | undefined;
}

export async function validateCommand(client: MailproofClient, args: string[], flags: ValidateFlags): Promise<number> {
  const [file] = args;
  if (!file)
    throw new UsageError("usage: mailproof validate <list.csv> [--column email] [--out file] [--only ...] [--delete]");
  const only = onlyResults(flags.only);
  const { header, rows, column, delimiter, marked } = readList(file, flags.column);
  const addresses = [...new Set(rows.map((row) => (row[column] ?? "").trim()).filter(Boolean))];
  if (addresses.length === 0) throw new UsageError(`${file}: no addresses in column '${header[column]}'`);

  const ids = flags.job ? flags.job.split(",").filter(Boolean) : await startJobs(client, addresses);
  const resume = `mailproof validate ${file} --job ${ids.join(",")}${flags.out ? ` --out ${flags.out}` : ""}`;
  process.once("SIGINT", () => {
    process.stderr.write(`\ninterrupted; the jobs go on. Resume with:\n  ${resume}\n`);
    process.exit(130);
  });
  if (!flags.job) process.stderr.write(`started ${ids.length > 1 ? "jobs" : "job"} ${ids.join(", ")}\n`);

  const jobs = await waitFor(client, ids, progressDisplay());
  const failed = jobs.filter((job) => job.status !== "completed");
  if (failed.length > 0) {
    for (const job of failed)
      process.stderr.write(`job ${job.id} ended ${job.status}: ${job.errors.map((e) => e.message).join("; ")}\n`);
    return 1;
  }
  const results = new Map<string, ValidationResult>();
  for (const id of ids) for await (const result of validationResults(client, id)) results.set(result.email, result);

  const out = [[...header, ...RESULT_COLUMNS]];
  for (const row of rows) {
    const result = results.get((row[column] ?? "").trim());
    if (only && (!result || !only.has(result.result))) continue;
    const padded = header.map((_, i) => row[i] ?? "");
    out.push([...padded, result?.result ?? "", result?.reason ?? "", result?.did_you_mean ?? ""]);
  }
  // Written as it was read (its separator, a byte order mark if it had one), for the same spreadsheet to open.
  const text = stringify(out, { delimiter, bom: marked });
  if (flags.out) writeFileSync(flags.out, text);
  else process.stdout.write(text);
  if (flags.delete)
    for (const id of ids)
      unwrap(await client.DELETE("/v1/email-validations/{validation_id}", { params: { path: { validation_id: id } } }));
  const counts = jobs.reduce(
    (sum, job) => ({
      deliverable: sum.deliverable + job.counts.deliverable,
      risky: sum.risky + job.counts.risky,
      undeliverable: sum.undeliverable + job.counts.undeliverable,
      unknown: sum.unknown + job.counts.unknown,
    }),
    { deliverable: 0, risky: 0, undeliverable: 0, unknown: 0 },
  );
  process.stderr.write(
    `${addresses.length} addresses: ${Object.entries(counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ")}${flags.out ? `; written to ${flags.out}` : ""}${flags.delete ? "; the jobs are deleted" : ""}\n`,
  );
  return 0;
}

interface List {
  header: string[];
  rows: string[][];
  /** Which column holds the addresses. */
  column: number;
  delimiter: string;
  /** Whether the file began with a byte order mark. */
  marked: boolean;
}

/**
 * The rows of a CSV file and which column holds the addresses: the column named `wanted` of its
 * header row, or as `addressColumn` finds it (a file without a header row is given one).
 */
function readList(file: string, wanted: string | undefined): List {
  const { text, marked } = textOf(readFileSync(file));
  const delimiter = separatorOf(text);
  const records = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true }) as string[][];
  const [first, ...rest] = records;
  if (!first) throw new UsageError(`${file}: empty file`);
  if (wanted !== undefined) {
    const column = first.findIndex((h) => h.trim().toLowerCase() === wanted.toLowerCase());
    if (column < 0) throw new UsageError(`${file}: no column named '${wanted}' (columns: ${first.join(", ")})`);
    return { header: first, rows: rest, column, delimiter, marked };
  }
  const { column, header } = addressColumn(first, rest[0]);
  if (header) return { header: first, rows: rest, column, delimiter, marked };
  const named = first.map((_, i) => (i === column ? "email" : `column ${i + 1}`));
  return { header: named, rows: records, column, delimiter, marked };
}

function onlyResults(only: string | undefined): Set<string> | null {
  if (only === undefined) return null;
  const wanted = only.split(",").map((s) => s.trim());
  const unknown = wanted.filter((r) => !RESULTS.has(r));
  if (unknown.length > 0)
    throw new UsageError(`--only: ${unknown.join(", ")} is not a result (${[...RESULTS].join(", ")})`);
  return new Set(wanted);
}

/** One job per 100,000 addresses; each POST carries an Idempotency-Key, so a retry never starts a second. */
async function startJobs(client: MailproofClient, addresses: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < addresses.length; i += JOB_LIMIT) {
    const job = unwrap(
      await client.POST("/v1/email-validations", { body: { emails: addresses.slice(i, i + JOB_LIMIT) } }),
    );
    ids.push(job.id);
  }
  return ids;
}

/** Polls the jobs (as often as their Retry-After says) until all are terminal, showing progress. */
async function waitFor(client: MailproofClient, ids: string[], progress: Progress): Promise<EmailValidation[]> {
  const jobs = new Map<string, EmailValidation>();
  try {
    for (;;) {
      let wait = 0;
      for (const id of ids) {
        if (jobs.has(id) && TERMINAL_STATUSES.includes(jobs.get(id)!.status)) continue;
        const polled = await client.GET("/v1/email-validations/{validation_id}", {
          params: { path: { validation_id: id }, query: { page: { size: 1 } } },
        });
        jobs.set(id, unwrap(polled));
        wait = Math.max(wait, retryAfterSeconds(polled.response) ?? 1);
      }
      const all = [...jobs.values()];
      progress.update(
        all.reduce((n, j) => n + j.counts.processed, 0),
        all.reduce((n, j) => n + j.counts.total, 0),
      );
      if (all.every((j) => TERMINAL_STATUSES.includes(j.status))) return ids.map((id) => jobs.get(id)!);
      await new Promise((r) => setTimeout(r, wait * 1000));
    }
  } finally {
    progress.stop();
  }
}

// `mailproof`: the API from a shell. Configured by MAILPROOF_URL and MAILPROOF_KEY (--url and
// --key override them).
import { parseArgs } from "node:util";
import { createClient, type MailproofClient } from "../index.js";
import { checkCommand, destinationsCommand } from "./commands.js";
import { checkedBaseUrl, describeFailure } from "./failure.js";
import { UsageError } from "./usage.js";
import { type ValidateFlags, validateCommand } from "./validate.js";

const usage = `usage: mailproof <command> [options]

  validate <list.csv> [--column email] [--out results.csv] [--only deliverable,risky] [--job <id>[,<id>...]] [--delete]
      validates every address of a CSV file (comma, semicolon or tab; the column headed "email",
      "e-mail" or "email address", else the one with an @; a bare list of addresses needs no
      header row), in jobs of up to 100,000 addresses, with a progress display; writes the file's
      rows and columns with the results added (to --out, else stdout). --job resumes jobs already
      started (the command prints their ids when it starts them). --delete deletes the jobs, with
      the addresses and results the API holds, once the results are written.
  check <email>                     one address, now
  destinations add <email>          a forwarding address; its owner gets the confirmation mail
  destinations list [--status pending|verified]
  destinations resend <id>          the confirmation mail again (a 429 says when it may be)

  --url <url>   the API (default: MAILPROOF_URL)
  --key <key>   an API key (default: MAILPROOF_KEY)`;

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parsed(argv);
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  const baseUrl = values.url ?? env.MAILPROOF_URL;
  const apiKey = values.key ?? env.MAILPROOF_KEY;
  if (!baseUrl || !apiKey) throw new UsageError("set MAILPROOF_URL and MAILPROOF_KEY (or --url and --key)");
  const client = createClient({ baseUrl: checkedBaseUrl(baseUrl), apiKey });
  try {
    return await run(command, client, rest, values);
  } catch (error) {
    return failed(error, baseUrl);
  }
}

function run(command: string, client: MailproofClient, rest: string[], values: ValidateFlags & { status?: string }) {
  switch (command) {
    case "validate":
      return validateCommand(client, rest, values);
    case "check":
      return checkCommand(client, rest);
    case "destinations":
      return destinationsCommand(client, rest, values);
    default:
      throw new UsageError(`unknown command '${command}'\n\n${usage}`);
  }
}

/** The arguments; an unknown option or a missing value is a usage error (exit 2). */
function parsed(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: "string" },
        key: { type: "string" },
        column: { type: "string" },
        out: { type: "string" },
        only: { type: "string" },
        job: { type: "string" },
        status: { type: "string" },
        delete: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
}

/** Says what failed (failure.ts) on stderr; the exit code: 2 for a usage error, else 1. */
function failed(error: unknown, baseUrl?: string): number {
  process.stderr.write(`mailproof: ${describeFailure(error, baseUrl)}\n`);
  return error instanceof UsageError ? 2 : 1;
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = failed(error);
  },
);

// npm run backup -- <file>: a consistent copy of the SQLite store, taken while the server runs.
import { existsSync, renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import SQLite from "better-sqlite3";
import { loadConfig, sqliteFile } from "../config.js";
import { CommandError, runCommand, say } from "./command.js";

const usage = `usage:
  npm run backup -- <file>    copy the SQLite store of DATA_DIR to <file> (a new file), online
PostgreSQL: use pg_dump (README, "Backups").`;

/** The tables a backup reports, so that the operator sees what it holds. */
const COUNTED = ["accounts", "api_keys", "destinations", "sender_identities", "mailbox_domains", "email_validations"];

runCommand("backup", async (args) => {
  const config = loadConfig(process.env);
  if (args.length !== 1 || args[0]?.startsWith("-")) throw new CommandError(usage);
  if (config.databaseUrl)
    throw new CommandError('DATABASE_URL names PostgreSQL: back it up with pg_dump (README, "Backups").');
  const source = sqliteFile(config);
  if (!existsSync(source)) throw new CommandError(`no store at ${source} (DATA_DIR)`);
  const target = resolve(args[0] as string);
  if (existsSync(target)) throw new CommandError(`${target} exists: name a new file`);

  // SQLite's online backup copies the store page by page and starts over when another
  // connection writes meanwhile, so the copy is one consistent state. It is written beside the
  // target and renamed at the end: a file at `target` is always a whole backup.
  const partial = `${target}.partial`;
  const store = new SQLite(source, { readonly: true, fileMustExist: true });
  store.pragma("busy_timeout = 5000");
  try {
    await store.backup(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    store.close();
  }
  const copy = new SQLite(partial, { readonly: true, fileMustExist: true });
  try {
    const check = copy.pragma("integrity_check", { simple: true });
    if (check !== "ok") throw new CommandError(`the copy failed its integrity check: ${String(check)}`);
    const counts = COUNTED.map((table) => {
      const row = copy.prepare(`select count(*) as n from ${table}`).get() as { n: number };
      return `${table}=${row.n}`;
    });
    renameSync(partial, target);
    say(`backed up ${source} to ${target} (integrity ok; ${counts.join(" ")})`);
  } finally {
    copy.close();
    rmSync(partial, { force: true });
  }
  return 0;
});

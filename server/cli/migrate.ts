// npm run migrate [-- --status]: applies pending migrations, or lists applied and pending ones.
import { migrate, migrationStatus } from "../db/database.js";
import { CommandError, runCommand, say, withStore } from "./command.js";

const usage = `usage:
  npm run migrate                 apply every pending migration to the configured store
  npm run migrate -- --status     applied and pending migrations; exit code 3 when some are pending`;

runCommand("migrate", (args) =>
  withStore(async (db) => {
    if (args.length > 1 || (args.length === 1 && args[0] !== "--status")) throw new CommandError(usage);
    if (args[0] === "--status") {
      const status = await migrationStatus(db);
      for (const m of status.applied) say(`applied  ${m.name}  ${m.at}`);
      for (const name of status.pending) say(`pending  ${name}`);
      for (const name of status.newer) say(`newer    ${name}  (applied by a newer version of mailproof)`);
      say(
        status.pending.length === 0
          ? "the schema is up to date"
          : `${status.pending.length} pending: run 'npm run migrate'`,
      );
      return status.pending.length === 0 ? 0 : 3;
    }
    const before = await migrationStatus(db);
    if (before.newer.length > 0)
      throw new CommandError(`a newer version of mailproof migrated this store (${before.newer.join(", ")}): use it`);
    await migrate(db);
    say(
      before.pending.length === 0
        ? "nothing to apply: the schema is up to date"
        : `applied ${before.pending.join(", ")}`,
    );
    return 0;
  }),
);

import type { Migration, MigrationProvider } from "kysely";
import * as initial from "./001-initial.js";
import * as confirmations from "./002-confirmations.js";

/** Every migration, in order. Names are stable: they are recorded in the database. */
const migrations: Record<string, Migration> = {
  "001-initial": initial,
  "002-confirmations": confirmations,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

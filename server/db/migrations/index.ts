import type { Migration, MigrationProvider } from "kysely";
import * as initial from "./001-initial.js";

/** Every migration, in order. Names are stable: they are recorded in the database. */
const migrations: Record<string, Migration> = {
  "001-initial": initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

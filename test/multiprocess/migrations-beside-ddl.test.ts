import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, migrate, migrationStatus, openDatabase } from "../../server/db/database.js";
import { freshDatabaseEnv } from "../support/database.js";

// Starting beside other work on the same PostgreSQL database (npm run test:pg): another schema
// whose tables change meanwhile (another instance's migrations, another application's). Kysely's
// migrator used to read the columns of every table of every schema to learn whether its own two
// tables exist, and failed when a column of someone else's table was dropped under that read
// ("column ... of relation ... does not exist": seen in CI, a migration test beside a start).
const neighbour = `mp_neighbour_${process.pid}`;
let churn: pg.Client;
let churning = true;
let loop: Promise<void>;

beforeAll(async () => {
  churn = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await churn.connect();
  await churn.query(`create schema ${neighbour}`);
  await churn.query(
    `create table ${neighbour}.wide (${Array.from({ length: 50 }, (_, i) => `c${i} text`).join(", ")})`,
  );
  loop = (async () => {
    while (churning) {
      await churn.query(`alter table ${neighbour}.wide add column passing text`);
      await churn.query(`alter table ${neighbour}.wide drop column passing`);
    }
  })();
});
afterAll(async () => {
  churning = false;
  await loop;
  await churn.query(`drop schema ${neighbour} cascade`);
  await churn.end();
});

/** A store on a fresh schema of its own, migrated; `use` gets it and the schema's name. */
async function onFreshSchema(use: (db: Db, schema: string) => Promise<void>): Promise<void> {
  const url = (await freshDatabaseEnv()).DATABASE_URL!;
  const db = openDatabase({ databaseUrl: url, dbPoolMax: 2 }, join(mkdtempSync(join(tmpdir(), "mp-ddl-")), "unused"));
  try {
    await migrate(db);
    await use(db, new URL(url).searchParams.get("options")!.split("=")[1]!);
  } finally {
    await db.destroy();
  }
}

describe("migrations while another schema's tables change", () => {
  it("a fresh schema is migrated and its status read, every time", async () => {
    for (let i = 0; i < 15; i++)
      await onFreshSchema(async (db) => expect((await migrationStatus(db)).pending).toEqual([]));
  }, 120_000);

  it("the migrator's view of the database is this schema's tables, its own two only when it asks", async () => {
    await onFreshSchema(async (db, schema) => {
      const tables = await db.introspection.getTables();
      expect(tables.map((t) => t.name)).toContain("accounts");
      expect(tables.map((t) => t.name)).not.toContain("wide");
      expect(tables.map((t) => t.name)).not.toContain("kysely_migration");
      expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([schema]));
      expect(tables.find((t) => t.name === "accounts")!.columns).toContainEqual(
        expect.objectContaining({ name: "display_name", dataType: "text", isNullable: true }),
      );
      const withKysely = await db.introspection.getTables({ withInternalKyselyTables: true });
      expect(withKysely.map((t) => t.name)).toEqual(
        expect.arrayContaining(["kysely_migration", "kysely_migration_lock"]),
      );
    });
  });
});

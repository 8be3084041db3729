import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { type Db, isPostgres, migrate } from "../../server/db/database.js";
import { EmailValidationRepository } from "../../server/email-validations/repository.js";
import { freshStore, insertAccounts, insertSends } from "../support/database.js";

// Upgrading a store that holds unfinished work: on SQLite, and on PostgreSQL under `npm run test:pg`.
let db: Db | undefined;
afterEach(async () => {
  await db?.destroy();
  db = undefined;
});

async function storeAt(target: string): Promise<Db> {
  db = await freshStore(target);
  return db;
}

describe("migration 005: a job's inputs move into its chunks", () => {
  it("carries a half-done job over: finished results stay, unfinished inputs move into their chunks", async () => {
    const db = await storeAt("004-email-validations");
    const at = "2026-11-20T10:00:00.000Z";
    await db.insertInto("accounts").values({ id: "acct", name: "Acme", created_at: at }).execute();
    await db
      .insertInto("email_validations")
      .values({
        id: "job",
        account_id: "acct",
        status: "processing",
        total: 4,
        processed: 2,
        deliverable: 2,
        risky: 0,
        undeliverable: 0,
        unknown: 0,
        errors: "[]",
        created_at: at,
        started_at: at,
        completed_at: null,
      })
      .execute();
    const chunk = (n: number, status: "done" | "pending") => ({
      validation_id: "job",
      chunk: n,
      status,
      lease_owner: null,
      lease_expires_at: null,
      attempts: 1,
      created_at: at,
    });
    // Rows as the 004 schema had them (no chunk emails, result-less inputs): typed loosely on purpose.
    for (const row of [chunk(0, "done"), chunk(1, "pending")])
      await db
        .insertInto("validation_chunks")
        .values(row as never)
        .execute();
    await db
      .insertInto("validation_items")
      .values([
        { validation_id: "job", email: "ana@a.test", chunk: 0, result: '{"email":"ana@a.test"}' },
        { validation_id: "job", email: "bo@a.test", chunk: 0, result: '{"email":"bo@a.test"}' },
        { validation_id: "job", email: "cy@b.test", chunk: 1, result: null },
        { validation_id: "job", email: "di@b.test", chunk: 1, result: null },
      ] as never)
      .execute();

    await migrate(db);

    const store = new EmailValidationRepository(db);
    expect((await store.chunkEmails({ validationId: "job", chunk: 1 })).sort()).toEqual(["cy@b.test", "di@b.test"]);
    expect(await store.results("job", null, 10)).toEqual([
      { email: "ana@a.test", result: '{"email":"ana@a.test"}' },
      { email: "bo@a.test", result: '{"email":"bo@a.test"}' },
    ]);
    expect(await db.selectFrom("validation_items").select("email").where("result", "is", null).execute()).toEqual([]);

    // And back down: the unfinished inputs are rows again.
    await migrate(db, "004-email-validations");
    const rows = await db
      .selectFrom("validation_items")
      .select(["email", "chunk", "result"])
      .where("chunk", "=", 1)
      .orderBy("email")
      .execute();
    expect(rows).toEqual([
      { email: "cy@b.test", chunk: 1, result: null },
      { email: "di@b.test", chunk: 1, result: null },
    ]);
  });
});

describe("migration 011: the sends' subject index, which nothing reads, goes", () => {
  it("drops it on the way up and builds it again on the way down", async () => {
    const db = await storeAt("010-webhooks");
    const sendIndexes = () => indexesOf(db, "confirmation_sends");
    expect(await sendIndexes()).toContain("confirmation_sends_subject");
    await migrate(db);
    const after = await sendIndexes();
    expect(after).not.toContain("confirmation_sends_subject");
    // What the caps read stays.
    expect(after).toEqual(expect.arrayContaining(["confirmation_sends_address", "confirmation_sends_account"]));
    await migrate(db, "010-webhooks");
    expect(await sendIndexes()).toContain("confirmation_sends_subject");
  });
});

describe("migrations 013 and 014: the indexes the sweeps find rows past their use by", () => {
  it.each([
    ["013-idempotency-keys-by-age", "012-sends-without-id-index", "idempotency_keys", "idempotency_keys_created_at"],
    [
      "014-confirmation-tokens-by-expiry",
      "013-idempotency-keys-by-age",
      "confirmation_tokens",
      "confirmation_tokens_expires_at",
    ],
  ])("%s builds its index, and drops it on the way down", async (migration, before, table, index) => {
    const db = await storeAt(before);
    expect(await indexesOf(db, table)).not.toContain(index);
    await migrate(db, migration);
    expect(await indexesOf(db, table)).toContain(index);
    await migrate(db, before);
    expect(await indexesOf(db, table)).not.toContain(index);
  });
});

describe("migration 012: a send's id is no longer an index of its own on SQLite", () => {
  it("rebuilds the sends without the id's index, rows and the caps' indexes kept, and back again", async () => {
    const db = await storeAt("011-unused-send-index");
    await insertAccounts(db, ["acct"]);
    const sent = [
      ["acct", "ana@x.test", "2026-11-30T10:00:00.000Z"],
      ["acct", "bo@x.test", "2026-11-30T10:05:00.000Z"],
    ] as [string, string, string][];
    await insertSends(db, sent);
    const rows = () => db.selectFrom("confirmation_sends").selectAll().orderBy("id").execute();
    const before = await rows();
    // SQLite names the index behind a `text primary key` itself; PostgreSQL calls it the table's pkey.
    const idIndex = isPostgres(db) ? "confirmation_sends_pkey" : "sqlite_autoindex_confirmation_sends_1";
    expect(await indexesOf(db, "confirmation_sends")).toContain(idIndex);

    await migrate(db);
    const after = await indexesOf(db, "confirmation_sends");
    // PostgreSQL keeps its primary key (replication carries deletes by it); SQLite has its rowid.
    if (isPostgres(db)) expect(after).toContain(idIndex);
    else expect(after).not.toContain(idIndex);
    expect(after).toEqual(expect.arrayContaining(["confirmation_sends_address", "confirmation_sends_account"]));
    expect(await rows()).toEqual(before);
    // The version before this one still writes its sends with an id, and an account's deletion
    // still takes its sends along.
    const next = { ...before[0]!, id: "s9", email_key: "cy@x.test", sent_at: "2026-11-30T10:10:00.000Z" };
    await db.insertInto("confirmation_sends").values(next).execute();
    expect(await rows()).toEqual([...before, next]);

    await migrate(db, "011-unused-send-index");
    expect(await indexesOf(db, "confirmation_sends")).toContain(idIndex);
    expect(await rows()).toEqual([...before, next]);
    await db.deleteFrom("accounts").where("id", "=", "acct").execute();
    expect(await rows()).toEqual([]);
  });
});

/** The names of a table's indexes, from the store's own catalogue. */
async function indexesOf(db: Db, table: string): Promise<string[]> {
  const rows = isPostgres(db)
    ? await sql<{
        name: string;
      }>`select indexname as name from pg_indexes where tablename = ${table} and schemaname = current_schema()`.execute(
        db,
      )
    : await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = ${table}`.execute(
        db,
      );
  return rows.rows.map((r) => r.name);
}

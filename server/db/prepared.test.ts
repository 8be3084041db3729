import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openSqlite } from "./database.js";
import { preparedInsert, preparedQuery } from "./prepared.js";

interface Tables {
  notes: { id: string; owner: string; body: string | null; made_at: string };
}

let db: Kysely<Tables>;

beforeEach(async () => {
  db = openSqlite(
    join(mkdtempSync(join(tmpdir(), "mailproof-prepared-")), "store.sqlite"),
  ) as unknown as Kysely<Tables>;
  await sql`create table notes (id text primary key, owner text not null, body text, made_at text not null)`.execute(
    db,
  );
});
afterEach(async () => {
  vi.restoreAllMocks();
  await db.destroy();
});

const insertNote = preparedInsert<Tables, "notes">("notes");
const all = () => db.selectFrom("notes").selectAll().orderBy("id").execute();

describe("preparedInsert", () => {
  it("inserts each row's values into their own columns, in any key order, nulls included", async () => {
    await insertNote(db, { id: "a", owner: "ana", body: null, made_at: "2026-01-01" });
    await insertNote(db, { made_at: "2026-01-02", body: "hi", owner: "bo", id: "b" });
    expect(await all()).toEqual([
      { id: "a", owner: "ana", body: null, made_at: "2026-01-01" },
      { id: "b", owner: "bo", body: "hi", made_at: "2026-01-02" },
    ]);
  });

  it("runs on the handle it is given: a transaction's rows go when it is rolled back", async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await insertNote(trx, { id: "t", owner: "ana", body: null, made_at: "2026-01-01" });
        expect(await trx.selectFrom("notes").select("id").execute()).toEqual([{ id: "t" }]);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await all()).toEqual([]);
  });

  it("compiles once for a set of columns, whichever handle runs it", async () => {
    const building = vi.spyOn(Kysely.prototype, "insertInto");
    const insert = preparedInsert<Tables, "notes">("notes");
    for (let i = 0; i < 3; i++) {
      await insert(db, { id: `s${i}`, owner: "ana", body: null, made_at: "x" });
      await db.transaction().execute((trx) => insert(trx, { id: `t${i}`, owner: "bo", body: "y", made_at: "x" }));
    }
    expect(building).toHaveBeenCalledTimes(1);
    // Another set of columns is another statement: the body left out is null, not another row's;
    // a body given as undefined is left out the same way (as Kysely's own insert does).
    await insert(db, { id: "u", owner: "cy", made_at: "x" });
    await insert(db, { id: "v", owner: "cy", body: undefined, made_at: "x" });
    expect(building).toHaveBeenCalledTimes(2);
    expect(await all()).toHaveLength(8);
    expect((await all()).find((n) => n.id === "v")).toMatchObject({ body: null });
    expect((await all()).find((n) => n.id === "u")).toEqual({ id: "u", owner: "cy", body: null, made_at: "x" });
  });
});

describe("preparedQuery", () => {
  it("binds each argument where its marker went, compiles once, and reads through the handle it is given", async () => {
    const build = vi.fn((q: Kysely<Tables>, owner: string, since: string) =>
      q.selectFrom("notes").select("id").where("made_at", ">", since).where("owner", "=", owner).orderBy("id"),
    );
    const notesOf = preparedQuery(build, 2);
    await insertNote(db, { id: "a", owner: "ana", body: null, made_at: "2026-01-01" });
    await insertNote(db, { id: "b", owner: "ana", body: null, made_at: "2026-03-01" });
    await insertNote(db, { id: "c", owner: "bo", body: null, made_at: "2026-03-01" });
    expect(await notesOf(db, "ana", "2026-02-01")).toEqual([{ id: "b" }]);
    expect(await notesOf(db, "bo", "2025-01-01")).toEqual([{ id: "c" }]);
    await db.transaction().execute(async (trx) => {
      await insertNote(trx, { id: "d", owner: "bo", body: null, made_at: "2026-04-01" });
      expect(await notesOf(trx, "bo", "2026-03-15")).toEqual([{ id: "d" }]);
    });
    expect(build).toHaveBeenCalledTimes(1);
  });

  it("keeps the values the builder wrote itself, beside the arguments", async () => {
    const bodyOf = preparedQuery(
      (q: Kysely<Tables>, id: string) =>
        q.selectFrom("notes").select("body").where("owner", "=", "ana").where("id", "=", id),
      1,
    );
    await insertNote(db, { id: "a", owner: "ana", body: "mine", made_at: "x" });
    await insertNote(db, { id: "b", owner: "bo", body: "theirs", made_at: "x" });
    expect(await bodyOf(db, "a")).toEqual([{ body: "mine" }]);
    expect(await bodyOf(db, "b")).toEqual([]);
  });
});

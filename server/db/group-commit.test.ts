import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openSqlite } from "./database.js";
import { inGroupCommit, MAX_BATCH } from "./group-commit.js";

let file: string;
let db: Db;

beforeEach(async () => {
  file = join(mkdtempSync(join(tmpdir(), "mailproof-group-commit-")), "store.sqlite");
  db = openSqlite(file);
  await sql`create table parent (id text primary key, data blob)`.execute(db);
  // Checked at commit, not at the insert: a way to make a commit fail.
  await sql`create table child (
    id text primary key,
    parent_id text references parent (id) deferrable initially deferred
  )`.execute(db);
});
afterEach(async () => {
  await db.destroy();
});

const insertParent = (id: string) => (trx: Db) =>
  sql`insert into parent (id) values (${id})`.execute(trx).then(() => `kept ${id}`);

/** What another connection sees: only what was committed. */
function committedParents(): string[] {
  const other = new SQLite(file, { readonly: true });
  try {
    return (other.prepare("select id from parent order by id").all() as { id: string }[]).map((r) => r.id);
  } finally {
    other.close();
  }
}

describe("inGroupCommit (SQLite)", () => {
  it("commits works queued together, each answered with its own value once committed", async () => {
    const seen: string[][] = [];
    const works = ["a", "b", "c", "d", "e"].map((id) =>
      inGroupCommit(db, insertParent(id)).then((value) => {
        seen.push(committedParents());
        return value;
      }),
    );
    expect(await Promise.all(works)).toEqual(["kept a", "kept b", "kept c", "kept d", "kept e"]);
    // Whoever heard back first could already read its row from elsewhere: no answer before the commit.
    expect(seen[0]).toContain("a");
    expect(committedParents()).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("rolls back a work that fails on its own, and keeps the others of its batch", async () => {
    const refused = new Error("over the cap");
    const results = await Promise.allSettled([
      inGroupCommit(db, insertParent("a")),
      inGroupCommit(db, async (trx) => {
        await insertParent("b")(trx);
        throw refused;
      }),
      inGroupCommit(db, insertParent("b")), // b's insert was undone: no conflict
    ]);
    expect(results).toEqual([
      { status: "fulfilled", value: "kept a" },
      { status: "rejected", reason: refused },
      { status: "fulfilled", value: "kept b" },
    ]);
    expect(committedParents()).toEqual(["a", "b"]);
  });

  it("fails every work of a batch whose commit fails, and keeps none of them", async () => {
    const results = await Promise.allSettled([
      inGroupCommit(db, insertParent("a")),
      inGroupCommit(db, (trx) => sql`insert into child (id, parent_id) values ('c', 'nobody')`.execute(trx)),
    ]);
    // Work a did nothing wrong: it shared the commit that failed, so it is not kept either.
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committedParents()).toEqual([]);
    // The next work gets a transaction of its own.
    await expect(inGroupCommit(db, insertParent("z"))).resolves.toBe("kept z");
    expect(committedParents()).toEqual(["z"]);
  });

  it("fails the whole batch when the store does (a full disk), then serves the next works", async () => {
    const { pages } = (await sql<{ pages: number }>`select page_count as pages from pragma_page_count()`.execute(db))
      .rows[0]!;
    await sql.raw(`pragma max_page_count = ${pages + 2}`).execute(db);
    const results = await Promise.allSettled([
      inGroupCommit(db, insertParent("a")),
      inGroupCommit(db, (trx) => sql`insert into parent (id, data) values ('big', zeroblob(200000))`.execute(trx)),
      inGroupCommit(db, insertParent("c")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: "SQLITE_FULL" });
    expect((results[0] as PromiseRejectedResult).reason).toBe((results[1] as PromiseRejectedResult).reason);
    expect(committedParents()).toEqual(["c"]);
  });

  it("waits for the end of the event loop's turn to commit: works of that turn join", async () => {
    // Another request read in the same turn: its work is queued after this one's has run.
    const later = new Promise<PromiseSettledResult<unknown>[]>((resolve) =>
      setImmediate(() => {
        void Promise.allSettled([
          inGroupCommit(db, (trx) => sql`insert into child (id, parent_id) values ('c', 'nobody')`.execute(trx)),
        ]).then(resolve);
      }),
    );
    const first = await Promise.allSettled([inGroupCommit(db, insertParent("a"))]);
    // They shared the commit, which the later work made fail.
    expect(first[0]!.status).toBe("rejected");
    expect((await later)[0]!.status).toBe("rejected");
    expect(committedParents()).toEqual([]);
  });

  it(`commits at most ${MAX_BATCH} works together; the rest go in the next commit`, async () => {
    const works = Array.from({ length: MAX_BATCH + 8 }, (_, i) =>
      i === MAX_BATCH
        ? inGroupCommit(db, (trx) => sql`insert into child (id, parent_id) values ('c', 'nobody')`.execute(trx))
        : inGroupCommit(db, insertParent(`p${String(i).padStart(2, "0")}`)),
    );
    const statuses = (await Promise.allSettled(works)).map((r) => r.status);
    // The first batch is kept whole; the work that fails its commit is the first of the second.
    expect(statuses.slice(0, MAX_BATCH)).toEqual(Array(MAX_BATCH).fill("fulfilled"));
    expect(statuses.slice(MAX_BATCH)).toEqual(Array(8).fill("rejected"));
    expect(committedParents()).toHaveLength(MAX_BATCH);
  });

  it("rejects a work whose transaction cannot begin, instead of waiting for ever", async () => {
    await db.destroy();
    await expect(inGroupCommit(db, insertParent("a"))).rejects.toThrow();
    await expect(inGroupCommit(db, insertParent("b"))).rejects.toThrow();
    db = openSqlite(file);
  });
});

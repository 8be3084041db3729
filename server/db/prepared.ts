import type { Compilable, CompiledQuery, Insertable, Kysely } from "kysely";
import { isPostgres } from "./dialect.js";

/**
 * A query built and compiled once per dialect, then run with new parameters on whichever handle
 * it is given (the store, or a transaction of it). Kysely builds and compiles a query on every
 * call, which costs more than running it on SQLite (about 6 against 2 µs for a lookup); the
 * queries on every request's path are prepared this way instead, including those a create runs
 * in its transaction, whose handle is new for each transaction. The builder receives markers
 * where the arguments go; whatever SQL it compiles to, each marker's position in the compiled
 * parameters is where that argument is bound.
 */
export function preparedQuery<DB, Args extends string[], Row>(
  build: (db: Kysely<DB>, ...markers: Args) => Compilable<Row>,
  arity: Args["length"],
): (db: Kysely<DB>, ...args: Args) => Promise<Row[]> {
  const markers = Array.from({ length: arity }, (_, i) => `\u0000arg${i}\u0000`) as Args;
  // Compiled on first use in each dialect: what a process never runs costs it nothing.
  const compiledIn = new Map<boolean, { compiled: CompiledQuery<Row>; positions: number[] }>();
  return async (db, ...args) => {
    const postgres = isPostgres(db);
    let entry = compiledIn.get(postgres);
    if (!entry) {
      const compiled = build(db, ...markers).compile();
      entry = { compiled, positions: compiled.parameters.map((p) => markers.indexOf(p as string)) };
      compiledIn.set(postgres, entry);
    }
    const { compiled, positions } = entry;
    const parameters = positions.map((i, at) => (i >= 0 ? args[i] : compiled.parameters[at]));
    return (await db.executeQuery<Row>({ ...compiled, parameters })).rows;
  };
}

/**
 * Inserts `row` into `table` on `db` (the store or a transaction), with a statement compiled once
 * per dialect, table and set of columns (the row's own keys, in their order).
 */
export function preparedInsert<DB, T extends keyof DB & string>(
  table: T,
): (db: Kysely<DB>, row: Insertable<DB[T]>) => Promise<void> {
  const compiledFor = new Map<string, CompiledQuery>();
  return async (db, row) => {
    // As Kysely does, a key whose value is undefined is no column of the insert.
    const columns = (Object.keys(row) as (keyof typeof row & string)[]).filter((c) => row[c] !== undefined);
    const key = JSON.stringify([isPostgres(db), columns]);
    let compiled = compiledFor.get(key);
    if (!compiled) {
      // Untyped inside: the row's type is checked where this is called. Kysely binds a row's
      // values in the order of its keys, so the values of the next rows go in that order too.
      const untyped = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      compiled = untyped
        .insertInto(table)
        .values(Object.fromEntries(columns.map((c) => [c, null])))
        .compile();
      compiledFor.set(key, compiled);
    }
    await db.executeQuery({ ...compiled, parameters: columns.map((c) => row[c]) });
  };
}

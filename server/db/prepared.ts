import type { Compilable, CompiledQuery, Kysely } from "kysely";

/**
 * A query built and compiled once, then run with new parameters. Kysely builds and compiles a
 * query on every call, which costs more than running it on SQLite; the few queries on every
 * request's path (the API key lookup, fetching by id) are prepared this way instead. The builder
 * receives markers where the arguments go; whatever SQL it compiles to, each marker's position
 * in the compiled parameters is where that argument is bound.
 */
export function prepared<DB, Args extends string[], Row>(
  db: Kysely<DB>,
  build: (...markers: Args) => Compilable<Row>,
  arity: Args["length"],
): (...args: Args) => Promise<Row[]> {
  const markers = Array.from({ length: arity }, (_, i) => `\u0000arg${i}\u0000`) as Args;
  // Compiled on first use: a store built for one transaction pays nothing for queries it never runs.
  let compiled: CompiledQuery<Row> | undefined;
  let positions: number[] = [];
  return async (...args) => {
    if (!compiled) {
      compiled = build(...markers).compile();
      positions = compiled.parameters.map((p) => markers.indexOf(p as string));
    }
    const parameters = positions.map((i, at) => (i >= 0 ? args[i] : compiled!.parameters[at]));
    return (await db.executeQuery<Row>({ ...compiled!, parameters })).rows;
  };
}

import { type SelectQueryBuilder, sql } from "kysely";

/**
 * Keyset paging on (created_at, id), newest first. A cursor names the row a page starts after
 * (`a`) or before (`b`), so pages stay stable while rows are inserted: new rows sort before
 * every existing one and never shift a page the client already holds.
 */
export interface Cursor {
  direction: "after" | "before";
  createdAt: string;
  id: string;
}

export interface PageRequest {
  size: number;
  cursor: Cursor | null;
}

export interface Page<T> {
  items: T[];
  next: Cursor | null;
  prev: Cursor | null;
}

interface Keyed {
  created_at: string;
  id: string;
}

/** Applies the cursor and limit to a query whose rows carry created_at and id, then reads a page. */
export async function readPage<DB, TB extends keyof DB, O extends Keyed>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: PageRequest,
): Promise<Page<O>> {
  const { cursor, size } = page;
  const backwards = cursor?.direction === "before";
  let q = query;
  if (cursor) {
    // Row-value comparison: the same SQL on SQLite and PostgreSQL, served by the (account, created_at, id) index.
    const op = backwards ? sql`>` : sql`<`;
    q = q.where(sql<boolean>`(created_at, id) ${op} (${cursor.createdAt}, ${cursor.id})`);
  }
  const order = backwards ? sql`asc` : sql`desc`;
  const rows = await q
    .orderBy(sql`created_at ${order}`)
    .orderBy(sql`id ${order}`)
    .limit(size + 1)
    .execute();
  const more = rows.length > size;
  const items = rows.slice(0, size);
  if (backwards) items.reverse();
  const first = items[0];
  const last = items.at(-1);
  const at = (direction: Cursor["direction"], row: Keyed | undefined): Cursor | null =>
    row ? { direction, createdAt: row.created_at, id: row.id } : null;
  // Going forward, a previous page exists whenever we came from a cursor; going backward, a next one does.
  const hasNext = backwards ? true : more;
  const hasPrev = backwards ? more : cursor !== null;
  return { items, next: hasNext ? at("after", last) : null, prev: hasPrev ? at("before", first) : null };
}

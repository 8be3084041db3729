import type { MailproofClient } from "./client.js";
import { unwrap } from "./errors.js";
import type { ListFilters, ListItem, ListPath, PageSize } from "./types.js";

export interface PaginateOptions {
  /** Items per request (1 to 100). */
  pageSize?: PageSize;
  signal?: AbortSignal;
}

/** The `page[after]` cursor of a `links.next` URL, or null on the last page. */
export function cursorOf(link: string | null): string | null {
  if (link === null) return null;
  return new URL(link, "http://mailproof.invalid").searchParams.get("page[after]");
}

/**
 * Every item of a list, page after page, following `links.next` until it is null.
 *
 *   for await (const d of paginate(client, "/v1/destinations", { status: "pending" })) ...
 */
export async function* paginate<P extends ListPath>(
  client: MailproofClient,
  path: P,
  filters?: ListFilters<P>,
  options: PaginateOptions = {},
): AsyncGenerator<ListItem<P>, void, undefined> {
  let after: string | null = null;
  do {
    const page = { size: options.pageSize ?? 100, ...(after === null ? {} : { after }) };
    // The four list operations share one query shape; openapi-fetch cannot narrow a union of
    // paths, so the call is typed through the list's own item type below.
    const init = { params: { query: { ...filters, page } }, signal: options.signal ?? null } as never;
    const body = unwrap(await client.GET(path as "/v1/destinations", init)) as unknown as {
      data: ListItem<P>[];
      links: { next: string | null };
    };
    yield* body.data;
    after = cursorOf(body.links.next);
  } while (after !== null);
}

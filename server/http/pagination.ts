import type { Cursor, Page, PageRequest } from "../db/keyset-page.js";
import { bundledSpec } from "../generated-files.js";
import { parameterDefault } from "./operations.js";
import { ProblemError } from "./problem.js";

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.direction === "after" ? "a" : "b"}|${cursor.createdAt}|${cursor.id}`).toString(
    "base64url",
  );
}

export function decodeCursor(raw: string): Cursor {
  const [d, createdAt, id, ...rest] = Buffer.from(raw, "base64url").toString("utf8").split("|");
  if ((d !== "a" && d !== "b") || !createdAt || !id || rest.length > 0 || Number.isNaN(Date.parse(createdAt))) {
    throw new ProblemError(
      400,
      "invalid_parameter",
      "page[after] is not a cursor this API issued; follow links.next.",
      [{ pointer: "query.page[after]", message: "is not a valid cursor" }],
    );
  }
  return { direction: d === "a" ? "after" : "before", createdAt, id };
}

/** The list's links: the request path with its filters, and the cursors of the neighbours. */
export function pageLinks(
  path: string,
  filters: Record<string, string | undefined>,
  page: PageRequest,
  result: Page<unknown>,
) {
  const link = (cursor: Cursor | null | undefined) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v !== undefined) params.set(k, v);
    params.set("page[size]", String(page.size));
    if (cursor) params.set("page[after]", encodeCursor(cursor));
    return `${path}?${params.toString()}`;
  };
  return {
    self: link(page.cursor),
    next: result.next ? link(result.next) : null,
    prev: result.prev ? link(result.prev) : null,
  };
}

/** Lists' page size when none is asked for: the contract's default (`Page.size`), read from the bundle. */
export const LIST_PAGE_SIZE = Number(parameterDefault(bundledSpec, "Page", "size"));
/** A job's results per page when none is asked for (`ResultsPage.size`). */
export const RESULTS_PAGE_SIZE = Number(parameterDefault(bundledSpec, "ResultsPage", "size"));

export function pageRequest(
  query: { page?: { size?: number; after?: string } },
  defaultSize = LIST_PAGE_SIZE,
): PageRequest {
  return { size: query.page?.size ?? defaultSize, cursor: query.page?.after ? decodeCursor(query.page.after) : null };
}

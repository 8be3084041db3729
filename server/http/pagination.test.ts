import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, LIST_PAGE_SIZE, pageLinks, pageRequest, RESULTS_PAGE_SIZE } from "./pagination.js";

describe("cursors", () => {
  it("round-trip both directions", () => {
    for (const direction of ["after", "before"] as const) {
      const cursor = { direction, createdAt: "2026-11-20T12:00:00.000Z", id: "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01" };
      expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    }
  });

  it.each([
    ["not base64 of ours", "bm90LWEtY3Vyc29y"],
    ["an unknown direction", Buffer.from("x|2026-11-20T12:00:00.000Z|id").toString("base64url")],
    ["a bad time", Buffer.from("a|yesterday|id").toString("base64url")],
    ["a missing id", Buffer.from("a|2026-11-20T12:00:00.000Z|").toString("base64url")],
    ["an extra field", Buffer.from("a|2026-11-20T12:00:00.000Z|id|more").toString("base64url")],
  ])("refuses %s with a 400 on page[after]", (_, raw) => {
    expect(() => decodeCursor(raw)).toThrow(expect.objectContaining({ status: 400, code: "invalid_parameter" }));
  });
});

describe("links", () => {
  it("keep the filters and the size, name the neighbours, and drop what is absent", () => {
    const next = { direction: "after" as const, createdAt: "2026-11-20T12:00:00.000Z", id: "b" };
    const links = pageLinks(
      "/v1/destinations",
      { status: "pending", other: undefined },
      { size: 10, cursor: null },
      { items: [], next, prev: null },
    );
    expect(links.self).toBe("/v1/destinations?status=pending&page%5Bsize%5D=10");
    expect(links.next).toBe(`/v1/destinations?status=pending&page%5Bsize%5D=10&page%5Bafter%5D=${encodeCursor(next)}`);
    expect(links.prev).toBeNull();
  });

  it("default the page size to the contract's (25 for lists, 100 for results)", () => {
    expect([LIST_PAGE_SIZE, RESULTS_PAGE_SIZE]).toEqual([25, 100]);
    expect(pageRequest({})).toEqual({ size: 25, cursor: null });
    expect(pageRequest({ page: { size: 7 } }, 100)).toEqual({ size: 7, cursor: null });
  });
});

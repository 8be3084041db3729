import { describe, expect, it } from "vitest";
import { canonicalJson } from "./idempotency.js";

// The same request body, however its keys were ordered, is the same request for Idempotency-Key.
describe("canonical JSON", () => {
  it("orders object keys at every depth, keeps array order and every value", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: "1" })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson(undefined)).toBe(canonicalJson(undefined));
  });
});

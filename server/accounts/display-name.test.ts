import { describe, expect, it } from "vitest";
import { bundledSpec } from "../generated-files.js";
import { DISPLAY_NAME_PATTERN, isDisplayName } from "./service.js";

describe("display names", () => {
  it("follow the contract's rule (the CLI checks what the API's validator checks)", () => {
    const schemas = (bundledSpec as { components: { schemas: Record<string, { pattern: string; maxLength: number }> } })
      .components.schemas;
    expect(DISPLAY_NAME_PATTERN).toBe(schemas.AccountDisplayName?.pattern);
    expect(schemas.AccountDisplayName?.maxLength).toBe(100);
  });

  it.each([
    ["Acme Logistics", true],
    ["Ünïcødé Ltd — Mail", true],
    ["A".repeat(100), true],
    ["A".repeat(101), false],
    ["", false],
    [" Acme", false],
    ["Acme ", false],
    ["Acme\nBcc: x@y.z", false],
    ["Acme\u0085Corp", false],
    ["Acme\u2028Corp", false],
  ])("%j: %s", (name, valid) => {
    expect(isDisplayName(name)).toBe(valid);
  });
});

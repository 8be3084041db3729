import { describe, expect, it } from "vitest";
import { addressChecks, repaired } from "./address-checks.js";

describe("an entry that holds an address with stray characters around it", () => {
  it.each([
    [" ana@acme-logistics.com ", "ana@acme-logistics.com"],
    ["ana@acme-logistics.com\u00a0", "ana@acme-logistics.com"],
    ["mailto:ana@acme-logistics.com", "ana@acme-logistics.com"],
    ["Ana Silva <ana@acme-logistics.com>", "ana@acme-logistics.com"],
    ["<ana@acme-logistics.com>", "ana@acme-logistics.com"],
    ["ana@acme-logistics.com.", "ana@acme-logistics.com"],
    ["ana@gmial.com ", "ana@gmail.com"],
  ])("%j: invalid as given, did you mean %j", (entry, suggestion) => {
    const checked = addressChecks(entry);
    expect(checked.valid).toBe(false);
    if (checked.valid) return;
    expect(checked.result).toMatchObject({
      result: "undeliverable",
      reason: "invalid_syntax",
      did_you_mean: suggestion,
    });
  });

  it.each(["ana at acme-logistics.com", " ana at acme ", "<>", "Ana <not an address>", ""])(
    "%j: nothing to suggest",
    (entry) => {
      expect(repaired(entry)).toBeNull();
    },
  );

  it("suggests nothing for an address as given (the typo suggestion is the engine's, after DNS)", () => {
    expect(repaired("ana@acme-logistics.com")).toBeNull();
  });
});

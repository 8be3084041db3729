import { describe, expect, it } from "vitest";
import { dnsOutcome } from "./dns.js";

describe("DNS outcomes", () => {
  it.each([
    ["ENOTFOUND", "nxdomain"],
    ["ENODATA", "no_records"],
    ["ENONAME", "no_records"],
    ["ETIMEOUT", "failure"],
    ["ESERVFAIL", "failure"],
    ["ECONNREFUSED", "failure"],
    [undefined, "failure"],
  ])("%s is %s", (code, outcome) => {
    expect(dnsOutcome(Object.assign(new Error("x"), { code }))).toBe(outcome);
  });
});

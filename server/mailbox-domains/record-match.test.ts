import { describe, expect, it } from "vitest";
import { judgeRecord } from "./record-match.js";
import type { DnsRecord } from "./records.js";

const base = { status: "pending" as const, observed_values: [] };
const ownership: DnsRecord = {
  purpose: "ownership",
  type: "TXT",
  name: "_mailproof.acme.com",
  value: "mailproof-verification=abc123",
  priority: null,
  ...base,
};
const mx: DnsRecord = {
  purpose: "inbound_mx",
  type: "MX",
  name: "acme.com",
  value: "inbound.mailproof.net",
  priority: 10,
  ...base,
};
const spf: DnsRecord = {
  purpose: "spf",
  type: "TXT",
  name: "acme.com",
  value: "v=spf1 include:spf.mailproof.net ~all",
  priority: null,
  ...base,
};

// What DNS shows, and what the record's status then is (the values kept are the ones that count).
describe("DNS record matching", () => {
  it.each([
    ["ownership published", ownership, ["mailproof-verification=abc123"], false, "found"],
    ["ownership with spaces around it", ownership, ["  mailproof-verification=abc123 "], false, "found"],
    [
      "ownership among other TXT values",
      ownership,
      ["google-site-verification=x", "mailproof-verification=abc123"],
      false,
      "found",
    ],
    [
      "ownership token in another case (tokens are case-sensitive)",
      ownership,
      ["mailproof-verification=ABC123"],
      false,
      "mismatch",
    ],
    ["ownership with another token", ownership, ["mailproof-verification=zzz"], false, "mismatch"],
    ["ownership absent", ownership, [], false, "pending"],
    ["ownership gone from a verified domain", ownership, [], true, "mismatch"],
    ["MX published, name in another case and with a priority", mx, ["10 INBOUND.mailproof.net"], false, "found"],
    ["MX pointing elsewhere", mx, ["10 mx.other.net"], false, "mismatch"],
    ["MX absent", mx, [], false, "pending"],
    ["MX absent on a verified domain (only ownership can be gone)", mx, [], true, "pending"],
    [
      "SPF with ours among other includes",
      spf,
      ["v=spf1 include:_spf.google.com include:spf.mailproof.net -all"],
      false,
      "found",
    ],
    ["SPF with odd spacing and case", spf, ["v=spf1   INCLUDE:SPF.MAILPROOF.NET  ~all"], false, "found"],
    ["SPF without ours", spf, ["v=spf1 include:_spf.google.com ~all"], false, "mismatch"],
    [
      "a non-SPF TXT that mentions v=spf1 does not count",
      spf,
      ["note: v=spf1 include:spf.mailproof.net"],
      false,
      "pending",
    ],
    ["v=spf10 is not SPF", spf, ["v=spf10 include:spf.mailproof.net"], false, "pending"],
    [
      "an include that only starts like ours",
      spf,
      ["v=spf1 include:spf.mailproof.net.evil.com ~all"],
      false,
      "mismatch",
    ],
  ] as const)("%s", (_, record, observed, verified, status) => {
    expect(judgeRecord(record, [...observed], verified).status).toBe(status);
  });

  it("keeps only the values that count, in the order DNS gave them", () => {
    const judged = judgeRecord(
      spf,
      ["google-site-verification=x", "v=spf1 include:a.net ~all", "v=spf1 include:spf.mailproof.net ~all"],
      false,
    );
    expect(judged.observed_values).toEqual(["v=spf1 include:a.net ~all", "v=spf1 include:spf.mailproof.net ~all"]);
    expect(judgeRecord(mx, ["20 b.net", "10 a.net"], false).observed_values).toEqual(["20 b.net", "10 a.net"]);
    expect(judgeRecord(ownership, [], true)).toMatchObject({
      value: ownership.value,
      name: ownership.name,
      observed_values: [],
    });
  });
});

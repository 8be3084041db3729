import { describe, expect, it } from "vitest";
import { normalizeHostname } from "./hostname.js";

describe("normalizeHostname", () => {
  it.each([
    ["acme-logistics.com", "acme-logistics.com"],
    ["ACME-Logistics.COM", "acme-logistics.com"],
    ["mail.acme-logistics.co.uk.", "mail.acme-logistics.co.uk"],
    ["bücher.de", "xn--bcher-kva.de"],
    ["münchen.example", "xn--mnchen-3ya.example"],
    ["xn--bcher-kva.de", "xn--bcher-kva.de"],
    ["a1.b2", "a1.b2"],
  ])("%s → %s", (input, expected) => expect(normalizeHostname(input)).toBe(expected));

  it.each([
    "",
    "com",
    "localhost",
    "acme .com",
    "-acme.com",
    "acme-.com",
    "acme..com",
    "acme.123",
    "192.168.1.1",
    "acme.com:25",
    "_dmarc.acme.com",
    `${"a".repeat(64)}.com`,
    `${"abcdefghij.".repeat(25)}com`,
  ])("refuses %j", (input) => expect(normalizeHostname(input)).toBeNull());
});

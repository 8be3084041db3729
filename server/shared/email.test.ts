import { describe, expect, it } from "vitest";
import { isIdnEmail, normalizeAddress, shownAddress, unsendableAddress } from "./email.js";

describe("isIdnEmail (the contract's idn-email format)", () => {
  it.each([
    "ana@acme-logistics.com",
    "ana.silva+tag@mail.acme-logistics.co.uk",
    "ana@bücher.de",
    "ana@BÜCHER.de",
    "ana@xn--bcher-kva.de",
    "josé@bücher.de", // RFC 6531 allows it; the services say why mail cannot go there
    "a@127.0.0.1", // the email format's syntax; the services refuse the domain
  ])("takes %s", (address) => expect(isIdnEmail(address)).toBe(true));

  it.each([
    "ana.silva at acme",
    "ana@",
    "@acme.com",
    "ana@localhost",
    "ana@bü cher.de",
    "ana@☃.net", // not an IDNA2008 label
    "ana@acme..com",
    "ana..silva@acme.com",
    "ana@xn--zz.de", // an A-label that does not decode
  ])("refuses %s", (address) => expect(isIdnEmail(address)).toBe(false));
});

describe("normalizeAddress", () => {
  it("puts the domain in A-labels, as mailbox domains are stored, and keeps the local part's case", () => {
    expect(normalizeAddress(" Ana.Silva@Bücher.DE ")).toBe("Ana.Silva@xn--bcher-kva.de");
    expect(normalizeAddress("billing@straße.de")).toBe("billing@xn--strae-oqa.de");
  });
});

describe("unsendableAddress", () => {
  it("says why mail cannot go to an address the format takes", () => {
    expect(unsendableAddress("josé@bücher.de")).toMatch(/^has a local part that is not ASCII/);
    expect(unsendableAddress(`${"a".repeat(65)}@acme.com`)).toMatch(/local part over 64 octets/);
    expect(unsendableAddress("a@127.0.0.1")).toMatch(/all-numeric top-level label/);
    // 224 characters as typed; each label of 22 "ü" is 28 in ASCII (xn--tdaa…): 60 + 1 + 7 × 28 + 6 + 3.
    const long = `${"a".repeat(60)}@${Array.from({ length: 7 }, () => "ü".repeat(22)).join(".")}.de`;
    expect(unsendableAddress(long)).toBe("is 266 octets with its domain in ASCII, over 254 (RFC 5321 §4.5.3.1.3)");
    expect(unsendableAddress("ana@bücher.de")).toBeNull();
  });
});

describe("shownAddress", () => {
  it("shows a domain's A-labels in Unicode beside the stored form, and any other address as it is", () => {
    expect(shownAddress("billing@mail.xn--bcher-kva.de")).toBe(
      "billing@mail.bücher.de (billing@mail.xn--bcher-kva.de)",
    );
    expect(shownAddress("ana@acme-logistics.com")).toBe("ana@acme-logistics.com");
    expect(shownAddress("ana@xn--zz.de")).toBe("ana@xn--zz.de"); // not a valid A-label: not decoded
  });
});

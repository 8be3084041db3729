import { describe, expect, it } from "vitest";
import { addressColumn, separatorOf } from "./list-layout.js";

// How the CLI reads a list file and the server a CSV upload: one set of rules for both.
describe("a list's layout", () => {
  it.each([
    ["name,email\n", ","],
    ["Name;E-Mail;Stadt\r\n", ";"],
    ["Email Address\tName, first\n", "\t"],
    ['"Silva, Ana";ana@acme-logistics.com\n', ";"],
    ['"a;b;c",email\n', ","],
    ["email", ","],
    ['"an unterminated, quoted; heading\n', ","],
  ])("separates %j by %j", (text, separator) => {
    expect(separatorOf(text)).toBe(separator);
  });

  it.each([
    "email",
    "E-mail",
    "Email Address",
    "email_address",
    "MAIL",
    "E-Mail-Adresse",
    "Adresse e-mail",
    "Courriel",
  ])("takes a column headed %j", (name) => {
    expect(addressColumn(["name", name], ["Ana", "x"])).toEqual({ column: 1, header: true });
  });

  it.each([
    [["id", "Email Address"], undefined, { column: 1, header: true }],
    [["Ana", "ana@acme-logistics.com"], ["Bo", "bo@acme-logistics.com"], { column: 1, header: false }],
    [["name", "contact"], ["Ana", "ana@acme-logistics.com"], { column: 1, header: true }],
    [["name", "contact"], ["Ana", "none"], { column: 0, header: true }],
  ])("finds the addresses of %j, %j", (first, second, layout) => {
    expect(addressColumn(first, second)).toEqual(layout);
  });
});

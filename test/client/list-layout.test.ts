import { describe, expect, it } from "vitest";
import * as client from "../../client/src/cli/list-layout.js";
import * as server from "../../server/email-validations/csv.js";

// The CLI reads a list file as the server reads a CSV upload; the client cannot import the
// server's rules, so each has its own, and both answer these cases alike.
describe.each([
  ["the server", server],
  ["the CLI", client],
])("a list's layout, as %s reads it", (_, { addressColumn, separatorOf }) => {
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

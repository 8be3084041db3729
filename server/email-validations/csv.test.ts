import { describe, expect, it } from "vitest";
import { emailsOfCsv } from "./csv.js";

describe("emailsOfCsv", () => {
  it("reads a character outside the BMP whole where a slice of the file ends in the middle of it", async () => {
    // Slices are 65,536 UTF-16 units: an odd prefix puts a surrogate pair across that boundary.
    const address = `x${"😀".repeat(40_000)}@example.com`;
    expect(await emailsOfCsv(`email\n${address}\n`)).toEqual([address]);
  });

  it("reads a quoted cell that spans slices, with its line breaks and quotes", async () => {
    const note = `${'"a ""quoted"" line"\n'.repeat(12_000)}`;
    const text = `name,email\n"${note.replaceAll('"', '""')}",ana@acme-logistics.com\nBo,bo@acme-logistics.com\n`;
    expect(text.length).toBeGreaterThan(3 * 65_536);
    expect(await emailsOfCsv(text)).toEqual(["ana@acme-logistics.com", "bo@acme-logistics.com"]);
  });

  it("lets the event loop turn between slices while it parses a large file", async () => {
    // 20 slices of 64 KB: a parse in one go would let no callback run before it resolves.
    const text = `email\n${"ana.silva@acme-logistics.com\n".repeat(44_000)}`;
    let turns = 0;
    let parsing = true;
    const count = () => {
      if (!parsing) return;
      turns++;
      setImmediate(count);
    };
    setImmediate(count);
    const emails = await emailsOfCsv(text);
    parsing = false;
    expect(emails).toHaveLength(44_000);
    expect(turns).toBeGreaterThanOrEqual(Math.floor(text.length / 65_536));
  });

  it("refuses a file one row past 100,000 without reading further", async () => {
    const rows = Array.from({ length: 100_001 }, (_, i) => `u${i}@acme-logistics.com`);
    await expect(emailsOfCsv(`email\n${rows.join("\n")}\n,"unterminated\n`)).rejects.toMatchObject({
      status: 422,
      detail: "/emails must hold at most 100000 addresses.",
    });
    await expect(emailsOfCsv(`email\n${rows.slice(1).join("\n")}\n`)).resolves.toHaveLength(100_000);
  });
});

describe("a list's layout", () => {
  it("reads a list of addresses with no header row, its first address included", async () => {
    expect(await emailsOfCsv("ana@acme-logistics.com\nbo@acme-logistics.com\n")).toEqual([
      "ana@acme-logistics.com",
      "bo@acme-logistics.com",
    ]);
    expect(await emailsOfCsv("ana@acme-logistics.com")).toEqual(["ana@acme-logistics.com"]);
    expect(await emailsOfCsv("Ana Silva,ana@acme-logistics.com\nBo,bo@acme-logistics.com\n")).toEqual([
      "ana@acme-logistics.com",
      "bo@acme-logistics.com",
    ]);
  });

  it("reads semicolon- and tab-separated files, as Excel writes them, by their first line", async () => {
    const rows = ["Name;E-Mail;Stadt", "Ana;ana@acme-logistics.com;Köln", '"Bo; jr.";bo@acme-logistics.com;Bonn'];
    expect(await emailsOfCsv(rows.join("\r\n"))).toEqual(["ana@acme-logistics.com", "bo@acme-logistics.com"]);
    expect(await emailsOfCsv("Email Address\tName\nana@acme-logistics.com\tAna, S.\n")).toEqual([
      "ana@acme-logistics.com",
    ]);
  });

  it("refuses a file that holds a header row alone, or no rows", async () => {
    await expect(emailsOfCsv("name,email\n")).rejects.toMatchObject({
      status: 422,
      detail: "/emails must hold at least 1 address (a header row alone holds none).",
    });
    for (const empty of ["", "\n\n", "\r\n\r\n"])
      await expect(emailsOfCsv(empty)).rejects.toMatchObject({
        status: 422,
        detail: "/emails must hold at least 1 address (the file holds no rows).",
      });
  });
});

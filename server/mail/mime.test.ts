import fc from "fast-check";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { confirmationMessage } from "./confirmation-message.js";
import { mailComposer } from "./mime.js";

// Every mail is read back by a real parser (mailparser, as mail clients and the test suite read it).
const link = `https://mailproof.example/confirm/${"Zx9_".repeat(12)}`;
const mail = confirmationMessage({
  to: "ana@acme.test",
  link,
  expiresAt: "2026-12-07T10:00:00.000Z",
  accountName: "Acmé Logistics · Billing",
  resource: { type: "destination", id: "d1" },
  purpose: "forward mail to this address",
  note:
    "Hi Ana,\n.\nFrom the team   \n" +
    "with a line longer than seventy-six characters, which quoted-printable wraps softly",
});

describe("the confirmation mail's MIME", () => {
  it("reads back as the same text, HTML, sender, recipient and subject", async () => {
    const composed = mailComposer('"Mailpröof, Inc." <no-reply@mailproof.example>')(mail, "\r\n");
    const parsed = await simpleParser(composed.raw);
    expect(parsed.from?.value).toEqual([{ name: "Mailpröof, Inc.", address: "no-reply@mailproof.example" }]);
    expect(parsed.to).toMatchObject({ value: [{ address: "ana@acme.test", name: "" }] });
    expect(parsed.subject).toBe(mail.subject);
    expect(parsed.text).toBe(mail.text);
    expect(parsed.html).toBe(mail.html);
    expect(parsed.messageId).toBe(composed.messageId);
    expect(composed.messageId).toMatch(/^<[0-9a-f-]{36}@mailproof\.example>$/);
    expect(Math.abs(parsed.date!.getTime() - Date.now())).toBeLessThan(5_000);
    expect(composed.envelope).toEqual({ from: "no-reply@mailproof.example", to: ["ana@acme.test"] });
    // The link survives whole in both parts: nothing a client could break it on.
    expect(parsed.text).toContain(link);
    expect(parsed.html).toContain(`href="${link}"`);
  });

  it("keeps every line within 78 characters and 7 bits, ending them as asked", () => {
    const compose = mailComposer(`"${"Acme Logistics, Billing Department ".repeat(3)}" <no-reply@localhost>`);
    // A long address is one word: folded onto a line of its own, within 78 characters up to about 75.
    const long = { ...mail, subject: `Please confirm ${"a-long-local-part.".repeat(3)}of-sixty@acme.test` };
    const wire = compose(long, "\r\n").raw;
    expect(wire).toMatch(/^Subject: .*\r\n .*\r\n/m); // folded, not cut
    // RFC 5322's date, in UTC; the message ends at its closing boundary.
    expect(wire).toMatch(/^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\r$/m);
    expect(wire).toMatch(/\r\n--(--_mailproof-[0-9a-f]{24})--\r\n$/);
    expect(wire.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(wire.split("\r\n").every((line) => line.length <= 78)).toBe(true);
    expect(wire).toMatch(/^[\x20-\x7e\r\n]*$/);
    const file = compose(long, "\n").raw;
    expect(file).not.toContain("\r");
    // The same message either way, but for its line ends (and its id, date and boundary).
    const masked = (raw: string) => raw.replace(/<[^>]+>$|^Date: .*$|_mailproof-[0-9a-f]+/gm, "…");
    expect(masked(file)).toBe(masked(wire.replace(/\r\n/g, "\n")));
  });

  it("never lets a line break in a header value start a header of its own", async () => {
    const compose = mailComposer("mailproof <no-reply@localhost>");
    const raw = compose(
      { ...mail, subject: "Please confirm\r\nBcc: victim@example.org", to: "ana@acme.test" },
      "\r\n",
    ).raw;
    const parsed = await simpleParser(raw);
    expect(parsed.headers.has("bcc")).toBe(false);
    expect(parsed.subject).toBe("Please confirm Bcc: victim@example.org");
  });

  it("writes an internationalised domain in ASCII, in the headers and the envelope", async () => {
    const composed = mailComposer("Bücher <verify@bücher.example>")({ ...mail, to: "ana@müller.test" }, "\n");
    const parsed = await simpleParser(composed.raw);
    expect(composed.raw).toMatch(/^From: =\?UTF-8\?Q\?B=C3=BCcher\?= <verify@xn--bcher-kva\.example>$/m);
    expect(composed.raw).toMatch(/^To: ana@xn--mller-kva\.test$/m);
    expect(parsed.from?.value).toEqual([{ name: "Bücher", address: "verify@bücher.example" }]);
    expect(composed.messageId).toMatch(/@xn--bcher-kva\.example>$/);
    expect(composed.envelope).toEqual({ from: "verify@xn--bcher-kva.example", to: ["ana@xn--mller-kva.test"] });
  });

  it("round-trips any text and HTML, whatever characters and line lengths they hold", async () => {
    const compose = mailComposer("mailproof <no-reply@localhost>");
    // Line breaks are "\n" in what confirmation-message.ts writes; a part's last line break is not
    // kept, and its first line is never empty (mailparser reads an empty part as "\n").
    const body = fc
      .array(
        fc.string({ unit: "grapheme", maxLength: 120 }).map((s) => s.replace(/[\r\n]/g, "")),
        { maxLength: 6 },
      )
      .map((lines) => `x${lines.join("\n")}`.replace(/\n+$/, ""));
    await fc.assert(
      fc.asyncProperty(
        body,
        body,
        fc.constantFrom("\n", "\r\n") as fc.Arbitrary<"\n" | "\r\n">,
        async (text, html, nl) => {
          const parsed = await simpleParser(compose({ to: "ana@acme.test", subject: "s", text, html }, nl).raw);
          expect(parsed.text ?? "").toBe(text);
          expect(parsed.html || "").toBe(html);
        },
      ),
      { numRuns: 200 },
    );
  });
});

import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { confirmPage } from "../confirmations/pages.js";
import { confirmationMessage } from "./confirmation-message.js";
import { mailComposer } from "./mime.js";

// A name or note that ends in a right-to-left override (U+202E) turns the rest of the sentence it
// is shown in around: "<name> asked to forward mail to this address" would read as the attacker
// writes it backwards. Names stored before the contract refused them, and the notes and identity
// names it does not pattern, are shown without any bidirectional embedding, override or isolate
// control (U+202A to U+202E, U+2066 to U+2069).
const CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;
const mail = confirmationMessage({
  to: "ana@acme.test",
  link: "https://mailproof.example/confirm/abc",
  expiresAt: "2026-12-07T10:00:00.000Z",
  accountName: "Acme \u202Eliam ruoy daer ot",
  resource: { type: "sender_identity", id: "i1" },
  purpose: "send mail as Billing \u2067\u05D0\u2069 from this address",
  note: "\u202Bsee below\u202C\nand \u202Dthis",
});

describe("user values in the confirmation mail and page", () => {
  it("are shown without bidirectional controls, in the text and the HTML part", async () => {
    expect(mail.text).not.toMatch(CONTROLS);
    expect(mail.html).not.toMatch(CONTROLS);
    expect(mail.text).toContain("Acme liam ruoy daer ot asked to send mail as Billing \u05D0 from this address");
    expect(mail.text).toContain("  see below\n  and this");
    expect(mail.html).toContain("<strong>Acme liam ruoy daer ot</strong> asked to send mail as Billing \u05D0 from");
    // As a mail client reads it.
    const parsed = await simpleParser(mailComposer("no-reply@mailproof.example")(mail, "\r\n").raw);
    expect(parsed.text).not.toMatch(CONTROLS);
    expect(parsed.html).not.toMatch(CONTROLS);
  });

  it("are shown without bidirectional controls on the confirm page", () => {
    const html = confirmPage({
      email: "ana@acme.test",
      accountName: "Acme \u202Eliam ruoy daer ot",
      purpose: "forward mail to this address",
      csrf: "x",
    });
    expect(html).not.toMatch(CONTROLS);
    expect(html).toContain("<strong>Acme liam ruoy daer ot</strong> asked to forward mail to this address");
  });
});

import { describe, expect, it } from "vitest";
import { type Checks, isSenderRefusal, reasonOfReply, verdict } from "./verdict.js";

// A mail server's answer to RCPT TO, and what it says about the mailbox (RFC 5321 §4.2, RFC 3463).
describe("reply to reason", () => {
  it.each([
    [250, "2.1.5 Ok", false, "accepted_email"],
    [251, "2.1.5 User not local; will forward", false, "accepted_email"],
    [250, "2.1.5 Ok", true, "catch_all"],
    [550, "5.1.1 User unknown", false, "rejected_email"],
    [551, "5.1.6 User has moved", false, "rejected_email"],
    [553, "5.1.3 Bad recipient address syntax", false, "rejected_email"],
    [554, "5.1.1 Recipient address rejected", false, "rejected_email"],
    [550, "User unknown", false, "rejected_email"],
    [554, "5.7.1 Relay access denied", false, "smtp_blocked"],
    [550, "5.7.1 Client host rejected: policy", false, "smtp_blocked"],
    [552, "5.2.2 Mailbox full", false, "mailbox_full"],
    [452, "4.2.2 Over quota", false, "mailbox_full"],
    [550, "5.2.2 Mailbox full, says the enhanced code", false, "mailbox_full"],
    [452, "Mailbox over quota", false, "mailbox_full"],
    [552, "Requested mail action aborted", false, "mailbox_full"],
    [450, "4.2.1 Greylisted, try again later", false, "greylisted"],
    [451, "4.3.0 Temporary failure", false, "greylisted"],
    [421, "4.4.2 Timeout", false, "greylisted"],
    [450, "4.7.1 Try again later", false, "greylisted"],
    [450, "4.7.1 Error: too many recipients from [192.0.2.1]", false, "smtp_rate_limited"],
    [421, "4.7.0 mx.example Error: too many connections from 192.0.2.1", false, "smtp_rate_limited"],
    [451, "4.7.1 Rate limit exceeded, try again in an hour", false, "smtp_rate_limited"],
    [452, "4.5.3 Error: too many recipients", false, "smtp_rate_limited"],
    [450, "Requested action aborted: throttled", false, "smtp_rate_limited"],
    [451, "Ratelimit hit", false, "smtp_rate_limited"],
    [421, "Too many messages in this session", false, "smtp_rate_limited"],
    [450, "too many mails from your address", false, "smtp_rate_limited"],
    [451, "Too many requests, slow down", false, "smtp_rate_limited"],
    [421, "Too many errors on this connection", false, "smtp_rate_limited"],
    [450, "Please slow down", false, "smtp_rate_limited"],
    [400, "rate limit", false, "smtp_rate_limited"],
    [599, "rate limit", false, "smtp_rate_limited"],
    [600, "rate limit", false, "unexpected_error"],
    [354, "rate limit", false, "unexpected_error"],
    [450, "4.2.0 too many in the queue", false, "greylisted"],
    [550, "5.7.1 Rate limit exceeded: message refused", false, "smtp_blocked"], // never undeliverable
    [550, "Too many recipients", false, "smtp_rate_limited"], // a limit, never undeliverable
    // The words in an address the server echoes are not the server's: found against Postfix.
    [550, "5.1.1 <a@ratelimit.test>: Recipient address rejected: User unknown", false, "rejected_email"],
    [550, "<throttled@x.test>: Recipient address rejected: User unknown", false, "rejected_email"],
    [450, "4.7.1 <a@x.test>: Recipient address rejected: rate limit", false, "smtp_rate_limited"],
    [550, "5.1.1 User unknown", false, "rejected_email"],
    [452, "4.2.2 Mailbox full: too many messages", false, "mailbox_full"],
    [550, "5.2.1 Mailbox disabled", false, "rejected_email"],
    [550, "5.1.2 Bad destination system", false, "rejected_email"],
    [552, "5.2.2", false, "mailbox_full"],
    [550, "5.7.1", false, "smtp_blocked"],
    [550, "5.7.1Blocked", false, "rejected_email"],
    [550, "see 5.7.1 below", false, "rejected_email"],
    [450, "4.2.2 Mailbox full, try later", false, "mailbox_full"],
    [251, "2.1.5 forwarded", true, "catch_all"],
    [500, "5.5.1 Command unrecognized", false, "unexpected_error"],
    [503, "5.5.1 Bad sequence of commands", false, "unexpected_error"],
    [354, "Start mail input", false, "unexpected_error"],
    [220, "ready", false, "unexpected_error"],
  ] as const)("%i %s (catch-all %s) → %s", (code, message, catchAll, reason) => {
    expect(reasonOfReply({ code, message }, catchAll)).toBe(reason);
  });
});

const CHECKS: Checks = {
  syntax: true,
  internationalized: false,
  domain: "acme.test",
  mx: null,
  disposable: false,
  role_account: false,
  free_provider: false,
  smtp: null,
};

describe("verdict", () => {
  it.each([
    ["accepted_email", "deliverable"],
    ["catch_all", "risky"],
    ["mailbox_full", "risky"],
    ["disposable_domain", "risky"],
    ["invalid_syntax", "undeliverable"],
    ["invalid_domain", "undeliverable"],
    ["null_mx", "undeliverable"],
    ["no_mail_server", "undeliverable"],
    ["rejected_email", "undeliverable"],
    ["smtputf8_unsupported", "undeliverable"],
    ["dns_error", "unknown"],
    ["greylisted", "unknown"],
    ["smtp_timeout", "unknown"],
    ["smtp_unavailable", "unknown"],
    ["smtp_blocked", "unknown"],
    ["probe_disabled", "unknown"],
    ["private_network", "unknown"],
    ["unexpected_error", "unknown"],
  ] as const)("%s is %s", (reason, result) => {
    expect(verdict("a@acme.test", reason, CHECKS).result).toBe(result);
  });

  it("maps each reason to its result and carries the catch-all and suggestion", () => {
    const checks: Checks = {
      syntax: true,
      internationalized: false,
      domain: "acme.test",
      mx: "mx.acme.test",
      disposable: false,
      role_account: false,
      free_provider: false,
      smtp: null,
    };
    expect(verdict("a@acme.test", "catch_all", checks, { catchAll: true })).toMatchObject({
      result: "risky",
      catch_all: true,
      did_you_mean: null,
    });
    expect(verdict("a@gmial.com", "invalid_domain", checks, { didYouMean: "a@gmail.com" })).toMatchObject({
      result: "undeliverable",
      did_you_mean: "a@gmail.com",
    });
    expect(verdict("a@acme.test", "smtp_blocked", checks).result).toBe("unknown");
    expect(verdict("a@acme.test", "accepted_email", checks).result).toBe("deliverable");
  });
});

// A refusal of the probe's sender, wherever the server gives it (Postfix: at RCPT TO by default).
describe("sender refusals", () => {
  it.each([
    [501, "5.1.7 Bad sender address syntax", true],
    [553, "5.7.1 <p@x.test>: Sender address rejected: not accepted here", true],
    [450, "4.1.8 <p@x.test>: Sender address rejected: Domain not found", true],
    [550, "5.1.8 Bad sender's system address", true],
    [550, "5.1.1 <a@x.test>: Recipient address rejected: User unknown", false],
    [550, "5.1.7", true],
    [550, "5.1.70 something else", false],
    [250, "2.1.0 Sender address rejected? no: Ok", false],
    [600, "Sender address rejected", false],
    [399, "Sender address rejected", false],
    [400, "Sender address rejected", true],
    [599, "sender ADDRESS rejected", true],
    [550, "see 5.1.7 below", false],
  ] as const)("%i %s → %s", (code, message, refused) => {
    expect(isSenderRefusal({ code, message })).toBe(refused);
  });
});

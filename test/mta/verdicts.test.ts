import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mtaServers } from "./servers.js";

// Verdicts against Debian's Postfix configured as mail hosts run (scripts/mta/postfix-setup.sh).
const mta = mtaServers({
  // No VALIDATION_HELO_NAME or VALIDATION_MAIL_FROM: the identity comes from PUBLIC_URL, whose
  // host is an IP (http://127.0.0.1:<port>), as it was for the operator who found the probe refused.
  defaults: { VALIDATION_GREYLIST_RETRY_MS: "3000" },
  // A sender of its own, so that postgrey (triplets of client, sender and recipient) greylists it
  // on every run.
  greylisted: {
    VALIDATION_GREYLIST_RETRY_MS: "3000",
    VALIDATION_MAIL_FROM: `probe-${randomBytes(4).toString("hex")}@mailproof.test`,
    VALIDATION_HELO_NAME: "probe.mailproof.test",
  },
});

describe("the engine against Postfix", () => {
  it("probes as [127.0.0.1] when PUBLIC_URL's host is that IP, which Postfix accepts, and warns at start", async () => {
    const { results } = await mta.validate("defaults", ["alice@mta.test", "nobody@mta.test"]);
    expect(results.get("alice@mta.test")).toMatchObject({ result: "deliverable", reason: "accepted_email" });
    expect(results.get("nobody@mta.test")).toMatchObject({ result: "undeliverable", reason: "rejected_email" });
    // Postfix logs the identity with each refused recipient.
    expect(mta.log()).toMatch(
      /reject: RCPT .* from=<verify@\[127\.0\.0\.1\]> to=<nobody@mta\.test> .*helo=<\[127\.0\.0\.1\]>/,
    );
    const warning = readFileSync(mta.server("defaults").logFile, "utf8")
      .split("\n")
      .filter((line) => line.includes("VALIDATION_HELO_NAME is not a fully-qualified domain name"));
    expect(warning).toHaveLength(1);
    expect(JSON.parse(warning[0]!)).toMatchObject({ level: "warn", helo_name: "[127.0.0.1]" });
  });

  it.each([
    ["alice@mta.test", "deliverable", "accepted_email", false],
    ["nobody@mta.test", "undeliverable", "rejected_email", false], // 550 5.1.1 User unknown in virtual mailbox table
    ["full@mta.test", "risky", "mailbox_full", false], // 452 4.2.2
    ["over@mta.test", "risky", "mailbox_full", false], // 552 5.2.2
    ["anyone@catchall.test", "risky", "catch_all", true],
    // 554 5.7.1 for every recipient, the made-up one too: a policy refusal says nothing of the
    // mailbox, nor of whether the domain takes mail for anyone (catch_all null, issue 14 item 3).
    ["alice@policy.test", "unknown", "smtp_blocked", null],
    ["alice@relay.test", "unknown", "smtp_blocked", null], // 554 5.7.1 Relay access denied
    // The MX host's name does not exist: RFC 5321 §5.1 makes it an error (item 2).
    ["alice@dangling.test", "undeliverable", "no_mail_server", null],
  ])("%s → %s (%s), catch_all %s", async (email, result, reason, catchAll) => {
    const { results } = await mta.validate("defaults", [email]);
    expect(results.get(email)).toMatchObject({ result, reason, catch_all: catchAll });
  });

  it("asks again after the greylisting wait, and postgrey lets the retry through", async () => {
    const { results } = await mta.validate("greylisted", ["alice@grey.test", "nobody@grey.test"]);
    expect(results.get("alice@grey.test")).toMatchObject({ result: "deliverable", catch_all: false });
    expect(results.get("nobody@grey.test")).toMatchObject({ result: "undeliverable", reason: "rejected_email" });
    expect(mta.log()).toMatch(/450 4\.2\.0 <alice@grey\.test>: Recipient address rejected: Greylisted/);
  });
});

import { describe, expect, it } from "vitest";
import { conversations, logMark } from "./postfix.js";
import { mtaServers } from "./servers.js";

// ratelimit.test's MX is Postfix's second listener (127.0.0.2), where loopback is not exempt from
// the limits: 10 recipients and 3 connections per 10 s (anvil_rate_time_unit). Its 12 mailboxes
// all exist, so every answer other than 250 is the limit.
const mta = mtaServers({
  // A domain may take 4 s: not enough to outwait a 10-second window.
  hurried: { VALIDATION_DOMAIN_TIMEOUT_MS: "4000", VALIDATION_HELO_NAME: "probe.mailproof.test" },
  patient: { VALIDATION_HELO_NAME: "probe.mailproof.test" },
});
const users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj"];
const emails = users.map((user) => `${user}@ratelimit.test`);

describe("a mail host that rate-limits the probe", () => {
  it("never makes an address undeliverable: what the limit left unanswered is unknown/smtp_rate_limited", async () => {
    const { results } = await mta.validate("hurried", emails);
    const reasons = [...results.values()].map((r) => r.reason);
    expect(reasons.filter((r) => r === "accepted_email").length).toBeGreaterThan(0);
    expect(reasons.filter((r) => r === "smtp_rate_limited").length).toBeGreaterThan(0);
    expect(new Set(reasons)).toEqual(new Set(["accepted_email", "smtp_rate_limited"]));
    // Postfix answers "450 4.7.1 Error: too many recipients from 127.0.0.1", and logs:
    expect(mta.log()).toMatch(/warning: Recipient address rate limit exceeded: \d+ from localhost\[127\.0\.0\.1\]/);
  });

  it("backs off, waiting longer each time, until the host's window lets every recipient through", async () => {
    const log = logMark();
    const { results } = await mta.validate("patient", emails);
    expect([...results.values()].map((r) => [r.email, r.result, r.catch_all])).toEqual(
      emails.map((email) => [email, "deliverable", false]),
    );
    // Limited (recipients, then connections, as the window of the test before is not over), it
    // came back a handful of times rather than hammering: each wait doubles from 1 s.
    const connections = log()
      .split("\n")
      .filter((line) => /smtpd\[\d+\]: connect from /.test(line)).length;
    expect(connections).toBeGreaterThan(1);
    expect(connections).toBeLessThanOrEqual(7);
    expect(conversations(log()).filter((c) => c.commands.rcpt).length).toBeLessThanOrEqual(6);
  });
});

import { describe, expect, it } from "vitest";
import { conversations, logMark } from "./postfix.js";
import { mtaServers } from "./servers.js";

// Postfix's default error tarpit: once a connection has made more than 10 errors every reply waits
// 1 s (smtpd_soft_error_limit, smtpd_error_sleep_time), and after 20 it is dropped. bulk.test has
// 50 mailboxes; the job names 500 addresses, 90 % of them unknown. (The time it takes is measured
// by `npm run bench:mta`, bench/README.md.)
const mta = mtaServers({ bulk: { VALIDATION_HELO_NAME: "probe.mailproof.test" } });
const emails = Array.from({ length: 500 }, (_, i) =>
  i % 10 === 0 ? `user${String(i / 10).padStart(3, "0")}@bulk.test` : `nobody${i}@bulk.test`,
);

describe("a mail host's error tarpit", () => {
  it("is never reached: a new connection takes over before it starts, and every verdict is right", async () => {
    const log = logMark();
    const { results } = await mta.validate("bulk", emails);
    expect(results.size).toBe(500);
    for (const email of emails)
      expect(results.get(email)?.reason).toBe(email.startsWith("user") ? "accepted_email" : "rejected_email");
    const seen = conversations(log());
    expect(seen.length).toBeGreaterThanOrEqual(450 / 10);
    // Errors per connection stay within the 10 Postfix allows before it slows down.
    expect(Math.max(...seen.map((c) => c.errors))).toBeLessThanOrEqual(10);
    expect(log()).not.toMatch(/too many errors/);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mtaServers } from "./servers.js";

// The probe's sender refused by Postfix: at MAIL FROM (a bare IP as the domain: "501 5.1.7 Bad
// sender address syntax", what every address came back as before the identity was made valid by
// construction) and at RCPT TO (its sender restrictions answer there by default, smtpd_delay_reject).
const mta = mtaServers({
  bareIp: { VALIDATION_MAIL_FROM: "verify@127.0.0.1", VALIDATION_HELO_NAME: "probe.mailproof.test" },
  refused: { VALIDATION_MAIL_FROM: "probe@refused-sender.test", VALIDATION_HELO_NAME: "probe.mailproof.test" },
});

describe.each([
  ["bareIp", /501 5\.1\.7 Bad sender address syntax/],
  ["refused", /553 5\.7\.1 <probe@refused-sender\.test>: Sender address rejected/],
] as const)("a sender Postfix refuses (%s)", (name, reply) => {
  it("makes results unknown/smtp_sender_refused, logs the reply once, and /healthz says so", async () => {
    const emails = ["alice@mta.test", "nobody@mta.test", "bob@mta.test"];
    const { results } = await mta.validate(name, emails);
    for (const email of emails)
      expect(results.get(email)).toMatchObject({ result: "unknown", reason: "smtp_sender_refused", catch_all: null });
    await mta.validate(name, ["carol@mta.test"]);
    const server = mta.server(name);
    const logged = readFileSync(server.logFile, "utf8")
      .split("\n")
      .filter((line) => line.includes("refused the probe's sender"))
      .map((line) => JSON.parse(line) as { level: string; reply: string; mail_host: string });
    // Rate-limited: two jobs, one line.
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: "warn", mail_host: "127.0.0.1" });
    expect(logged[0]!.reply).toMatch(reply);
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as {
      status: string;
      checks: { probe: string };
    };
    expect(health).toMatchObject({ status: "degraded", checks: { probe: "sender_refused" } });
  });
});

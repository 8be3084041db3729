import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EngineSettings, ValidationEngine } from "../../server/engine/engine.js";
import { startDnsServer } from "../support/dns-server.js";
import { freePort } from "../support/free-port.js";
import { mxServer } from "../support/mx-server.js";
import { smtpTap } from "../support/smtp-tap.js";
import { socksProxy } from "../support/socks-proxy.js";

// The engine against a real DNS server and real SMTP servers on loopback (127.0.0.N, one port).
let dns: Awaited<ReturnType<typeof startDnsServer>>;
const servers: Awaited<ReturnType<typeof mxServer>>[] = [];
let taps: Awaited<ReturnType<typeof smtpTap>>[];
let proxy: Awaited<ReturnType<typeof socksProxy>>;
let strict: Awaited<ReturnType<typeof mxServer>>;
let port: number;
let settings: EngineSettings;

beforeAll(async () => {
  dns = await startDnsServer();
  port = await freePort();
  const zone = (name: string, mx: string[]) =>
    dns.publish(name, { MX: mx.map((exchange, i) => ({ priority: (i + 1) * 10, exchange })) });
  servers.push(
    await mxServer({
      host: "127.0.0.2",
      port,
      mailboxes: {
        "ana@acme.test": "accept",
        "full@acme.test": "full",
        "grey@acme.test": "greylist-once",
        "grey2@acme.test": "greylist-once",
        "stuck@acme.test": "greylist-always",
        ...Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`user${i}@acme.test`, "accept" as const])),
      },
    }),
  );
  servers.push(await mxServer({ host: "127.0.0.3", port, mailboxes: {}, catchAll: true }));
  servers.push(await mxServer({ host: "127.0.0.4", port, mailboxes: {}, silent: true }));
  zone("acme.test", ["mx.acme.test"]);
  dns.publish("mx.acme.test", { A: ["127.0.0.2"] });
  zone("catchall.test", ["mx.catchall.test"]);
  dns.publish("mx.catchall.test", { A: ["127.0.0.3"] });
  zone("slow.test", ["mx.slow.test"]);
  dns.publish("mx.slow.test", { A: ["127.0.0.4"] });
  zone("refused.test", ["mx.refused.test"]);
  // Dangling MX: the exchange's name does not exist (no zone), or it has no address record; and one
  // whose resolver fails (SERVFAIL), which proves nothing.
  zone("dangling.test", ["mx.gone.test"]);
  zone("dangling2.test", ["mx1.dangling2.test", "mx2.dangling2.test"]);
  dns.publish("mx1.dangling2.test", { TXT: [["no address here"]] });
  zone("flaky-mx.test", ["mx.flaky-mx.test", "mx.gone.test"]);
  dns.publish("mx.flaky-mx.test", { rcode: "SERVFAIL" });
  dns.publish("mx.refused.test", { A: ["127.0.0.9"] });
  zone("backup.test", ["mx1.backup.test", "mx2.backup.test"]);
  dns.publish("mx1.backup.test", { A: ["127.0.0.9"] });
  dns.publish("mx2.backup.test", { A: ["127.0.0.3"] });
  // The same mailboxes behind two taps: one server offers PIPELINING, one does not.
  const users = (domain: string) =>
    Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`user${i}@${domain}`, "accept" as const]));
  servers.push(await mxServer({ host: "127.0.0.5", port, mailboxes: users("plain.test") }));
  servers.push(await mxServer({ host: "127.0.0.6", port, mailboxes: users("oneatatime.test"), pipelining: false }));
  taps = [
    await smtpTap({ host: "127.0.0.7", port }, { host: "127.0.0.5", port }),
    await smtpTap({ host: "127.0.0.8", port }, { host: "127.0.0.6", port }),
  ];
  zone("plain.test", ["mx.plain.test"]);
  dns.publish("mx.plain.test", { A: ["127.0.0.7"] });
  zone("oneatatime.test", ["mx.oneatatime.test"]);
  dns.publish("mx.oneatatime.test", { A: ["127.0.0.8"] });
  // Internationalised addresses (RFC 6531): one server offers SMTPUTF8, one does not.
  // smtp-server shows a domain to its callbacks in Unicode; the tap shows the wire.
  servers.push(
    await mxServer({
      host: "127.0.0.10",
      port,
      mailboxes: { "dörte@utf8.test": "accept", "ana@utf8.test": "accept", "ana@bücher.test": "accept" },
    }),
  );
  taps.push(await smtpTap({ host: "127.0.0.12", port }, { host: "127.0.0.10", port }));
  servers.push(
    await mxServer({
      host: "127.0.0.11",
      port,
      mailboxes: { "dörte@ascii.test": "accept", "ana@ascii.test": "accept" },
      smtpUtf8: false,
    }),
  );
  zone("utf8.test", ["mx.utf8.test"]);
  zone("xn--bcher-kva.test", ["mx.utf8.test"]);
  dns.publish("mx.utf8.test", { A: ["127.0.0.12"] });
  zone("ascii.test", ["mx.ascii.test"]);
  dns.publish("mx.ascii.test", { A: ["127.0.0.11"] });
  proxy = await socksProxy({ username: "probe", password: "s3cret" });
  servers.push(
    await mxServer({ host: "127.0.0.13", port, mailboxes: { "ana@blocked.test": "accept" }, refuseSender: 554 }),
  );
  servers.push(
    await mxServer({ host: "127.0.0.14", port, mailboxes: { "ana@busy.test": "accept" }, refuseSender: 451 }),
  );
  servers.push(
    await mxServer({
      host: "127.0.0.15",
      port,
      enhancedStatusCodes: false,
      mailboxes: {
        "gone@status.test": { code: 550, message: "5.1.1 The email account that you tried to reach does not exist" },
        "policy@status.test": { code: 550, message: "5.7.1 Recipient address rejected: Access denied" },
        "quota@status.test": { code: 550, message: "5.2.2 The email account that you tried to reach is over quota" },
        "later@status.test": { code: 452, message: "4.2.2 Mailbox full, try again later" },
      },
    }),
  );
  // Servers that refuse any other recipient by policy, or for now: the canary learns nothing.
  servers.push(
    await mxServer({
      host: "127.0.0.17",
      port,
      enhancedStatusCodes: false,
      mailboxes: { "ana@policy-canary.test": "accept" },
      unknown: { code: 550, message: "5.7.1 Recipient address rejected: Access denied" },
    }),
    await mxServer({
      host: "127.0.0.18",
      port,
      enhancedStatusCodes: false,
      mailboxes: { "ana@later-canary.test": "accept" },
      unknown: { code: 450, message: "4.7.1 Try again later" },
    }),
  );
  // Rate limits: Postfix's answer past smtpd_client_recipient_rate_limit, and a refused connection.
  servers.push(
    await mxServer({
      host: "127.0.0.20",
      port,
      enhancedStatusCodes: false,
      mailboxes: { "ana@limited.test": "accept" },
      unknown: { code: 450, message: "4.7.1 Error: too many recipients from [127.0.0.1]" },
    }),
    await mxServer({
      host: "127.0.0.21",
      port,
      mailboxes: {},
      refuseConnection: { code: 421, message: "4.7.0 mx.crowded.test Error: too many connections from 127.0.0.1" },
    }),
  );
  zone("limited.test", ["mx.limited.test"]);
  dns.publish("mx.limited.test", { A: ["127.0.0.20"] });
  zone("crowded.test", ["mx.crowded.test"]);
  dns.publish("mx.crowded.test", { A: ["127.0.0.21"] });
  zone("policy-canary.test", ["mx.policy-canary.test"]);
  dns.publish("mx.policy-canary.test", { A: ["127.0.0.17"] });
  zone("later-canary.test", ["mx.later-canary.test"]);
  dns.publish("mx.later-canary.test", { A: ["127.0.0.18"] });
  zone("status.test", ["mx.status.test"]);
  dns.publish("mx.status.test", { A: ["127.0.0.15"] });
  strict = await mxServer({
    host: "127.0.0.16",
    port,
    errorLimit: 20,
    mailboxes: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`ok${i}@strict.test`, "accept" as const])),
  });
  servers.push(strict);
  zone("strict.test", ["mx.strict.test"]);
  dns.publish("mx.strict.test", { A: ["127.0.0.16"] });
  zone("blocked.test", ["mx.blocked.test"]);
  dns.publish("mx.blocked.test", { A: ["127.0.0.13"] });
  zone("busy.test", ["mx.busy.test"]);
  dns.publish("mx.busy.test", { A: ["127.0.0.14"] });
  dns.publish("nullmx.test", { MX: [{ priority: 0, exchange: "" }] });
  dns.publish("nomx-a.test", { A: ["127.0.0.3"] });
  dns.publish("nothing.test", {});
  dns.publish("broken.test", { rcode: "SERVFAIL" });
  settings = {
    dns: { servers: [dns.server], timeoutMs: 500 },
    probe: {
      port,
      heloName: "probe.mailproof.test",
      mailFrom: "verify@mailproof.test",
      connectTimeoutMs: 500,
      commandTimeoutMs: 500,
      greylistRetryMs: 50,
      refusalsPerConnection: 9,
      rateLimitBackoffMs: 10,
    },
    probeEnabled: true,
    allowPrivateNetworks: true,
    perHostConcurrency: 2,
    concurrency: 10,
  };
});
afterAll(async () => {
  await Promise.all([...servers, ...taps, proxy].map((s) => s.close()));
  await dns.close();
});

const check = async (emails: string[], overrides: Partial<EngineSettings> = {}) =>
  new ValidationEngine({ ...settings, ...overrides }).validate(emails);
const zoneFor = (domain: string, aaaa: string) => {
  dns.publish(domain, { MX: [{ priority: 10, exchange: `mx.${domain}` }] });
  dns.publish(`mx.${domain}`, { AAAA: [aaaa] });
};
const one = async (email: string, overrides: Partial<EngineSettings> = {}) => (await check([email], overrides))[0]!;

describe("the validation engine", () => {
  it.each([
    ["ana@acme.test", "deliverable", "accepted_email"],
    ["nobody@acme.test", "undeliverable", "rejected_email"],
    ["full@acme.test", "risky", "mailbox_full"],
    ["grey@acme.test", "deliverable", "accepted_email"],
    ["stuck@acme.test", "unknown", "greylisted"],
    ["anyone@catchall.test", "risky", "catch_all"],
    ["ana@slow.test", "unknown", "smtp_timeout"],
    ["ana@refused.test", "unknown", "smtp_unavailable"],
    ["ana@backup.test", "risky", "catch_all"],
    ["ana@blocked.test", "unknown", "smtp_sender_refused"], // our sender refused: nothing learned about the mailbox
    ["ana@busy.test", "unknown", "greylisted"], // our sender refused for now, again on the retry
    ["gone@status.test", "undeliverable", "rejected_email"], // 550 5.1.1
    ["policy@status.test", "unknown", "smtp_blocked"], // 550 5.7.1: refused by policy, nothing learned
    ["quota@status.test", "risky", "mailbox_full"], // 550 5.2.2: full, whatever the basic code says
    ["later@status.test", "risky", "mailbox_full"], // 452 4.2.2
    ["ana@nullmx.test", "undeliverable", "null_mx"],
    ["ana@nomx-a.test", "risky", "catch_all"],
    ["ana@nothing.test", "undeliverable", "no_mail_server"],
    ["ana@dangling.test", "undeliverable", "no_mail_server"], // RFC 5321 §5.1: no usable MX is an error
    ["ana@dangling2.test", "undeliverable", "no_mail_server"],
    ["ana@flaky-mx.test", "unknown", "dns_error"], // one MX's lookup failed: nothing is proven
    ["bo@limited.test", "unknown", "smtp_rate_limited"], // 450 4.7.1 too many recipients: a limit, not the mailbox
    ["ana@crowded.test", "unknown", "smtp_rate_limited"], // 421 4.7.0 too many connections
    ["ana@missing.test", "undeliverable", "invalid_domain"],
    ["ana@localhost", "undeliverable", "invalid_domain"], // valid syntax (RFC 5321 §2.3.5), no public mail
    ["ana@com", "undeliverable", "invalid_domain"],
    ["ana@broken.test", "unknown", "dns_error"],
    ["not an address", "undeliverable", "invalid_syntax"],
    ["someone@mailinator.com", "risky", "disposable_domain"],
  ])("%s → %s (%s)", async (email, result, reason) => {
    expect(await one(email)).toMatchObject({ email, result, reason });
  });

  it("takes a single-label domain as valid syntax and answers from the domain step, without a DNS query", async () => {
    const before = dns.queries.length;
    expect(await one("ana@mailhost")).toMatchObject({
      result: "undeliverable",
      reason: "invalid_domain",
      checks: { syntax: true, domain: "mailhost", mx: null },
    });
    expect(dns.queries.slice(before).filter((q) => q.includes("mailhost"))).toEqual([]);
  });

  it.each([
    ["ana@policy-canary.test", "a refusal by policy (5.7.1)"],
    ["ana@later-canary.test", "a temporary refusal (4.7.1)"],
  ])("does not know whether %s is a catch-all when the made-up mailbox got %s", async (email) => {
    expect(await one(email, { probe: { ...settings.probe, greylistRetryMs: 0 } })).toMatchObject({
      result: "deliverable",
      reason: "accepted_email",
      catch_all: null,
    });
  });

  it("tells who refused the probe's sender, and what it said", async () => {
    const heard: string[] = [];
    const onSenderRefused = (host: string, reply: { code: number; message: string }) =>
      void heard.push(`${host} ${reply.code}`);
    expect(await one("ana@blocked.test", { probe: { ...settings.probe, onSenderRefused } })).toMatchObject({
      result: "unknown",
      reason: "smtp_sender_refused",
    });
    expect(heard).toEqual(["127.0.0.13 554"]);
  });

  it("fills the checks and the SMTP answer", async () => {
    expect(await one("ana@acme.test")).toEqual({
      email: "ana@acme.test",
      result: "deliverable",
      reason: "accepted_email",
      catch_all: false,
      did_you_mean: null,
      checks: {
        syntax: true,
        internationalized: false,
        domain: "acme.test",
        mx: "mx.acme.test",
        disposable: false,
        role_account: false,
        free_provider: false,
        smtp: { code: 250, message: expect.any(String) },
      },
    });
    expect((await one("info@catchall.test")).checks.role_account).toBe(true);
    // A reply in UTF-8 (servers that offer SMTPUTF8 may answer in it) reads as the server wrote it.
    expect((await one("full@acme.test")).checks.smtp).toEqual({
      code: 552,
      message: expect.stringContaining("Postfach überfüllt"),
    });
  });

  it("asks about every address of a domain on one connection, at most 100 per transaction, never DATA", async () => {
    const mx = servers[0]!;
    const before = mx.connections.length;
    const emails = Array.from({ length: 150 }, (_, i) => `user${i}@acme.test`);
    const results = await check(emails);
    expect(results.every((r) => r.result === "deliverable")).toBe(true);
    const used = mx.connections.slice(before);
    expect(used).toHaveLength(1);
    expect(used[0]!.rcpts).toHaveLength(151); // 150 + the catch-all canary
    expect(used[0]!.transactions).toHaveLength(2); // 100 + 51
    expect(used[0]!.data).toBe(false);
  });

  it("sends recipients in large pipelined groups to a server that offers PIPELINING (RFC 2920)", async () => {
    const before = taps[0]!.conversations.length;
    const results = await check(
      Array.from({ length: 150 }, (_, i) => `user${i}@plain.test`).concat("nobody@plain.test"),
    );
    expect(results.filter((r) => r.result === "deliverable")).toHaveLength(150);
    expect(results.at(-1)).toMatchObject({ result: "undeliverable", reason: "rejected_email" });
    const [conversation, ...more] = taps[0]!.conversations.slice(before);
    expect(more).toHaveLength(0);
    // The first group (MAIL FROM and 9 RCPT TO) is no larger than the refusals one connection may
    // make: nothing is known of the domain yet. Seeing none of them refused, the next is ten times
    // that: 90 RCPT TO unanswered at once.
    expect(conversation!.maxOutstanding).toBe(90);
  });

  it("sends one command at a time to a server that does not offer PIPELINING", async () => {
    const before = taps[1]!.conversations.length;
    const results = await check(
      Array.from({ length: 150 }, (_, i) => `user${i}@oneatatime.test`).concat("nobody@oneatatime.test"),
    );
    expect(results.filter((r) => r.result === "deliverable")).toHaveLength(150);
    expect(results.at(-1)).toMatchObject({ result: "undeliverable", reason: "rejected_email" });
    expect(taps[1]!.conversations.slice(before).map((c) => c.maxOutstanding)).toEqual([1]);
  });

  it("names a non-ASCII local part with SMTPUTF8 where offered (RFC 6531), the domain in ASCII", async () => {
    const before = taps[2]!.conversations.length;
    const results = await check(["dörte@utf8.test", "ana@utf8.test", "ana@bücher.test"]);
    expect(results.map((r) => [r.email, r.result, r.reason, r.checks.internationalized])).toEqual([
      ["dörte@utf8.test", "deliverable", "accepted_email", true],
      ["ana@utf8.test", "deliverable", "accepted_email", false],
      ["ana@bücher.test", "deliverable", "accepted_email", false],
    ]);
    // Only the transaction that names a UTF-8 mailbox declares SMTPUTF8; an IDN domain goes as its A-label.
    const wire = taps[2]!.conversations.slice(before).map((c) => c.commands.filter((l) => /^(MAIL|RCPT)/.test(l)));
    expect(wire).toHaveLength(2);
    expect(wire).toContainEqual([
      "MAIL FROM:<verify@mailproof.test>",
      "RCPT TO:<ana@xn--bcher-kva.test>",
      expect.stringMatching(/^RCPT TO:<mailproof-[0-9a-f]+@xn--bcher-kva\.test>$/),
    ]);
    expect(wire).toContainEqual([
      "MAIL FROM:<verify@mailproof.test> SMTPUTF8",
      "RCPT TO:<dörte@utf8.test>",
      "RCPT TO:<ana@utf8.test>",
      expect.stringMatching(/^RCPT TO:<mailproof-[0-9a-f]+@utf8\.test>$/),
    ]);
  });

  it("answers smtputf8_unsupported for a non-ASCII local part without SMTPUTF8, never naming it", async () => {
    const mx = servers[6]!;
    const before = mx.connections.length;
    const results = await check(["dörte@ascii.test", "ana@ascii.test"]);
    expect(results.map((r) => [r.result, r.reason])).toEqual([
      ["undeliverable", "smtputf8_unsupported"],
      ["deliverable", "accepted_email"],
    ]);
    expect(results[0]!.checks).toMatchObject({ internationalized: true, mx: "mx.ascii.test", smtp: null });
    const rcpts = mx.connections.slice(before).flatMap((c) => c.rcpts);
    expect(rcpts).toContain("ana@ascii.test");
    expect(rcpts).not.toContain("dörte@ascii.test");
  });

  it("connects through a SOCKS5 proxy when one is configured", async () => {
    const mx = servers[0]!;
    const before = mx.connections.length;
    const seen = proxy.destinations.length;
    const viaProxy = {
      probe: {
        ...settings.probe,
        proxy: { host: proxy.host, port: proxy.port, username: "probe", password: "s3cret" },
      },
    };
    expect(await check(["ana@acme.test", "nobody@acme.test", "anyone@catchall.test"], viaProxy)).toMatchObject([
      { result: "deliverable", reason: "accepted_email" },
      { result: "undeliverable", reason: "rejected_email" },
      { result: "risky", reason: "catch_all" },
    ]);
    expect(proxy.destinations.slice(seen).sort()).toEqual([`127.0.0.2:${port}`, `127.0.0.3:${port}`]);
    expect(mx.connections.length).toBe(before + 1);
  });

  it("answers smtp_unavailable when the proxy refuses or cannot reach the server", async () => {
    const wrongPassword = {
      probe: { ...settings.probe, proxy: { host: proxy.host, port: proxy.port, username: "probe", password: "wrong" } },
    };
    expect(await one("ana@acme.test", wrongPassword)).toMatchObject({ result: "unknown", reason: "smtp_unavailable" });
    const viaProxy = {
      probe: {
        ...settings.probe,
        proxy: { host: proxy.host, port: proxy.port, username: "probe", password: "s3cret" },
      },
    };
    expect(await one("ana@refused.test", viaProxy)).toMatchObject({ result: "unknown", reason: "smtp_unavailable" });
    const noProxy = { probe: { ...settings.probe, proxy: { host: "127.0.0.1", port: await freePort() } } };
    expect(await one("ana@acme.test", noProxy)).toMatchObject({ result: "unknown", reason: "smtp_unavailable" });
  });

  it("carries on over a new connection when the server ends one part-way (Postfix: 421 after 20 errors)", async () => {
    const before = strict.connections.length;
    const emails = [
      ...Array.from({ length: 50 }, (_, i) => `no${String(i).padStart(2, "0")}@strict.test`),
      ...Array.from({ length: 10 }, (_, i) => `ok${i}@strict.test`),
    ];
    const results = await check(emails);
    expect(results.filter((r) => r.reason === "rejected_email")).toHaveLength(50);
    expect(results.filter((r) => r.reason === "accepted_email")).toHaveLength(10);
    const used = strict.connections.slice(before);
    expect(used.length).toBeGreaterThanOrEqual(3); // 50 refusals at 20 per connection, plus the canary's
    expect(new Set(used.flatMap((c) => c.rcpts)).size).toBe(61); // every recipient asked, the canary too
  });

  it("retries a greylisted address once, on a new connection, after the delay", async () => {
    const mx = servers[0]!;
    const before = mx.connections.length;
    expect(await one("grey2@acme.test")).toMatchObject({ result: "deliverable", reason: "accepted_email" });
    const used = mx.connections.slice(before);
    expect(used.map((c) => c.rcpts.filter((r) => r === "grey2@acme.test").length)).toEqual([1, 1]);
  });

  it("never connects to a private address unless allowed", async () => {
    const mx = servers[0]!;
    const before = mx.connections.length;
    expect(await one("ana@acme.test", { allowPrivateNetworks: false })).toMatchObject({
      result: "unknown",
      reason: "private_network",
      checks: { mx: "mx.acme.test" },
    });
    expect(mx.connections.length).toBe(before);
  });

  // Each of these reaches 127.0.0.1 through a translator or relay; an MX that names them must not be probed.
  it.each([
    ["NAT64", "64:ff9b::7f00:1"],
    ["IPv4-compatible", "::7f00:1"],
    ["6to4", "2002:7f00:1::1"],
    ["IPv4-mapped", "::ffff:127.0.0.2"],
    ["Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2"],
  ])("treats an MX whose only address is %s (%s) as private", async (_, address) => {
    const domain = `v6-${address.replace(/[^0-9a-f]/g, "")}.test`;
    zoneFor(domain, address);
    expect(await one(`ana@${domain}`, { allowPrivateNetworks: false })).toMatchObject({
      result: "unknown",
      reason: "private_network",
    });
  });

  it("gets every DNS answer for a list naming 3,000 domains (queries are not all sent at once)", async () => {
    const results = await check(Array.from({ length: 3000 }, (_, i) => `ana@n${i}.missing.test`));
    const reasons: Record<string, number> = {};
    for (const r of results) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
    expect(reasons).toEqual({ invalid_domain: 3000 });
  });

  it("with probing off, stops after DNS", async () => {
    expect(await one("ana@acme.test", { probeEnabled: false })).toMatchObject({
      result: "unknown",
      reason: "probe_disabled",
      checks: { mx: "mx.acme.test", smtp: null },
    });
  });
});

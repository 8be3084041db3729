import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationEngine, type EngineSettings } from "../../server/validation/engine/engine.js";
import { startDnsServer } from "../support/dns-server.js";
import { freePort } from "../support/free-port.js";
import { mxServer } from "../support/mx-server.js";

// The engine against a real DNS server and real SMTP servers on loopback (127.0.0.N, one port).
let dns: Awaited<ReturnType<typeof startDnsServer>>;
const servers: Awaited<ReturnType<typeof mxServer>>[] = [];
let port: number;
let settings: EngineSettings;

beforeAll(async () => {
  dns = await startDnsServer();
  port = await freePort();
  const zone = (name: string, mx: string[]) => dns.publish(name, { MX: mx.map((exchange, i) => ({ priority: (i + 1) * 10, exchange })) });
  servers.push(await mxServer({ host: "127.0.0.2", port, mailboxes: { "ana@acme.test": "accept", "full@acme.test": "full", "grey@acme.test": "greylist-once", "grey2@acme.test": "greylist-once", "stuck@acme.test": "greylist-always", ...Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`user${i}@acme.test`, "accept" as const])) } }));
  servers.push(await mxServer({ host: "127.0.0.3", port, mailboxes: {}, catchAll: true }));
  servers.push(await mxServer({ host: "127.0.0.4", port, mailboxes: {}, silent: true }));
  zone("acme.test", ["mx.acme.test"]);
  dns.publish("mx.acme.test", { A: ["127.0.0.2"] });
  zone("catchall.test", ["mx.catchall.test"]);
  dns.publish("mx.catchall.test", { A: ["127.0.0.3"] });
  zone("slow.test", ["mx.slow.test"]);
  dns.publish("mx.slow.test", { A: ["127.0.0.4"] });
  zone("refused.test", ["mx.refused.test"]);
  dns.publish("mx.refused.test", { A: ["127.0.0.9"] });
  zone("backup.test", ["mx1.backup.test", "mx2.backup.test"]);
  dns.publish("mx1.backup.test", { A: ["127.0.0.9"] });
  dns.publish("mx2.backup.test", { A: ["127.0.0.3"] });
  dns.publish("nullmx.test", { MX: [{ priority: 0, exchange: "" }] });
  dns.publish("nomx-a.test", { A: ["127.0.0.3"] });
  dns.publish("nothing.test", {});
  dns.publish("broken.test", { rcode: "SERVFAIL" });
  settings = {
    dns: { servers: [dns.server], timeoutMs: 500 },
    probe: { port, heloName: "probe.mailproof.test", mailFrom: "verify@mailproof.test", connectTimeoutMs: 500, commandTimeoutMs: 500, greylistRetryMs: 50 },
    probeEnabled: true,
    allowPrivateNetworks: true,
    perHostConcurrency: 2,
    concurrency: 10,
  };
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await dns.close();
});

const check = async (emails: string[], overrides: Partial<EngineSettings> = {}) => new ValidationEngine({ ...settings, ...overrides }).validate(emails);
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
    ["ana@nullmx.test", "undeliverable", "null_mx"],
    ["ana@nomx-a.test", "risky", "catch_all"],
    ["ana@nothing.test", "undeliverable", "no_mail_server"],
    ["ana@missing.test", "undeliverable", "invalid_domain"],
    ["ana@broken.test", "unknown", "dns_error"],
    ["not an address", "undeliverable", "invalid_syntax"],
    ["someone@mailinator.com", "risky", "disposable_domain"],
  ])("%s → %s (%s)", async (email, result, reason) => {
    expect(await one(email)).toMatchObject({ email, result, reason });
  });

  it("fills the checks and the SMTP answer", async () => {
    expect(await one("ana@acme.test")).toEqual({
      email: "ana@acme.test", result: "deliverable", reason: "accepted_email", catch_all: false, did_you_mean: null,
      checks: { syntax: true, internationalized: false, domain: "acme.test", mx: "mx.acme.test", disposable: false, role_account: false, free_provider: false, smtp: { code: 250, message: expect.any(String) } },
    });
    expect((await one("info@catchall.test")).checks.role_account).toBe(true);
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
    expect(used[0]!.data).toBe(false);
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
    expect(await one("ana@acme.test", { allowPrivateNetworks: false })).toMatchObject({ result: "unknown", reason: "private_network", checks: { mx: "mx.acme.test" } });
    expect(mx.connections.length).toBe(before);
  });

  it("with probing off, stops after DNS", async () => {
    expect(await one("ana@acme.test", { probeEnabled: false })).toMatchObject({ result: "unknown", reason: "probe_disabled", checks: { mx: "mx.acme.test", smtp: null } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailboxDomain, type MailproofClient } from "../../client/src/index.js";
import { startDomainRechecks } from "../../server/mailbox-domains/rechecks.js";
import type { Logger } from "../../server/shared/logger.js";
import { fresh } from "../support/api.js";
import { startDnsServer } from "../support/dns-server.js";
import { inProcessServer } from "../support/in-process.js";

// Verify looks the records up live, here on a real DNS server on loopback serving test zones.
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let server: Awaited<ReturnType<typeof inProcessServer>>;
let a: MailproofClient;
let b: MailproofClient;
let now = Date.now();
let env: Record<string, string>;

beforeAll(async () => {
  dns = await startDnsServer();
  env = { DNS_SERVERS: dns.server, DNS_TIMEOUT_MS: "500", DOMAIN_VERIFY_GRACE: "72h" };
  server = await inProcessServer({ env, clock: () => new Date(now) });
  a = createClient({ baseUrl: server.url, apiKey: await server.createKey("Acme") });
  b = createClient({ baseUrl: server.url, apiKey: await server.createKey("Rival") });
});
afterAll(async () => {
  await server.close();
  await dns.close();
});

const create = async (client: MailproofClient, domain = `acme-${fresh()}.com`) =>
  (await client.POST("/v1/mailbox-domains", { body: { domain } })).data!;
const verify = (client: MailproofClient, id: string) =>
  client.POST("/v1/mailbox-domains/{domain_id}/verify", { params: { path: { domain_id: id } } });
const record = (d: MailboxDomain, purpose: string) => d.dns_records.find((r) => r.purpose === purpose)!;

/** Publishes what the domain asks for (optionally only some records). */
function publishAll(d: MailboxDomain, only = ["ownership", "inbound_mx", "spf"]) {
  const ownership = record(d, "ownership");
  if (only.includes("ownership")) dns.publish(ownership.name, { TXT: [[ownership.value]] });
  dns.publish(d.domain, {
    ...(only.includes("inbound_mx") && {
      MX: [{ priority: 10, exchange: record(d, "inbound_mx").value.toUpperCase() }],
    }),
    ...(only.includes("spf") && { TXT: [["google-site-verification=abc"], [record(d, "spf").value]] }),
  });
}

describe("POST /v1/mailbox-domains/{id}/verify", () => {
  it("verifies when every record is found (names compared case-insensitively)", async () => {
    const domain = await create(a);
    publishAll(domain);
    const { data, response } = await verify(a, domain.id);
    expect(response.status).toBe(200);
    expect(data!.status).toBe("verified");
    expect(data!.verified_at).not.toBeNull();
    expect(data!.last_checked_at).toBe(data!.verified_at);
    expect(data!.dns_records.map((r) => [r.purpose, r.status])).toEqual([
      ["ownership", "found"],
      ["inbound_mx", "found"],
      ["spf", "found"],
    ]);
    expect(record(data!, "spf").observed_values).toEqual([record(domain, "spf").value]);
    const again = await verify(a, domain.id);
    expect(again.response.status).toBe(409);
    expect(again.error?.code).toBe("already_verified");
  });

  it("reports a mismatch with what it saw, and stays pending", async () => {
    const domain = await create(a);
    dns.publish(record(domain, "ownership").name, { TXT: [["mailproof-verification=someone-elses-token"]] });
    dns.publish(domain.domain, {
      MX: [{ priority: 5, exchange: "mx.other-provider.net" }],
      TXT: [["v=spf1 include:_spf.other.net ~all"]],
    });
    const { data } = await verify(a, domain.id);
    expect(data!.status).toBe("pending");
    expect(record(data!, "ownership")).toMatchObject({
      status: "mismatch",
      observed_values: ["mailproof-verification=someone-elses-token"],
    });
    expect(record(data!, "inbound_mx")).toMatchObject({
      status: "mismatch",
      observed_values: ["5 mx.other-provider.net"],
    });
    expect(record(data!, "spf")).toMatchObject({
      status: "mismatch",
      observed_values: ["v=spf1 include:_spf.other.net ~all"],
    });
    expect(data!.last_checked_at).not.toBeNull();
  });

  it("verifies on ownership alone; the other records read pending until published", async () => {
    const domain = await create(a);
    publishAll(domain, ["ownership"]);
    const { data } = await verify(a, domain.id);
    expect(data!.status).toBe("verified");
    expect(data!.dns_records.map((r) => r.status)).toEqual(["found", "pending", "pending"]);
  });

  it("joins a TXT value split into several strings", async () => {
    const domain = await create(a);
    const value = record(domain, "ownership").value;
    dns.publish(record(domain, "ownership").name, { TXT: [[value.slice(0, 10), value.slice(10)]] });
    expect((await verify(a, domain.id)).data!.status).toBe("verified");
  });

  it("a domain with nothing published (NXDOMAIN) stays pending, then fails after the grace period", async () => {
    const domain = await create(a);
    const first = await verify(a, domain.id);
    expect(first.data!.status).toBe("pending");
    expect(first.data!.dns_records.every((r) => r.status === "pending" && r.observed_values.length === 0)).toBe(true);
    now += 73 * 3600_000;
    try {
      expect((await verify(a, domain.id)).data!.status).toBe("failed");
      publishAll(domain);
      expect((await verify(a, domain.id)).data!.status).toBe("verified");
    } finally {
      now -= 73 * 3600_000;
    }
  });

  it.each([
    ["SERVFAIL", { rcode: "SERVFAIL" as const }],
    ["a resolver slower than DNS_TIMEOUT_MS", { delayMs: 2000 }],
  ])("%s gives a 503 with Retry-After and changes nothing", async (_, zone) => {
    const domain = await create(a);
    dns.publish(record(domain, "ownership").name, zone);
    const started = Date.now();
    const { response, error } = await verify(a, domain.id);
    expect(Date.now() - started).toBeLessThan(1900);
    expect(response.status).toBe(503);
    expect(error?.code).toBe("dns_unavailable");
    expect(response.headers.get("retry-after")).toBe("30");
    const after = (await a.GET("/v1/mailbox-domains/{domain_id}", { params: { path: { domain_id: domain.id } } }))
      .data!;
    expect(after).toEqual(domain);
  });

  it("looks IDN domains up in punycode", async () => {
    const domain = await create(a, `bücher-${fresh()}.example`);
    expect(domain.domain).toMatch(/^xn--/);
    expect(record(domain, "ownership").name).toBe(`_mailproof.${domain.domain}`);
    publishAll(domain);
    expect((await verify(a, domain.id)).data!.status).toBe("verified");
  });

  it("two accounts racing to verify the same domain: exactly one wins", async () => {
    const name = `contested-${fresh()}.com`;
    const mine = await create(a, name);
    const theirs = await create(b, name);
    dns.publish(record(mine, "ownership").name, {
      TXT: [[record(mine, "ownership").value], [record(theirs, "ownership").value]],
    });
    const results = await Promise.all([
      verify(a, mine.id),
      verify(b, theirs.id),
      verify(a, mine.id),
      verify(b, theirs.id),
    ]);
    const winners = results.filter((r) => r.response.status === 200);
    const codes = results.filter((r) => r.response.status === 409).map((r) => r.error?.code);
    const winnerAccounts = new Set(winners.map((r) => r.data!.id));
    expect(winnerAccounts.size).toBe(1);
    expect(codes).toContain("verified_by_another_account");
    const loser = winners[0]!.data!.id === mine.id ? { client: b, id: theirs.id } : { client: a, id: mine.id };
    const state = (
      await loser.client.GET("/v1/mailbox-domains/{domain_id}", { params: { path: { domain_id: loser.id } } })
    ).data!;
    expect(state.status).not.toBe("verified");
  });
});

describe("the background re-check", () => {
  it("does not store an outcome judged from a status a verify call changed meanwhile", async () => {
    const recheck = server.services.mailboxDomains;
    const domain = await create(a);
    const ownership = record(domain, "ownership").name;
    now += 73 * 3600_000; // past the grace period: nothing found would fail the domain
    try {
      // The re-check asks first and hears "nothing" late; meanwhile the record is published and a
      // verify call finds it and stores "verified".
      dns.publish(ownership, { rcode: "NXDOMAIN", delayMs: 400 }); // within DNS_TIMEOUT_MS (500)
      const asked = dns.queries.length;
      let recheckDone = false;
      const rechecking = recheck.recheckRound(0).finally(() => (recheckDone = true));
      await expect.poll(() => dns.queries.slice(asked).includes(ownership.toLowerCase())).toBe(true);
      publishAll(domain);
      expect((await verify(a, domain.id)).data!.status).toBe("verified");
      // The race this test is about took place: the re-check had not stored anything yet.
      expect(recheckDone).toBe(false);
      await rechecking;
      const after = (await a.GET("/v1/mailbox-domains/{domain_id}", { params: { path: { domain_id: domain.id } } }))
        .data!;
      expect(after.status).toBe("verified");
    } finally {
      now -= 73 * 3600_000;
    }
  });

  it("looks at each due domain once a round, the ones whose lookups fail included, a batch at a time", async () => {
    const recheck = server.services.mailboxDomains;
    // More failing domains than a batch holds, and one whose records are published.
    const failing = await Promise.all(Array.from({ length: 7 }, () => create(a)));
    for (const d of failing) dns.publish(record(d, "ownership").name, { rcode: "SERVFAIL" });
    const published = await create(a);
    publishAll(published);
    now += 1000;
    const asked = dns.queries.length;
    // Before, a round went on while a batch was full and failed domains stayed first in it: with
    // a batch of them failing, it asked for them again at once, for as long as they failed.
    const round = await recheck.recheckRound(0, 3);
    expect(round.looked).toBeGreaterThanOrEqual(8);
    expect(round.failed).toBeGreaterThanOrEqual(7);
    // The round's last failure: of these, or of a domain an earlier test left timing out.
    expect(round.failure).toMatch(/^DNS lookup failed: E(SERVFAIL|TIMEOUT)$/);
    const queries = dns.queries.slice(asked);
    for (const d of failing) expect(queries.filter((q) => q === record(d, "ownership").name).length).toBe(1);
    const get = (id: string) => a.GET("/v1/mailbox-domains/{domain_id}", { params: { path: { domain_id: id } } });
    expect((await get(published.id)).data!.status).toBe("verified");
    expect((await get(failing[0]!.id)).data!.last_checked_at).toBeNull();
    // The background rounds say so in the log, for the operator.
    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown, line: string) => warnings.push({ ...(fields as object), line }) };
    const rechecks = startDomainRechecks(recheck, 50, logger as unknown as Logger);
    try {
      await expect.poll(() => warnings.length).toBeGreaterThan(0);
    } finally {
      rechecks.stop();
    }
    expect(warnings[0]).toMatchObject({
      line: "domain re-check: lookups failed, asked again next round",
      error: expect.stringMatching(/^DNS lookup failed: E(SERVFAIL|TIMEOUT)$/),
    });
  });

  it("looks each domain up once between rounds that run at the same moment (processes started together)", async () => {
    const recheck = server.services.mailboxDomains;
    const domains = await Promise.all(Array.from({ length: 5 }, () => create(a)));
    for (const d of domains.slice(1)) publishAll(d);
    dns.publish(record(domains[0]!, "ownership").name, { rcode: "SERVFAIL" });
    now += 1000;
    const asked = dns.queries.length;
    // Both rounds read the same due domains before either looks one up, as two API processes'
    // rounds do after a deploy; before, each of them asked DNS for every one.
    const rounds = await Promise.all([recheck.recheckRound(0, 2), recheck.recheckRound(0, 2)]);
    const asks = (d: MailboxDomain) => dns.queries.slice(asked).filter((q) => q === record(d, "ownership").name).length;
    for (const d of domains.slice(1)) expect(asks(d)).toBe(1);
    expect(rounds[0].looked + rounds[1].looked).toBeGreaterThanOrEqual(domains.length);
    const get = (id: string) => a.GET("/v1/mailbox-domains/{domain_id}", { params: { path: { domain_id: id } } });
    for (const d of domains.slice(1)) expect((await get(d.id)).data!.status).toBe("verified");
    // The one whose lookup failed is given back at once (a round beside may ask again): never
    // checked, and the next round asks again.
    const failedAsks = asks(domains[0]!);
    expect(failedAsks).toBeGreaterThanOrEqual(1);
    expect((await get(domains[0]!.id)).data!.last_checked_at).toBeNull();
    await recheck.recheckRound(0, 2);
    expect(asks(domains[0]!)).toBe(failedAsks + 1);
    for (const d of domains.slice(1)) expect(asks(d)).toBe(1); // checked this round: not due again
  });

  it("moves a pending domain to verified without a call, and notices a vanished ownership record", async () => {
    const recheck = server.services.mailboxDomains;
    const domain = await create(a);
    publishAll(domain);
    now += 1000;
    await recheck.recheckRound(0);
    const verified = (await a.GET("/v1/mailbox-domains/{domain_id}", { params: { path: { domain_id: domain.id } } }))
      .data!;
    expect(verified.status).toBe("verified");

    dns.publish(record(domain, "ownership").name, { rcode: "NXDOMAIN" });
    now += 1000;
    await recheck.recheckRound(0);
    const vanished = (await a.GET("/v1/mailbox-domains/{domain_id}", { params: { path: { domain_id: domain.id } } }))
      .data!;
    expect(vanished.status).toBe("verified");
    expect(record(vanished, "ownership").status).toBe("mismatch");
    expect(Date.parse(vanished.last_checked_at!)).toBeGreaterThan(Date.parse(verified.last_checked_at!));
  });
});

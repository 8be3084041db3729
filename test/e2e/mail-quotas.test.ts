import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../client/src/index.js";
import { inProcessServer } from "../support/in-process.js";
import { recipients } from "../support/mail.js";
import { smtpSink } from "../support/smtp-sink.js";

// Every mail mailproof sends passes the per-address caps and the account's hourly quota: a
// create, an email change and a resend alike. Real SMTP (smtp-server) counts what went out.
let sink: Awaited<ReturnType<typeof smtpSink>>;
let now = Date.parse("2026-11-20T14:00:00Z");
const servers: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  sink = await smtpSink();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await sink.close();
});

async function serverWith(env: Record<string, string>) {
  const server = await inProcessServer({ env: { SMTP_URL: sink.url, ...env }, clock: () => new Date(now) });
  servers.push(server);
  return { server, api: createClient({ baseUrl: server.url, apiKey: await server.createKey("quota") }) };
}

const delivered = (to: string) => sink.received.filter((m) => recipients(m).includes(to)).length;

describe("mail caps on every mail", () => {
  it("an email alternating between two mailboxes sends only what the caps allow (was 21 mails in 2 s)", async () => {
    const { server, api } = await serverWith({ RESEND_MIN_INTERVAL_SECONDS: "60", RESEND_CAP_24H: "5" });
    const domain = (await api.POST("/v1/mailbox-domains", { body: { domain: "relay-test.com" } })).data!;
    const note = "Click https://evil.example/login ".repeat(25);
    const created = await api.POST("/v1/sender-identities", {
      body: {
        domain_id: domain.id,
        name: "Support".repeat(20),
        email: "a@relay-test.com",
        add_note: true,
        personal_note: note,
      },
    });
    expect(created.response.status).toBe(201);
    const id = created.data!.id;
    const statuses: number[] = [];
    const codes = new Set<string>();
    for (let i = 0; i < 40; i++) {
      now += 1000; // 40 changes in 40 s: within the minimum interval of each address most of the time
      const to = i % 2 === 0 ? "b@relay-test.com" : "a@relay-test.com";
      const result = await api.PUT("/v1/sender-identities/{identity_id}", {
        params: { path: { identity_id: id } },
        body: { email: to },
      });
      statuses.push(result.response.status);
      if (result.error) {
        codes.add(result.error.code);
        expect(Number(result.response.headers.get("retry-after"))).toBeGreaterThan(0);
      }
    }
    await server.mailer.idle();
    // One mail per address within 60 s: the create's to a, the first change's to b; every other change refused.
    expect(delivered("a@relay-test.com") + delivered("b@relay-test.com")).toBe(2);
    // Every change back to a is refused; a "change" to b, the address it has, is no change and sends nothing.
    expect(statuses.filter((s, i) => i % 2 === 1 && s === 429)).toHaveLength(20);
    expect([...codes]).toEqual(["resend_too_soon"]);
    // A refused change changed nothing: the identity still has the address it last got a mail for.
    const after = await api.GET("/v1/sender-identities/{identity_id}", { params: { path: { identity_id: id } } });
    expect(after.data!.email).toBe("b@relay-test.com");

    // Over a day, each address gets at most its cap of 5, however the changes are spread.
    for (let i = 0; i < 40; i++) {
      now += 61_000;
      await api.PUT("/v1/sender-identities/{identity_id}", {
        params: { path: { identity_id: id } },
        body: { email: i % 2 === 0 ? "a@relay-test.com" : "b@relay-test.com" },
      });
    }
    await server.mailer.idle();
    expect(delivered("a@relay-test.com")).toBe(5);
    expect(delivered("b@relay-test.com")).toBe(5);
  });

  it("the hourly quota refuses the next mail (mail_quota_exceeded), creating nothing, for an hour", async () => {
    const { server, api } = await serverWith({ MAIL_QUOTA_PER_HOUR: "10" });
    // 30 creates at once for 30 different addresses: exactly the quota gets through.
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        api.POST("/v1/destinations", { body: { email: `quota${i}@acme-logistics.com` } }),
      ),
    );
    const refused = results.filter((r) => r.response.status === 429);
    expect(results.filter((r) => r.response.status === 201)).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const r of refused) {
      expect(r.error!.code).toBe("mail_quota_exceeded");
      expect(r.error!.detail).toMatch(/sent 10 confirmation mails in the last hour/);
      expect(Number(r.response.headers.get("retry-after"))).toBe(3600);
    }
    const list = await api.GET("/v1/destinations", { params: { query: { page: { size: 100 } } } });
    expect(list.data!.data).toHaveLength(10); // nothing was created for a refused mail
    await server.mailer.idle();
    expect(sink.received.filter((m) => recipients(m).some((r) => r.startsWith("quota"))).length).toBe(10);

    now += 3600_000 + 1000;
    expect(
      (await api.POST("/v1/destinations", { body: { email: "quota-later@acme-logistics.com" } })).response.status,
    ).toBe(201);
  });

  it("the quota is the account's own: another account of the same server still sends", async () => {
    const { server, api } = await serverWith({ MAIL_QUOTA_PER_HOUR: "1" });
    expect((await api.POST("/v1/destinations", { body: { email: "first@acme-logistics.com" } })).response.status).toBe(
      201,
    );
    expect((await api.POST("/v1/destinations", { body: { email: "second@acme-logistics.com" } })).error?.code).toBe(
      "mail_quota_exceeded",
    );
    const other = createClient({ baseUrl: server.url, apiKey: await server.createKey("another-account") });
    expect(
      (await other.POST("/v1/destinations", { body: { email: "second@acme-logistics.com" } })).response.status,
    ).toBe(201);
  });
});

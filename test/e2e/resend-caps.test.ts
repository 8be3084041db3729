import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import { inProcessServer } from "../support/in-process.js";
import { confirmAsABrowser, confirmationPath, eventually, recipients } from "../support/mail.js";
import { smtpSink } from "../support/smtp-sink.js";

// Resend caps: the minimum interval and the 24-hour cap, under load, with a clock the test moves.
let sink: Awaited<ReturnType<typeof smtpSink>>;
let server: Awaited<ReturnType<typeof inProcessServer>>;
let api: MailproofClient;
let now = Date.parse("2026-11-20T14:00:00Z");

beforeAll(async () => {
  sink = await smtpSink();
  server = await inProcessServer({
    env: { SMTP_URL: sink.url, RESEND_MIN_INTERVAL_SECONDS: "60", RESEND_CAP_24H: "5" },
    clock: () => new Date(now),
  });
  api = createClient({ baseUrl: server.url, apiKey: await server.createKey("caps") });
});
afterAll(async () => {
  await server.close();
  await sink.close();
});

const delivered = (to: string) => sink.received.filter((m) => recipients(m).includes(to)).length;
const resend = (id: string) =>
  api.POST("/v1/destinations/{destination_id}/resend", { params: { path: { destination_id: id } } });

describe("resend caps", () => {
  it("100 simultaneous resends send exactly what the rules allow; the rest get 429 with Retry-After", async () => {
    const created = (await api.POST("/v1/destinations", { body: { email: "burst@acme-logistics.com" } })).data!;
    now += 61_000; // past the minimum interval: exactly one more send is allowed right now
    const results = await Promise.all(Array.from({ length: 100 }, () => resend(created.id)));
    const statuses = results.map((r) => r.response.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(99);
    for (const r of results.filter((x) => x.response.status === 429)) {
      expect(r.error?.code).toBe("resend_too_soon");
      expect(r.response.headers.get("retry-after")).toBe("60");
    }
    await server.mailer.idle();
    expect(delivered("burst@acme-logistics.com")).toBe(2); // the first mail and one resend
  });

  it("tells in advance when the next send is allowed, and Retry-After counts down with the clock", async () => {
    const created = (await api.POST("/v1/destinations", { body: { email: "countdown@acme-logistics.com" } })).data!;
    expect(created.verification.next_resend_at).toBe(new Date(now + 60_000).toISOString());
    now += 18_000;
    const early = await resend(created.id);
    expect(early.response.status).toBe(429);
    expect(early.response.headers.get("retry-after")).toBe("42");
    now += 42_000;
    expect((await resend(created.id)).response.status).toBe(200);
  });

  it("answers a create and every resend with the verification the store then reads back, up to the cap", async () => {
    const created = (await api.POST("/v1/destinations", { body: { email: "readback@acme-logistics.com" } })).data!;
    const read = async () =>
      (await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: created.id } } })).data!
        .verification;
    expect(created.verification).toEqual(await read());
    for (let i = 0; i < 4; i++) {
      now += 60_000 + i * 1000;
      const sent = await resend(created.id);
      expect(sent.response.status).toBe(200);
      // The last one reaches the cap: next_resend_at is a day after the first.
      expect(sent.data!.verification).toEqual(await read());
    }
    expect((await read()).sends_last_24h).toBe(5);
  });

  it("stops at 5 mails per rolling 24 hours, with Retry-After until the oldest leaves the window", async () => {
    const created = (await api.POST("/v1/destinations", { body: { email: "cap@acme-logistics.com" } })).data!;
    const start = now;
    for (let i = 0; i < 4; i++) {
      now += 60_000;
      expect((await resend(created.id)).response.status).toBe(200);
    }
    now += 60_000;
    const capped = await resend(created.id);
    expect(capped.response.status).toBe(429);
    expect(capped.error?.code).toBe("resend_cap_reached");
    const wait = Number(capped.response.headers.get("retry-after"));
    expect(wait).toBe((start + 24 * 3600_000 - now) / 1000);
    const got = (
      await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: created.id } } })
    ).data!;
    expect(got.verification.sends_last_24h).toBe(5);
    expect(got.verification.next_resend_at).toBe(new Date(start + 24 * 3600_000).toISOString());
    now = start + 24 * 3600_000 + 1;
    expect((await resend(created.id)).response.status).toBe(200);
  });

  it("counts identity resends, and answers 409 once the address is confirmed", async () => {
    const domain = (await api.POST("/v1/mailbox-domains", { body: { domain: "caps-identity.com" } })).data!;
    const identity = (
      await api.POST("/v1/sender-identities", {
        body: { domain_id: domain.id, name: "Billing", email: "billing@caps-identity.com" },
      })
    ).data!;
    expect(identity.resends).toBe(0);
    now += 61_000;
    const resent = await api.POST("/v1/sender-identities/{identity_id}/resend", {
      params: { path: { identity_id: identity.id } },
    });
    expect(resent.data).toMatchObject({ resends: 1, verification: { sends_last_24h: 2 } });
    // The answer is built without reading the identity back: it is what a read gives.
    expect(resent.data).toEqual(
      (await api.GET("/v1/sender-identities/{identity_id}", { params: { path: { identity_id: identity.id } } })).data,
    );
    const mail = await eventually(async () =>
      sink.received.filter((m) => recipients(m).includes("billing@caps-identity.com")).at(-1),
    );
    const confirm = await confirmAsABrowser(
      server.url,
      new URL(/https?:\/\/\S+\/confirm\/\S{43}/.exec(mail.text!)![0]).pathname,
    );
    expect(confirm.status).toBe(200);
    const after = await api.POST("/v1/sender-identities/{identity_id}/resend", {
      params: { path: { identity_id: identity.id } },
    });
    expect(after.response.status).toBe(409);
    expect(after.error?.code).toBe("already_verified");
  });

  it("sends nothing for an address confirmed, deleted or moved between a resend's read and its send", async () => {
    const mailTo = (to: string) =>
      eventually(async () => sink.received.filter((m) => recipients(m).includes(to)).at(-1));
    /** Runs `meanwhile` once, right after the family's service has read the subject for a resend. */
    const afterTheRead = (service: object, meanwhile: () => Promise<unknown>) => {
      const reader = service as { row: (accountId: string, id: string) => Promise<unknown> };
      const read = reader.row.bind(reader);
      vi.spyOn(reader, "row").mockImplementationOnce(async (accountId, id) => {
        const row = await read(accountId, id);
        await meanwhile();
        return row;
      });
    };
    const destination = async (email: string) => (await api.POST("/v1/destinations", { body: { email } })).data!;
    const sends = async (id: string) =>
      (await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: id } } })).data
        ?.verification.sends_last_24h;

    const confirmed = await destination("confirmed-meanwhile@acme-logistics.com");
    const link = confirmationPath(await mailTo("confirmed-meanwhile@acme-logistics.com"));
    now += 61_000;
    afterTheRead(server.services.destinations, () => confirmAsABrowser(server.url, link));
    const late = await resend(confirmed.id);
    expect(late.response.status).toBe(409);
    expect(late.error?.code).toBe("already_verified");

    const deleted = await destination("deleted-meanwhile@acme-logistics.com");
    now += 61_000;
    const path = { params: { path: { destination_id: deleted.id } } };
    afterTheRead(server.services.destinations, () => api.DELETE("/v1/destinations/{destination_id}", path));
    expect((await resend(deleted.id)).response.status).toBe(404);

    const domain = (await api.POST("/v1/mailbox-domains", { body: { domain: "moving-identity.com" } })).data!;
    const body = { domain_id: domain.id, name: "Billing", email: "old@moving-identity.com" };
    const identity = (await api.POST("/v1/sender-identities", { body })).data!;
    now += 61_000;
    const identityPath = { params: { path: { identity_id: identity.id } } };
    // The update sends its own mail to the new address; a minute later the resend, which read the
    // old address, goes on.
    afterTheRead(server.services.senderIdentities, async () => {
      await api.PUT("/v1/sender-identities/{identity_id}", {
        ...identityPath,
        body: { email: "new@moving-identity.com" },
      });
      now += 61_000;
    });
    const moved = await api.POST("/v1/sender-identities/{identity_id}/resend", identityPath);
    // Resent to the address the identity has now, and counted once.
    expect(moved.data).toMatchObject({ email: "new@moving-identity.com", resends: 1 });
    expect(moved.data).toEqual((await api.GET("/v1/sender-identities/{identity_id}", identityPath)).data);

    await server.mailer.idle();
    expect(delivered("confirmed-meanwhile@acme-logistics.com")).toBe(1);
    expect(delivered("deleted-meanwhile@acme-logistics.com")).toBe(1);
    expect(await sends(confirmed.id)).toBe(1);
    // The update's mail and the resend's went to the new address; the old one had only its first.
    expect(delivered("old@moving-identity.com")).toBe(1);
    expect(delivered("new@moving-identity.com")).toBe(2);
  });
});

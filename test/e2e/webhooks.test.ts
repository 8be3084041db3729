import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import { type Db, isPostgres } from "../../server/db/database.js";
import { addressResolver } from "../../server/shared/dns.js";
import type { WebhookDispatcher } from "../../server/webhook-endpoints/dispatcher.js";
import { WebhookEndpointRepository } from "../../server/webhook-endpoints/repository.js";
import { postEvent } from "../../server/webhook-endpoints/sender.js";
import { fresh } from "../support/api.js";
import { sessionPid, waitedOn } from "../support/database.js";
import { startDnsServer } from "../support/dns-server.js";
import { inProcessServer } from "../support/in-process.js";
import { recordingLogger } from "../support/logs.js";
import { confirmAsABrowser, eventually, latestOutboxPath } from "../support/mail.js";
import { validatorAt } from "../support/openapi.js";
import { type ReceivedEvent, webhookReceiver } from "../support/webhook-receiver.js";

// Webhooks end to end: the actions that cause each event, the outbox, the dispatcher, and real
// HTTP receivers on loopback (the operator allows http:// and private addresses here) that check
// every signature with the standardwebhooks package, as a user's receiver would.
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let server: Awaited<ReturnType<typeof inProcessServer>>;
let dispatcher: WebhookDispatcher;
let api: MailproofClient;
const receivers: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  dns = await startDnsServer();
  server = await inProcessServer({
    env: {
      DNS_SERVERS: dns.server,
      DNS_TIMEOUT_MS: "500",
      DOMAIN_VERIFY_GRACE: "1s",
      WEBHOOK_ALLOW_HTTP: "true",
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
      // 5 s, 30 s, 2 min ... become 1 ms, 6 ms, 24 ms ... (about 50 s in all).
      WEBHOOK_RETRY_SCALE: "0.0002",
      WEBHOOK_TIMEOUT_MS: "1000",
      WEBHOOK_LEASE_MS: "5000",
    },
  });
  dispatcher = server.services.startWebhookDispatcher();
  api = createClient({ baseUrl: server.url, apiKey: await server.createKey("Acme") });
});
afterAll(async () => {
  await dispatcher.stop();
  await Promise.all(receivers.map((r) => r.close()));
  await server.close();
  await dns.close();
});

async function endpointFor(url: string, client = api, events?: string[]) {
  const { data, response } = await client.POST("/v1/webhook-endpoints", {
    body: { url, ...(events && { events: events as never }) },
  });
  expect(response.status).toBe(201);
  return data!;
}

const deliveries = async (endpointId: string, client = api) =>
  (
    await client.GET("/v1/webhook-endpoints/{endpoint_id}/deliveries", {
      params: { path: { endpoint_id: endpointId }, query: { page: { size: 100 } } },
    })
  ).data!.data;

const ping = async (endpointId: string, client = api) =>
  (await client.POST("/v1/webhook-endpoints/{endpoint_id}/ping", { params: { path: { endpoint_id: endpointId } } }))
    .data!;

/** A receiver of its own, closed after the file. */
async function ownReceiver(answer?: Parameters<typeof webhookReceiver>[0]) {
  const r = await webhookReceiver(answer);
  receivers.push(r);
  return r;
}

const SCHEMAS: Record<string, string> = {
  "email_validation.completed": "EmailValidationCompletedEvent",
  "email_validation.canceled": "EmailValidationCanceledEvent",
  "email_validation.failed": "EmailValidationFailedEvent",
  "destination.verified": "DestinationVerifiedEvent",
  "sender_identity.verified": "SenderIdentityVerifiedEvent",
  "mailbox_domain.verified": "MailboxDomainVerifiedEvent",
  "mailbox_domain.failed": "MailboxDomainFailedEvent",
  ping: "PingEvent",
};

describe("every event, caused by the action that causes it", () => {
  it("reaches a real receiver, signed, in the contract's shape", async () => {
    const all = await ownReceiver();
    const endpoint = await endpointFor(`${all.url}/mailproof`);
    expect(endpoint.secret).toMatch(/^whsec_/);

    // destination.verified: the owner clicks the mailed link.
    const email = `ana-${fresh()}@acme-logistics.com`;
    const destination = (await api.POST("/v1/destinations", { body: { email } })).data!;
    await confirmAsABrowser(server.url, await latestOutboxPath(server.dataDir, email));

    // mailbox_domain.verified: the ownership record is published and verify finds it.
    const domain = (await api.POST("/v1/mailbox-domains", { body: { domain: `acme-${fresh()}.com` } })).data!;
    const ownership = domain.dns_records.find((r) => r.purpose === "ownership")!;
    dns.publish(ownership.name, { TXT: [[ownership.value]] });
    const verified = await api.POST("/v1/mailbox-domains/{domain_id}/verify", {
      params: { path: { domain_id: domain.id } },
    });
    expect(verified.data!.status).toBe("verified");

    // sender_identity.verified: an identity on that domain, confirmed by its owner.
    const identityEmail = `billing@${domain.domain}`;
    const identity = (
      await api.POST("/v1/sender-identities", {
        body: { domain_id: domain.id, name: "Billing", email: identityEmail },
      })
    ).data!;
    await confirmAsABrowser(server.url, await latestOutboxPath(server.dataDir, identityEmail));

    // mailbox_domain.failed: no record, and the grace period (1 s here) is over.
    const absent = (await api.POST("/v1/mailbox-domains", { body: { domain: `gone-${fresh()}.com` } })).data!;
    await new Promise((r) => setTimeout(r, 1100));
    const failed = await api.POST("/v1/mailbox-domains/{domain_id}/verify", {
      params: { path: { domain_id: absent.id } },
    });
    expect(failed.data!.status).toBe("failed");

    // The three ends of a job, before any worker runs: one canceled, one whose stored inputs a
    // worker cannot read (it fails three times, then the job), one that completes.
    const canceled = (await api.POST("/v1/email-validations", { body: { emails: ["x@acme-logistics.com"] } })).data!;
    await api.PATCH("/v1/email-validations/{validation_id}", {
      params: { path: { validation_id: canceled.id } },
      body: { status: "canceled" },
    });
    const broken = (await api.POST("/v1/email-validations", { body: { emails: ["y@acme-logistics.com"] } })).data!;
    await server.db
      .updateTable("validation_chunks")
      .set({ emails: "not json" })
      .where("validation_id", "=", broken.id)
      .execute();
    const completed = (await api.POST("/v1/email-validations", { body: { emails: ["not-an-address"] } })).data!;
    const workers = server.services.startValidationWorkers(1);

    // ping: on request.
    await ping(endpoint.id);

    try {
      await eventually(async () => (new Set(all.received.map(typeOf)).size === 8 ? true : undefined), 20_000);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    const events = all.received.map((e) => new Webhook(endpoint.secret!).verify(e.body, e.headers) as Event);
    const byType = new Map(events.map((e) => [e.type, e]));
    expect([...byType.keys()].sort()).toEqual(Object.keys(SCHEMAS).sort());
    for (const event of events) {
      const validate = validatorAt(`/components/schemas/${SCHEMAS[event.type]}`);
      expect(validate(event), `${event.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(byType.get("destination.verified")!.data).toMatchObject({ id: destination.id, status: "verified" });
    expect(byType.get("sender_identity.verified")!.data).toMatchObject({ id: identity.id, status: "verified" });
    expect(byType.get("mailbox_domain.verified")!.data).toMatchObject({ id: domain.id, status: "verified" });
    expect(byType.get("mailbox_domain.failed")!.data).toMatchObject({ id: absent.id, status: "failed" });
    expect(byType.get("email_validation.completed")!.data).toMatchObject({ id: completed.id, status: "completed" });
    expect(byType.get("email_validation.canceled")!.data).toMatchObject({ id: canceled.id, status: "canceled" });
    expect(byType.get("email_validation.failed")!.data).toMatchObject({ id: broken.id, status: "error" });
    expect(byType.get("ping")!.data).toMatchObject({ endpoint_id: endpoint.id });
    // Each event once here (nothing failed), and the deliveries say so.
    expect(events).toHaveLength(8);
    const listed = await deliveries(endpoint.id);
    expect(listed.map((d) => [d.event_type, d.status, d.attempts, d.last_status_code])).toEqual(
      expect.arrayContaining(Object.keys(SCHEMAS).map((type) => [type, "delivered", 1, 204])),
    );
  });

  it("are not recorded when the change that causes them is rolled back", async () => {
    const all = await ownReceiver();
    const endpoint = await endpointFor(`${all.url}/mailproof`);
    // Another account proves the same domain first: this account's verify is a 409, rolled back.
    const name = `contested-${fresh()}.com`;
    const rival = createClient({ baseUrl: server.url, apiKey: await server.createKey("Rival") });
    const theirs = (await rival.POST("/v1/mailbox-domains", { body: { domain: name } })).data!;
    const mine = (await api.POST("/v1/mailbox-domains", { body: { domain: name } })).data!;
    const values = [theirs, mine].map((d) => [d.dns_records[0]!.value]);
    dns.publish(mine.dns_records[0]!.name, { TXT: values });
    await rival.POST("/v1/mailbox-domains/{domain_id}/verify", { params: { path: { domain_id: theirs.id } } });
    const mineVerified = await api.POST("/v1/mailbox-domains/{domain_id}/verify", {
      params: { path: { domain_id: mine.id } },
    });
    expect(mineVerified.response.status).toBe(409);
    await ping(endpoint.id);
    await eventually(async () => (all.received.length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(all.received.map(typeOf)).toEqual(["ping"]);
    expect((await deliveries(endpoint.id)).map((d) => d.event_type)).toEqual(["ping"]);
  });

  it("go only to the endpoints subscribed to them, of the account they belong to", async () => {
    const some = await ownReceiver();
    const endpoint = await endpointFor(`${some.url}/mailproof`, api, ["email_validation.completed"]);
    const other = createClient({ baseUrl: server.url, apiKey: await server.createKey(`Other ${fresh()}`) });
    const theirs = await ownReceiver();
    await endpointFor(`${theirs.url}/mailproof`, other);
    const email = `sub-${fresh()}@acme-logistics.com`;
    await api.POST("/v1/destinations", { body: { email } });
    await confirmAsABrowser(server.url, await latestOutboxPath(server.dataDir, email));
    await ping(endpoint.id);
    await eventually(async () => (some.received.length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(some.received.map(typeOf)).toEqual(["ping"]);
    expect(theirs.received).toEqual([]);
  });
});

type Event = { type: string; data: Record<string, unknown> };
const typeOf = (e: ReceivedEvent) => (JSON.parse(e.body) as Event).type;

describe("delivery", () => {
  it("retries a receiver that answers 500 for a while, with the same webhook-id, until it takes it", async () => {
    const flaky = await ownReceiver((_, i) => (i < 3 ? { status: 500, body: "upstream down" } : { status: 204 }));
    const endpoint = await endpointFor(`${flaky.url}/mailproof`);
    const queued = await ping(endpoint.id);
    expect(queued.status).toBe("pending");
    const delivered = await eventually(async () => {
      const [d] = await deliveries(endpoint.id);
      return d?.status === "delivered" ? d : undefined;
    });
    expect(flaky.received).toHaveLength(4);
    expect(new Set(flaky.received.map((e) => e.headers["webhook-id"]))).toEqual(new Set([queued.event_id]));
    for (const e of flaky.received) expect(new Webhook(endpoint.secret!).verify(e.body, e.headers)).toBeTruthy();
    expect(delivered).toMatchObject({ attempts: 4, last_status_code: 204, last_error: null, response_excerpt: null });
    // The operator sees the attempts on /metrics.
    const counted = Object.fromEntries(
      (await server.services.metrics.webhookAttempts.get()).values.map((v) => [v.labels.outcome, v.value]),
    );
    expect(counted.retrying).toBeGreaterThanOrEqual(3);
    expect(counted.delivered).toBeGreaterThanOrEqual(1);
  });

  it("keeps a short excerpt of a failed answer and nothing more", async () => {
    const failing = await ownReceiver(() => ({ status: 503, body: `maintenance ${"x".repeat(10_000)}` }));
    const endpoint = await endpointFor(`${failing.url}/mailproof`);
    await ping(endpoint.id);
    const [d] = await eventually(async () => {
      const list = await deliveries(endpoint.id);
      return list[0]?.attempts ? list : undefined;
    });
    expect(d).toMatchObject({ status: "pending", last_status_code: 503, last_error: "the endpoint answered 503" });
    expect(d!.response_excerpt!.startsWith("maintenance xxx")).toBe(true);
    expect(d!.response_excerpt!.length).toBeLessThanOrEqual(256);
    expect(d!.next_attempt_at).not.toBeNull();
    await api.DELETE("/v1/webhook-endpoints/{endpoint_id}", { params: { path: { endpoint_id: endpoint.id } } });
  });

  it("does not follow redirects", async () => {
    const target = await ownReceiver();
    const redirecting = await ownReceiver(() => ({ status: 307, headers: { location: `${target.url}/elsewhere` } }));
    const endpoint = await endpointFor(`${redirecting.url}/mailproof`);
    await ping(endpoint.id);
    const [d] = await eventually(async () => {
      const list = await deliveries(endpoint.id);
      return list[0]?.attempts ? list : undefined;
    });
    expect(d!.last_status_code).toBe(307);
    expect(d!.last_error).toBe(`redirect not followed (307 to ${target.url}/elsewhere)`);
    expect(target.received).toEqual([]);
    await api.DELETE("/v1/webhook-endpoints/{endpoint_id}", { params: { path: { endpoint_id: endpoint.id } } });
  });

  it("gives a receiver that never answers its timeout, while other accounts' events go out", async () => {
    const silent = await ownReceiver(() => "never");
    const slowAccount = createClient({ baseUrl: server.url, apiKey: await server.createKey(`Slow ${fresh()}`) });
    const stuck = await endpointFor(`${silent.url}/mailproof`, slowAccount);
    await ping(stuck.id, slowAccount);
    await eventually(async () => (silent.received.length > 0 ? true : undefined));
    const quick = await ownReceiver();
    const live = await endpointFor(`${quick.url}/mailproof`);
    await ping(live.id);
    const [delivered] = await eventually(async () => {
      const list = await deliveries(live.id);
      return list[0]?.status === "delivered" ? list : undefined;
    });
    const [timedOut] = await eventually(async () => {
      const list = await deliveries(stuck.id, slowAccount);
      return list[0]?.attempts ? list : undefined;
    });
    expect(timedOut).toMatchObject({
      status: "pending",
      last_status_code: null,
      last_error: "no answer within 1000 ms",
    });
    // The live endpoint's event was delivered while the silent one's attempt was still waiting.
    expect(Date.parse(delivered!.delivered_at!)).toBeLessThan(Date.parse(timedOut!.last_attempt_at!));
    await slowAccount.PATCH("/v1/webhook-endpoints/{endpoint_id}", {
      params: { path: { endpoint_id: stuck.id } },
      body: { enabled: false },
    });
  });

  it("signs with both secrets for a day after a rotation", async () => {
    const r = await ownReceiver();
    const endpoint = await endpointFor(`${r.url}/mailproof`);
    const rotated = (
      await api.POST("/v1/webhook-endpoints/{endpoint_id}/rotate-secret", {
        params: { path: { endpoint_id: endpoint.id } },
      })
    ).data!;
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.previous_secret_expires_at!) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    await ping(endpoint.id);
    const [event] = await eventually(async () => (r.received.length > 0 ? r.received : undefined));
    expect(event!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(new Webhook(rotated.secret!).verify(event!.body, event!.headers)).toBeTruthy();
    expect(new Webhook(endpoint.secret!).verify(event!.body, event!.headers)).toBeTruthy();
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`).verify(event!.body, event!.headers),
    ).toThrow();
    // GET never shows a secret.
    const got = await api.GET("/v1/webhook-endpoints/{endpoint_id}", {
      params: { path: { endpoint_id: endpoint.id } },
    });
    expect(got.data).not.toHaveProperty("secret");
  });
});

describe("the signing secret", () => {
  it("is replayed to a retried create, yet never stored, not even in the idempotency record", async () => {
    const key = `hook-${fresh()}`;
    const create = () =>
      api.POST("/v1/webhook-endpoints", {
        body: { url: "https://hooks.acme-logistics.com/retry" },
        headers: { "Idempotency-Key": key },
      });
    const first = await create();
    const replay = await create();
    expect(replay.response.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.data).toEqual(first.data);
    expect(first.data!.secret).toMatch(/^whsec_/);
    const secret = first.data!.secret!;
    const stored = await server.db.selectFrom("idempotency_keys").select("response_body").execute();
    expect(stored.some((r) => r.response_body?.includes(first.data!.id))).toBe(true);
    expect(stored.some((r) => r.response_body?.includes(secret))).toBe(false);
    const endpointRow = await server.db.selectFrom("webhook_endpoints").selectAll().execute();
    expect(JSON.stringify(endpointRow)).not.toContain(secret.slice(6));
  });
});

describe("the private-network guard", () => {
  let guarded: Awaited<ReturnType<typeof inProcessServer>>;
  let client: MailproofClient;
  beforeAll(async () => {
    guarded = await inProcessServer();
    client = createClient({ baseUrl: guarded.url, apiKey: await guarded.createKey("Guarded") });
  });
  afterAll(() => guarded.close());

  it.each([
    ["https://127.0.0.1/hook", "(127.0.0.1)"],
    ["https://localhost:8443/hook", "(localhost)"],
    ["https://[::1]/hook", "(::1)"],
    ["https://10.0.4.17/hook", "(10.0.4.17)"],
    ["https://169.254.169.254/latest/meta-data", "(169.254.169.254)"],
    ["https://[::ffff:192.168.1.1]/hook", "(::ffff:c0a8:101)"],
    ["http://hooks.acme-logistics.com/", "must be an https:// URL"],
    ["https://user:secret@hooks.acme-logistics.com/", "must not carry a user name or password"],
    ["https://hooks.acme-logistics.com:0/hook", "must name a port from 1 to 65535"],
    ["https://intranet/hook", "must name a public host: intranet is a single label"],
    // The URL parser reads a missing host as the path's first segment: https://hook/.
    ["https:///hook", "must name a public host: hook is a single label"],
  ])("refuses %s", async (url, reason) => {
    const { error, response } = await client.POST("/v1/webhook-endpoints", { body: { url } });
    expect(response.status).toBe(422);
    expect(error!.errors![0]!.pointer).toBe("/url");
    expect(error!.errors![0]!.message).toContain(reason);
  });

  it("runs again where the connection is made: a name that resolves to loopback now is refused", async () => {
    const r = await ownReceiver();
    const port = new URL(r.url).port;
    // A name that pointed elsewhere when the endpoint was made, and at loopback now (real DNS).
    const name = `rebind-${fresh()}.hooks.test`;
    dns.publish(name, { A: ["127.0.0.1"] });
    const settings = {
      timeoutMs: 1000,
      allowPrivateNetworks: false,
      resolve: addressResolver({ servers: [dns.server], timeoutMs: 500 }),
    };
    const outcome = await postEvent(`http://${name}:${port}/hook`, {}, "{}", settings);
    expect(outcome).toMatchObject({ delivered: false, statusCode: null });
    expect(outcome.error).toBe(`refused: ${name} resolves to a loopback, private or link-local address`);
    const named = await postEvent(`http://localhost:${port}/hook`, {}, "{}", settings);
    expect(named.error).toBe("refused: localhost is a loopback, private or link-local address");
    expect(r.received).toEqual([]);
    // The same name, allowed: the receiver gets it (the refusal was the guard's, not the network's).
    const allowed = await postEvent(`http://${name}:${port}/hook`, {}, "{}", {
      ...settings,
      allowPrivateNetworks: true,
    });
    expect(allowed.delivered).toBe(true);
    expect(r.received).toHaveLength(1);
  });

  it("refuses at create a name the configured DNS resolves to a private address", async () => {
    const name = `internal-${fresh()}.hooks.test`;
    dns.publish(name, { A: ["10.1.2.3"] });
    const onDns = await inProcessServer({ env: { DNS_SERVERS: dns.server, DNS_TIMEOUT_MS: "500" } });
    try {
      const onDnsClient = createClient({ baseUrl: onDns.url, apiKey: await onDns.createKey("Dns") });
      const { error, response } = await onDnsClient.POST("/v1/webhook-endpoints", {
        body: { url: `https://${name}/hook` },
      });
      expect(response.status).toBe(422);
      expect(error!.errors![0]!.message).toContain("(10.1.2.3)");
    } finally {
      await onDns.close();
    }
  });
});

describe("finished deliveries", () => {
  it("stay listed for 30 days, then go; a pending one stays", async () => {
    let now = Date.now();
    const aging = await inProcessServer({
      clock: () => new Date(now),
      env: { WEBHOOK_ALLOW_HTTP: "true", WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true", WEBHOOK_RETRY_SCALE: "1" },
    });
    const agingDispatcher = aging.services.startWebhookDispatcher();
    try {
      const client = createClient({ baseUrl: aging.url, apiKey: await aging.createKey("Aging") });
      const ok = await ownReceiver();
      const down = await ownReceiver(() => ({ status: 503 }));
      const good = await endpointFor(`${ok.url}/mailproof`, client);
      const bad = await endpointFor(`${down.url}/mailproof`, client);
      const delivered = await ping(good.id, client);
      const waiting = await ping(bad.id, client);
      await eventually(async () => ((await deliveries(good.id, client))[0]?.status === "delivered" ? true : undefined));
      await eventually(async () => ((await deliveries(bad.id, client))[0]?.attempts ? true : undefined));
      now += 29 * 24 * 3600_000;
      await new Promise((r) => setTimeout(r, 600));
      expect((await deliveries(good.id, client)).map((d) => d.id)).toEqual([delivered.id]);
      now += 2 * 24 * 3600_000;
      await eventually(async () => ((await deliveries(good.id, client)).length === 0 ? true : undefined));
      // The one still being retried (its next attempt hours away on the real schedule) is kept.
      expect((await deliveries(bad.id, client)).map((d) => d.id)).toEqual([waiting.id]);
    } finally {
      await agingDispatcher.stop();
      await aging.close();
    }
  });
});

describe("an endpoint that fails for the whole schedule", () => {
  it("fails the delivery after the last attempt, is disabled and says why, and comes back when enabled", async () => {
    const fast = await inProcessServer({
      env: {
        WEBHOOK_ALLOW_HTTP: "true",
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
        // The three days become about 5 s.
        WEBHOOK_RETRY_SCALE: "0.00002",
        WEBHOOK_TIMEOUT_MS: "1000",
        WEBHOOK_LEASE_MS: "5000",
      },
    });
    const fastDispatcher = fast.services.startWebhookDispatcher();
    const client = createClient({ baseUrl: fast.url, apiKey: await fast.createKey("Down") });
    let up = false;
    const r = await ownReceiver(() => (up ? { status: 200 } : { status: 502, body: "bad gateway" }));
    try {
      const endpoint = await endpointFor(`${r.url}/mailproof`, client);
      const first = await ping(endpoint.id, client);
      const failed = await eventually(async () => {
        const [d] = await deliveries(endpoint.id, client);
        return d?.status === "failed" ? d : undefined;
      }, 30_000);
      expect(failed).toMatchObject({ id: first.id, attempts: 14, next_attempt_at: null, last_status_code: 502 });
      const disabled = (
        await client.GET("/v1/webhook-endpoints/{endpoint_id}", { params: { path: { endpoint_id: endpoint.id } } })
      ).data!;
      expect(disabled.enabled).toBe(false);
      expect(disabled.disabled_reason).toContain("the endpoint answered 502");
      expect(
        (
          await client.POST("/v1/webhook-endpoints/{endpoint_id}/ping", {
            params: { path: { endpoint_id: endpoint.id } },
          })
        ).response.status,
      ).toBe(409);
      up = true;
      const enabled = await client.PATCH("/v1/webhook-endpoints/{endpoint_id}", {
        params: { path: { endpoint_id: endpoint.id } },
        body: { enabled: true },
      });
      expect(enabled.data).toMatchObject({ enabled: true, disabled_reason: null });
      const second = await ping(endpoint.id, client);
      await eventually(async () => {
        const list = await deliveries(endpoint.id, client);
        return list.find((d) => d.id === second.id)?.status === "delivered" ? true : undefined;
      });
      // The failed delivery stays failed: nothing retries it behind the user's back.
      expect((await deliveries(endpoint.id, client)).find((d) => d.id === first.id)!.status).toBe("failed");
    } finally {
      await fastDispatcher.stop();
      await fast.close();
    }
  });
});

describe("a change made while the dispatcher turns the endpoint off", () => {
  it("is answered with the endpoint as stored, and turning it on makes its waiting deliveries due", async () => {
    // No dispatcher here: a ping's delivery waits, as one does behind an endpoint's failures.
    const quiet = await inProcessServer({
      env: { WEBHOOK_ALLOW_HTTP: "true", WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true" },
    });
    const client = createClient({ baseUrl: quiet.url, apiKey: await quiet.createKey("Racing") });
    try {
      const r = await ownReceiver();
      const endpoint = await endpointFor(`${r.url}/mailproof`, client);
      const waiting = await ping(endpoint.id, client);
      const later = "2026-12-30T00:00:00.000Z";
      await quiet.db.updateTable("webhook_deliveries").set({ next_attempt_at: later }).execute();
      // The dispatcher's last failed attempt lands after each PATCH has read the endpoint.
      const service = quiet.services.webhookEndpoints as unknown as {
        row: (a: string, id: string) => Promise<unknown>;
      };
      const read = service.row.bind(service);
      vi.spyOn(service, "row").mockImplementation(async (accountId, id) => {
        const row = await read(accountId, id);
        await quiet.db
          .updateTable("webhook_endpoints")
          .set({ enabled: 0, disabled_reason: "the endpoint answered 502 for 3 days" })
          .execute();
        return row;
      });
      const path = { params: { path: { endpoint_id: endpoint.id } } };
      const described = await client.PATCH("/v1/webhook-endpoints/{endpoint_id}", {
        ...path,
        body: { description: "CRM" },
      });
      expect(described.data).toMatchObject({ description: "CRM", enabled: false });
      expect(described.data).toEqual((await client.GET("/v1/webhook-endpoints/{endpoint_id}", path)).data);

      // Once more: on when read (an operator turned it back on), off again at the write.
      await quiet.db.updateTable("webhook_endpoints").set({ enabled: 1, disabled_reason: null }).execute();
      const enabled = await client.PATCH("/v1/webhook-endpoints/{endpoint_id}", { ...path, body: { enabled: true } });
      expect(enabled.data).toMatchObject({ enabled: true, disabled_reason: null });
      const [delivery] = await deliveries(endpoint.id, client);
      expect(delivery).toMatchObject({ id: waiting.id, status: "pending" });
      expect(Date.parse(delivery!.next_attempt_at!)).toBeLessThanOrEqual(Date.now());
    } finally {
      await quiet.close();
    }
  });
});

describe("turning an endpoint back on while one of its attempts is in flight", () => {
  it("waits for the attempt's record instead of deadlocking with it: both finish, the delivery once", async () => {
    // A receiver that holds its answer until the test lets it go (within the 1 s timeout).
    let letGo: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let requests = 0;
    const holding = createServer((req, res) => {
      requests++;
      req.resume();
      arrived();
      void answered.then(() => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => holding.listen(0, "127.0.0.1", resolve));
    receivers.push({ close: () => new Promise<void>((resolve) => holding.close(() => resolve())) });
    const endpoint = await endpointFor(`http://127.0.0.1:${(holding.address() as AddressInfo).port}/held`);
    const path = { params: { path: { endpoint_id: endpoint.id } } };
    const pinged = await ping(endpoint.id);
    await arrival;
    expect(
      (await api.PATCH("/v1/webhook-endpoints/{endpoint_id}", { ...path, body: { enabled: false } })).data,
    ).toMatchObject({ enabled: false });
    // Turned on again: once its transaction holds the endpoint, the attempt is answered, and its
    // record (the delivery's row, then the endpoint's) waits for that transaction (on PostgreSQL;
    // on SQLite the record cannot start before the transaction ends).
    const update = WebhookEndpointRepository.prototype.update;
    vi.spyOn(WebhookEndpointRepository.prototype, "update").mockImplementationOnce(async function (
      this: WebhookEndpointRepository,
      ...args
    ) {
      letGo();
      const trx = (this as unknown as { db: Db }).db;
      if (isPostgres(trx)) {
        const pid = await sessionPid(trx);
        await eventually(async () => ((await waitedOn(pid, server.db)) ? true : undefined));
      }
      return update.apply(this, args);
    });
    const enabled = await api.PATCH("/v1/webhook-endpoints/{endpoint_id}", { ...path, body: { enabled: true } });
    expect(enabled.response.status).toBe(200);
    const delivered = await eventually(async () => {
      const found = (await deliveries(endpoint.id)).find((d) => d.id === pinged.id);
      return found?.status === "delivered" ? found : undefined;
    });
    // Once: an attempt whose record was lost to a deadlock is made again when its lease runs out.
    expect(delivered.attempts).toBe(1);
    expect(requests).toBe(1);
  });
});

describe("an endpoint deleted meanwhile", () => {
  it("a ping that read it before the delete is a 404", async () => {
    const r = await ownReceiver();
    const endpoint = await endpointFor(`${r.url}/deleted`);
    const path = { params: { path: { endpoint_id: endpoint.id } } };
    const service = server.services.webhookEndpoints as unknown as { row: (a: string, id: string) => Promise<unknown> };
    const read = service.row.bind(service);
    vi.spyOn(service, "row").mockImplementationOnce(async (accountId, id) => {
      const row = await read(accountId, id);
      expect((await api.DELETE("/v1/webhook-endpoints/{endpoint_id}", path)).response.status).toBe(204);
      return row;
    });
    const pinged = await api.POST("/v1/webhook-endpoints/{endpoint_id}/ping", path);
    expect(pinged.response.status).toBe(404);
    expect(pinged.error?.code).toBe("not_found");
  });

  it("does not fail the change whose event it was to get: the change commits, then the delete", async () => {
    const r = await ownReceiver();
    const endpoint = await endpointFor(`${r.url}/leaving`, api, ["destination.verified"]);
    const email = `leaving-${fresh()}@acme-logistics.com`;
    const destination = (await api.POST("/v1/destinations", { body: { email } })).data!;
    const link = await latestOutboxPath(server.dataDir, email);
    // The delete is sent once the confirmation's transaction has read the endpoints; the insert of
    // the event's delivery waits until the delete has committed or waits for that transaction
    // (PostgreSQL; on SQLite the delete cannot start before the transaction ends).
    const repository = (server.services.webhookEndpoints as unknown as { repository: object }).repository as {
      enabledEndpoints: (...args: unknown[]) => Promise<unknown>;
    };
    const readEndpoints = repository.enabledEndpoints.bind(repository);
    let deleted: Promise<number> | undefined;
    vi.spyOn(repository, "enabledEndpoints").mockImplementationOnce(async (...args) => {
      const endpoints = await readEndpoints(...args);
      let settled = false;
      deleted = api
        .DELETE("/v1/webhook-endpoints/{endpoint_id}", { params: { path: { endpoint_id: endpoint.id } } })
        .then((d) => {
          settled = true;
          return d.response.status;
        });
      const trx = args[1] as Db;
      if (isPostgres(trx)) {
        const pid = await sessionPid(trx);
        await eventually(async () => (settled || (await waitedOn(pid, server.db)) ? true : undefined));
      }
      return endpoints;
    });
    expect((await confirmAsABrowser(server.url, link)).status).toBe(200);
    expect(await deleted).toBe(204);
    const read = await api.GET("/v1/destinations/{destination_id}", {
      params: { path: { destination_id: destination.id } },
    });
    expect(read.data!.status).toBe("verified");
  });
});

describe("a store that is away", () => {
  it("the dispatcher says so once, not on every tick (four a second)", async () => {
    const { lines, logger } = recordingLogger();
    const dead = await inProcessServer({ logger, prepare: (db) => db.destroy() });
    const deadDispatcher = dead.services.startWebhookDispatcher();
    try {
      await expect.poll(() => lines.some((l) => l.msg === "webhook claim failed")).toBe(true);
      await new Promise((r) => setTimeout(r, 1_000));
    } finally {
      await deadDispatcher.stop();
      await dead.close();
    }
    expect(lines.filter((l) => l.msg.startsWith("webhook claim"))).toEqual([
      expect.objectContaining({ level: "error", msg: "webhook claim failed", error: expect.any(String) }),
    ]);
  });
});

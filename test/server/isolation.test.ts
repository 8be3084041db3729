import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { clientsFor, fresh, raw } from "../support/api.js";
import { operations } from "../support/openapi.js";

// Every resource belongs to one account: another account's id must answer exactly like an id
// that does not exist, on every operation that takes an id.
const server = inject("server");
const { a, b } = clientsFor(server);

async function resourcesOfA() {
  const domain = (await a.POST("/v1/mailbox-domains", { body: { domain: `iso-${fresh()}.acme-logistics.com` } })).data!;
  const identity = (
    await a.POST("/v1/sender-identities", {
      body: { domain_id: domain.id, name: "Billing", email: `billing@${domain.domain}` },
    })
  ).data!;
  const destination = (await a.POST("/v1/destinations", { body: { email: `iso-${fresh()}@acme-logistics.com` } }))
    .data!;
  const validation = (await a.POST("/v1/email-validations", { body: { emails: ["not-an-address"] } })).data!;
  const hook = (
    await a.POST("/v1/webhook-endpoints", { body: { url: `https://hooks-${fresh()}.acme-logistics.com/` } })
  ).data!;
  const delivery = (
    await a.POST("/v1/webhook-endpoints/{endpoint_id}/ping", { params: { path: { endpoint_id: hook.id } } })
  ).data!;
  return { domain, identity, destination, validation, endpoint: hook, delivery };
}

/** The request B makes on A's resource for each operation that takes an id. */
const attempts: Record<
  string,
  (ids: {
    domain: string;
    identity: string;
    destination: string;
    validation: string;
    endpoint: string;
    delivery: string;
  }) => {
    method: string;
    path: string;
    body?: unknown;
  }
> = {
  getDestination: (r) => ({ method: "GET", path: `/v1/destinations/${r.destination}` }),
  deleteDestination: (r) => ({ method: "DELETE", path: `/v1/destinations/${r.destination}` }),
  resendDestination: (r) => ({ method: "POST", path: `/v1/destinations/${r.destination}/resend` }),
  getSenderIdentity: (r) => ({ method: "GET", path: `/v1/sender-identities/${r.identity}` }),
  updateSenderIdentity: (r) => ({
    method: "PUT",
    path: `/v1/sender-identities/${r.identity}`,
    body: { name: "Taken over" },
  }),
  deleteSenderIdentity: (r) => ({ method: "DELETE", path: `/v1/sender-identities/${r.identity}` }),
  resendSenderIdentity: (r) => ({ method: "POST", path: `/v1/sender-identities/${r.identity}/resend` }),
  getMailboxDomain: (r) => ({ method: "GET", path: `/v1/mailbox-domains/${r.domain}` }),
  deleteMailboxDomain: (r) => ({ method: "DELETE", path: `/v1/mailbox-domains/${r.domain}` }),
  verifyMailboxDomain: (r) => ({ method: "POST", path: `/v1/mailbox-domains/${r.domain}/verify` }),
  getEmailValidation: (r) => ({ method: "GET", path: `/v1/email-validations/${r.validation}` }),
  downloadEmailValidationResults: (r) => ({ method: "GET", path: `/v1/email-validations/${r.validation}/results` }),
  deleteEmailValidation: (r) => ({ method: "DELETE", path: `/v1/email-validations/${r.validation}` }),
  cancelEmailValidation: (r) => ({
    method: "PATCH",
    path: `/v1/email-validations/${r.validation}`,
    body: { status: "canceled" },
  }),
  getWebhookEndpoint: (r) => ({ method: "GET", path: `/v1/webhook-endpoints/${r.endpoint}` }),
  updateWebhookEndpoint: (r) => ({
    method: "PATCH",
    path: `/v1/webhook-endpoints/${r.endpoint}`,
    body: { url: "https://attacker.example.net/" },
  }),
  deleteWebhookEndpoint: (r) => ({ method: "DELETE", path: `/v1/webhook-endpoints/${r.endpoint}` }),
  rotateWebhookEndpointSecret: (r) => ({ method: "POST", path: `/v1/webhook-endpoints/${r.endpoint}/rotate-secret` }),
  pingWebhookEndpoint: (r) => ({ method: "POST", path: `/v1/webhook-endpoints/${r.endpoint}/ping` }),
  listWebhookDeliveries: (r) => ({ method: "GET", path: `/v1/webhook-endpoints/${r.endpoint}/deliveries` }),
  getWebhookDelivery: (r) => ({
    method: "GET",
    path: `/v1/webhook-endpoints/${r.endpoint}/deliveries/${r.delivery}`,
  }),
};

describe("cross-account isolation", () => {
  it("has an attempt for every operation that takes a resource id", () => {
    const withId = operations
      .filter((op) => /\{(destination_id|identity_id|domain_id|validation_id|endpoint_id)\}/.test(op.path))
      .map((op) => op.operationId);
    expect(Object.keys(attempts).sort()).toEqual(withId.sort());
  });

  it.each(Object.keys(attempts))("%s on another account's id is the same 404 as an unknown id", async (operationId) => {
    const mine = await resourcesOfA();
    const ids = {
      domain: mine.domain.id,
      identity: mine.identity.id,
      destination: mine.destination.id,
      validation: mine.validation.id,
      endpoint: mine.endpoint.id,
      delivery: mine.delivery.id,
    };
    const attempt = attempts[operationId]!(ids);
    const asB = await raw(
      { ...server, apiKey: server.otherApiKey },
      attempt.method,
      attempt.path,
      jsonInit(attempt.body),
    );
    const unknown = attempts[operationId]!({
      domain: randomUUID(),
      identity: randomUUID(),
      destination: randomUUID(),
      validation: randomUUID(),
      endpoint: randomUUID(),
      delivery: randomUUID(),
    });
    const asBUnknown = await raw(
      { ...server, apiKey: server.otherApiKey },
      unknown.method,
      unknown.path,
      jsonInit(unknown.body),
    );
    expect(asB.status).toBe(404);
    expect(asBUnknown.status).toBe(404);
    expect(asB.json?.code).toBe("not_found");
    expect(Object.keys(asB.json!).sort()).toEqual(Object.keys(asBUnknown.json!).sort());
    // Nothing happened to A's resources (`verification.next_resend_at` moves with the clock, and
    // the server's background re-check may look at the new domain meanwhile: its check's fields).
    expect(
      stable(
        (await a.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: ids.destination } } }))
          .data,
      ),
    ).toEqual(stable(mine.destination));
    expect(
      stable(
        (await a.GET("/v1/sender-identities/{identity_id}", { params: { path: { identity_id: ids.identity } } })).data,
      ),
    ).toEqual(stable(mine.identity));
    expect(
      unchecked((await a.GET("/v1/mailbox-domains/{domain_id}", { params: { path: { domain_id: ids.domain } } })).data),
    ).toEqual(unchecked(mine.domain));
    const job = { params: { path: { validation_id: ids.validation } } };
    expect((await a.GET("/v1/email-validations/{validation_id}", job)).response.status).toBe(200);
  });

  it("lists show only the account's own resources", async () => {
    const mine = await resourcesOfA();
    const all = async <T extends { id: string }>(list: () => Promise<{ data?: { data: T[] } }>) =>
      (await list()).data!.data.map((x) => x.id);
    expect(await all(() => b.GET("/v1/destinations", { params: { query: { page: { size: 100 } } } }))).not.toContain(
      mine.destination.id,
    );
    expect(
      await all(() => b.GET("/v1/sender-identities", { params: { query: { page: { size: 100 } } } })),
    ).not.toContain(mine.identity.id);
    expect(
      await all(() => b.GET("/v1/sender-identities", { params: { query: { domain_id: mine.domain.id } } })),
    ).toEqual([]);
    expect(
      await all(() => b.GET("/v1/destinations", { params: { query: { email: mine.destination.email } } })),
    ).toEqual([]);
    expect(await all(() => b.GET("/v1/mailbox-domains", { params: { query: { page: { size: 100 } } } }))).not.toContain(
      mine.domain.id,
    );
    expect(
      await all(() => b.GET("/v1/email-validations", { params: { query: { page: { size: 100 } } } })),
    ).not.toContain(mine.validation.id);
  });

  it("another account's domain cannot carry an identity, and names are unique per account only", async () => {
    const mine = await resourcesOfA();
    const onForeign = await b.POST("/v1/sender-identities", {
      body: { domain_id: mine.domain.id, name: "X", email: `x@${mine.domain.domain}` },
    });
    expect(onForeign.response.status).toBe(422);
    expect(onForeign.error?.errors?.[0]?.pointer).toBe("/domain_id");
    expect((await b.POST("/v1/destinations", { body: { email: mine.destination.email } })).response.status).toBe(201);
    expect((await b.POST("/v1/mailbox-domains", { body: { domain: mine.domain.domain } })).response.status).toBe(201);
  });
});

function jsonInit(body: unknown) {
  return body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } };
}

function stable<T extends { verification?: { next_resend_at: string | null }; domain?: unknown }>(
  value: T | undefined,
) {
  return (
    value && {
      ...value,
      verification: { ...value.verification, next_resend_at: "(moves with the clock)" },
      ...(typeof value.domain === "object" && { domain: unchecked(value.domain as { updated_at: string }) }),
    }
  );
}

/** A mailbox domain without what the background re-check changes (when it looked, what it saw). */
function unchecked<T extends { updated_at: string }>(domain: T | undefined) {
  return domain && { ...domain, updated_at: "(re-check)", last_checked_at: "(re-check)", dns_records: "(re-check)" };
}

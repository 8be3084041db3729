import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { createClient } from "../../client/src/index.js";
import { fresh, raw } from "../support/api.js";
import { createKey } from "../support/real-server.js";

const server = inject("server");

describe("Idempotency-Key on creating POSTs", () => {
  it("replays the first answer for a retry with the same key and body, creating once", async () => {
    const apiKey = await createKey(server.env, `idem-${fresh()}`);
    const key = randomUUID();
    const body = JSON.stringify({ email: `retry-${fresh()}@acme-logistics.com` });
    const send = () =>
      raw({ ...server, apiKey }, "POST", "/v1/destinations", {
        body,
        headers: { "content-type": "application/json", "idempotency-key": key },
      });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json).toEqual(first.json);
    expect(second.headers.get("location")).toBe(first.headers.get("location"));
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBe("false");
    const list = await createClient({ baseUrl: server.baseUrl, apiKey }).GET("/v1/destinations");
    expect(list.data!.data).toHaveLength(1);
  });

  it("takes a retry with a trailing slash as the same request (the slash carries no meaning)", async () => {
    const headers = { "content-type": "application/json", "idempotency-key": randomUUID() };
    const body = JSON.stringify({ email: `slash-${fresh()}@acme-logistics.com` });
    const first = await raw(server, "POST", "/v1/destinations", { body, headers });
    const retry = await raw(server, "POST", "/v1/destinations/", { body, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.json).toEqual(first.json);
  });

  it("treats the same fields in another order as the same body", async () => {
    const key = randomUUID();
    const domain = `idem-${fresh()}.com`;
    const headers = { "content-type": "application/json", "idempotency-key": key };
    const created = await raw(server, "POST", "/v1/mailbox-domains", { body: JSON.stringify({ domain }), headers });
    const domainId = created.json!.id as string;
    const a = await raw(server, "POST", "/v1/sender-identities", {
      body: JSON.stringify({ domain_id: domainId, name: "B", email: `b@${domain}` }),
      headers: { ...headers, "idempotency-key": `${key}-i` },
    });
    const b = await raw(server, "POST", "/v1/sender-identities", {
      body: JSON.stringify({ email: `b@${domain}`, name: "B", domain_id: domainId }),
      headers: { ...headers, "idempotency-key": `${key}-i` },
    });
    expect(a.status).toBe(201);
    expect(b.json).toEqual(a.json);
  });

  it("refuses the same key with another body (422), and another operation (422)", async () => {
    const key = randomUUID();
    const headers = { "content-type": "application/json", "idempotency-key": key };
    await raw(server, "POST", "/v1/destinations", {
      body: JSON.stringify({ email: `one-${fresh()}@acme-logistics.com` }),
      headers,
    });
    const other = await raw(server, "POST", "/v1/destinations", {
      body: JSON.stringify({ email: `two-${fresh()}@acme-logistics.com` }),
      headers,
    });
    expect(other.status).toBe(422);
    expect(other.json!.code).toBe("idempotency_key_reused");
    const elsewhere = await raw(server, "POST", "/v1/mailbox-domains", {
      body: JSON.stringify({ domain: `x-${fresh()}.com` }),
      headers,
    });
    expect(elsewhere.status).toBe(422);
  });

  it("does not keep failed answers: a retry after a 422 runs again", async () => {
    const key = randomUUID();
    const headers = { "content-type": "application/json", "idempotency-key": key };
    const bad = await raw(server, "POST", "/v1/mailbox-domains", {
      body: JSON.stringify({ domain: "not a domain" }),
      headers,
    });
    expect(bad.status).toBe(422);
    const again = await raw(server, "POST", "/v1/mailbox-domains", {
      body: JSON.stringify({ domain: "not a domain" }),
      headers,
    });
    expect(again.status).toBe(422);
    expect(again.json!.code).toBe("validation_failed");
  });

  it("keys are per account", async () => {
    const key = randomUUID();
    const body = JSON.stringify({ email: `shared-${fresh()}@acme-logistics.com` });
    const headers = { "content-type": "application/json", "idempotency-key": key };
    const mine = await raw(server, "POST", "/v1/destinations", { body, headers });
    const theirs = await raw({ ...server, apiKey: server.otherApiKey }, "POST", "/v1/destinations", { body, headers });
    expect(theirs.status).toBe(201);
    expect(theirs.json!.id).not.toBe(mine.json!.id);
    expect(theirs.headers.get("idempotent-replayed")).toBe("false");
  });

  it("creates once when ten retries with the same key race", async () => {
    const apiKey = await createKey(server.env, `race-${fresh()}`);
    const key = randomUUID();
    const body = JSON.stringify({ email: `race-${fresh()}@acme-logistics.com` });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        raw({ ...server, apiKey }, "POST", "/v1/destinations", {
          body,
          headers: { "content-type": "application/json", "idempotency-key": key },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => r.json!.id)).size).toBe(1);
  });
});
